package dev.cracdev.supervisor;

/** The supervisor's states; transitions are logged with --verbose. */
public enum SupervisorState {
    STARTING, RESTARTING, RUNNING, WAITING_FOR_CHANGE, STOPPING
}
