package dev.cracdev;

import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;

/**
 * crac-dev's own voice: one-line {@code [crac-dev]} messages on stderr, apart from the app's output.
 * Details go out only with {@code --verbose}.
 */
public final class Console {
    private final PrintStream out;
    private final PrintStream err;
    private final boolean verbose;
    private final CharsetEncoder encoder;

    public Console(PrintStream out, PrintStream err, boolean verbose) {
        this(out, err, verbose, Charset.defaultCharset());
    }

    /** {@code charset}: what the streams print in; crac-dev's own characters it cannot print become ASCII. */
    public Console(PrintStream out, PrintStream err, boolean verbose, Charset charset) {
        this.out = out;
        this.err = err;
        this.verbose = verbose;
        this.encoder = charset.newEncoder();
    }

    public static Console system(boolean verbose) {
        return new Console(System.out, System.err, verbose, stderrCharset());
    }

    /** The charset System.err prints in (a LANG=C terminal: ASCII). */
    public static Charset stderrCharset() {
        return charsetOf("stderr");
    }

    /** The charset System.out prints in. */
    public static Charset stdoutCharset() {
        return charsetOf("stdout");
    }

    private static Charset charsetOf(String stream) {
        for (String property : new String[] {stream + ".encoding", "sun." + stream + ".encoding"}) {
            String name = System.getProperty(property);
            if (name != null) {
                try {
                    return Charset.forName(name);
                } catch (IllegalArgumentException e) { // unknown or unsupported
                    // fall through to the default
                }
            }
        }
        return Charset.defaultCharset();
    }

    /** {@code text} as the console can print it: the separators crac-dev uses become ASCII where they cannot. */
    public synchronized String printable(String text) {
        if (encoder.canEncode(text)) {
            return text;
        }
        return text.replace("·", "-").replace("→", "->").replace("…", "...").replace("–", "-").replace("—", "-")
                .replace("×", "x").replace("µ", "u");
    }

    public boolean verbose() {
        return verbose;
    }

    public synchronized void info(String message) {
        err.println(printable("[crac-dev] " + message));
        err.flush();
    }

    public synchronized void warn(String message) {
        err.println(printable("[crac-dev] [WARN] " + message));
        err.flush();
    }

    public synchronized void error(String message) {
        err.println(printable("[crac-dev] [ERROR] " + message));
        err.flush();
    }

    public synchronized void debug(String message) {
        if (verbose) {
            err.println(printable("[crac-dev] [debug] " + message));
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
