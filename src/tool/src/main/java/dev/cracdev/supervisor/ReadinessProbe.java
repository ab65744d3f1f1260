package dev.cracdev.supervisor;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * How the supervisor knows a generation is up: an explicit probe ({@code --ready-url}, {@code --ready-port},
 * {@code --ready-log}), or {@link Auto} without one.
 */
public sealed interface ReadinessProbe {
    /**
     * Without an option: ready at the first of the generation's JVM listening on a TCP port (Linux, from
     * {@code /proc}), its {@code main} returning, or its output going quiet for {@link #QUIET} after start while
     * the JVM idles (or for {@link #QUIET_BUSY} whatever it does) — so a server whose {@code main} never
     * returns, or a worker that only prints, is ready too.
     */
    record Auto() implements ReadinessProbe {
        /**
         * Output quiet this long after start, with the JVM nearly idle meanwhile: the app has done what it does
         * at start. (A framework that initializes for seconds without printing keeps a CPU busy.)
         */
        public static final Duration QUIET = Duration.ofMillis(1500);
        /** At most this share of one CPU used during {@link #QUIET} counts as idle. */
        static final double IDLE_CPU_SHARE = 0.15;
        /** Output quiet this long counts even while the JVM keeps computing (a worker that never prints). */
        public static final Duration QUIET_BUSY = Duration.ofSeconds(15);

        /** CPU time the process has used, in ms, from Linux's {@code /proc/PID/stat}; -1 where unknown. */
        static long cpuMillis(long pid) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                // after "pid (comm) ": state is field 3, utime 14 and stime 15 (in clock ticks, 100 a second)
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
            } catch (IOException | RuntimeException e) {
                return -1; // not Linux, or the process is gone
            }
        }

        /** "listening on port N" once the JVM has a listening TCP socket, else null. */
        static String listening(long pid) {
            OptionalInt port = ListeningPorts.first(pid);
            return port.isPresent() ? "listening on port " + port.getAsInt() : null;
        }
    }

    /** Ready when a line of the app's output matches. */
    record LogLine(Pattern pattern) implements ReadinessProbe {
    }

    /** Ready when a TCP connect to localhost:port succeeds. */
    record Port(int port) implements ReadinessProbe {
        boolean check() {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return true;
            } catch (IOException e) {
                return false;
            }
        }
    }

    /** Ready when an HTTP GET answers below 500. */
    record Url(URI url) implements ReadinessProbe {
        boolean check() {
            try {
                HttpURLConnection c = (HttpURLConnection) url.toURL().openConnection();
                c.setConnectTimeout(200);
                c.setReadTimeout(2000);
                c.setRequestProperty("Connection", "close"); // no keep-alive socket left in the app
                int code = c.getResponseCode();
                c.disconnect();
                return code < 500;
            } catch (IOException e) {
                return false;
            }
        }
    }

    /** True for probes the supervisor polls. */
    default boolean polled() {
        return this instanceof Port || this instanceof Url || this instanceof Auto;
    }

    /** One poll; only for {@link #polled()} probes. */
    default boolean poll() {
        if (this instanceof Port p) {
            return p.check();
        }
        if (this instanceof Url u) {
            return u.check();
        }
        return false;
    }
}
