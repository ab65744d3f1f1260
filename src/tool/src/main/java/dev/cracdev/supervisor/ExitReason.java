package dev.cracdev.supervisor;

/** Turns a child's exit status into words; the JDK reports death by signal N as 128 + N. */
public final class ExitReason {
    private ExitReason() {
    }

    /** The JVM's status cannot be seen (it ran below {@code criu restore}, which exits 0 whatever happened). */
    public static final int UNKNOWN = -1;

    public static String describe(int status) {
        if (status == UNKNOWN) {
            return "ended (its exit status is not visible through criu restore)";
        }
        if (status == 0) {
            return "exited normally (status 0)";
        }
        if (status > 128 && status < 160) {
            int signal = status - 128;
            return "was killed by signal " + signal + signalName(signal);
        }
        return "exited with status " + status;
    }

    private static String signalName(int signal) {
        return switch (signal) {
            case 1 -> " (SIGHUP)";
            case 2 -> " (SIGINT)";
            case 6 -> " (SIGABRT)";
            case 9 -> " (SIGKILL)";
            case 11 -> " (SIGSEGV)";
            case 15 -> " (SIGTERM)";
            default -> "";
        };
    }
}
