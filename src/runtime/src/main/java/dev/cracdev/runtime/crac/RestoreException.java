package dev.cracdev.runtime.crac;

/** Collects, as suppressed exceptions, what went wrong after a restore. */
public class RestoreException extends Exception {
    public RestoreException() {
    }
}
