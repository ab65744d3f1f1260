package dev.cracdev.runtime.crac;

/** Collects, as suppressed exceptions, what went wrong before a checkpoint. */
public class CheckpointException extends Exception {
    public CheckpointException() {
    }
}
