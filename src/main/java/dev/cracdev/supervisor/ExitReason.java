package dev.cracdev.supervisor;

/** Turns a child's exit status into words; the JDK reports death by signal N as 128 + N. */
public final class ExitReason {
    private ExitReason() {
    }

    public static String describe(int status) {
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
