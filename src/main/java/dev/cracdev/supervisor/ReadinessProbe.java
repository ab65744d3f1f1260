package dev.cracdev.supervisor;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.regex.Pattern;

/**
 * How the supervisor knows a generation is up. Without an explicit probe, a generation is ready when
 * its {@code main} returns (typical for servers that start threads and return).
 */
public sealed interface ReadinessProbe {
    /** Ready when main returned. */
    record MainReturned() implements ReadinessProbe {
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
        return this instanceof Port || this instanceof Url;
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
