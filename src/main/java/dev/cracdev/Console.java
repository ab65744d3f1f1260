package dev.cracdev;

import java.io.PrintStream;

/**
 * crac-dev's own voice: one-line {@code [crac-dev]} messages on stderr, apart from the app's output.
 * Details go out only with {@code --verbose}.
 */
public final class Console {
    private final PrintStream out;
    private final PrintStream err;
    private final boolean verbose;

    public Console(PrintStream out, PrintStream err, boolean verbose) {
        this.out = out;
        this.err = err;
        this.verbose = verbose;
    }

    public static Console system(boolean verbose) {
        return new Console(System.out, System.err, verbose);
    }

    public boolean verbose() {
        return verbose;
    }

    public synchronized void info(String message) {
        err.println("[crac-dev] " + message);
        err.flush();
    }

    public synchronized void warn(String message) {
        err.println("[crac-dev] [WARN] " + message);
        err.flush();
    }

    public synchronized void error(String message) {
        err.println("[crac-dev] [ERROR] " + message);
        err.flush();
    }

    public synchronized void debug(String message) {
        if (verbose) {
            err.println("[crac-dev] [debug] " + message);
            err.flush();
        }
    }

    /** A line of a generation's stdout. */
    public synchronized void appOut(String line) {
        out.println(line);
        out.flush();
    }

    /** A line of a generation's stderr. */
    public synchronized void appErr(String line) {
        err.println(line);
        err.flush();
    }
}
