package dev.cracdev.supervisor;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
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
     * {@code /proc}), its {@code main} returning, or its output going quiet for {@link #QUIET} after start —
     * so a server whose {@code main} never returns, or a worker that only prints, is ready too.
     */
    record Auto() implements ReadinessProbe {
        /** Output quiet this long after start: the app has done what it does at start. */
        public static final Duration QUIET = Duration.ofMillis(1500);

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
