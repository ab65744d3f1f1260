package dev.cracdev;

/** crac-dev's exit codes; the table is printed by {@code --help} and the README. */
public enum ExitCode {
    OK(0, "success (for 'run': the command's own exit code)"),
    FAILURE(1, "the app or an operation failed"),
    USAGE(2, "bad command line or input (unknown option, missing main class, app root or class-path entry)"),
    UNSUPPORTED(3, "the environment cannot run the chosen engine (no CRIU, not root, no CRaC JDK)"),
    INTERNAL(4, "internal error (a bug: please report it with --verbose output)"),
    NOT_RUNNING(5, "no supervisor is running for this project");

    public final int code;
    public final String meaning;

    ExitCode(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }
}
