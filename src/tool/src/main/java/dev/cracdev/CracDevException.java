package dev.cracdev;

/** A failure the user can act on: its message is one plain sentence saying what happened and what to do. */
public class CracDevException extends Exception {
    private final ExitCode exitCode;

    public CracDevException(ExitCode exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public CracDevException(ExitCode exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public ExitCode exitCode() {
        return exitCode;
    }
}
