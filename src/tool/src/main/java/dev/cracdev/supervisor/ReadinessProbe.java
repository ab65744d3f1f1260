package dev.cracdev.supervisor;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocketFactory;

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
            try (Socket s = connect(InetAddress.getByName("127.0.0.1"), port)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        }
    }

    /** Ready when an HTTP GET answers below 500. */
    record Url(URI url) implements ReadinessProbe {
        boolean check() {
            return failure() == null;
        }

        /** What is wrong with the URL now, in a few words ("refuses connections"), or null: it answers below 500. */
        String failure() {
            try {
                int code = httpStatus(url);
                return code < 500 ? null : "answers HTTP " + code;
            } catch (java.net.ConnectException e) {
                return "refuses connections";
            } catch (java.net.SocketTimeoutException e) {
                return "does not answer";
            } catch (java.net.UnknownHostException e) {
                return "names an unknown host";
            } catch (IOException | RuntimeException e) {
                return "fails (" + e.getMessage() + ")";
            }
        }

        /** True when the URL's host is an IPv4 address (or a name for one, such as localhost). */
        boolean overIpv4() {
            try {
                return InetAddress.getByName(url.getHost()) instanceof Inet4Address;
            } catch (IOException e) {
                return false;
            }
        }

        /** The port the URL names, its scheme's default if none. */
        int port() {
            return url.getPort() != -1 ? url.getPort() : "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
        }

        /**
         * The status of a GET on its own connection ({@code Connection: close}: no keep-alive socket left in
         * the app), made by hand because the JDK's HTTP clients cannot choose their source address.
         */
        private int httpStatus(URI url) throws IOException {
            Socket plain = connect(InetAddress.getByName(url.getHost()), port());
            Socket s;
            try {
                s = "https".equalsIgnoreCase(url.getScheme())
                        ? ((SSLSocketFactory) SSLSocketFactory.getDefault()).createSocket(plain, url.getHost(), port(), true)
                        : plain;
            } catch (IOException e) {
                plain.close();
                throw e;
            }
            try (s) {
                s.setSoTimeout(2000);
                String path = (url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath())
                        + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
                s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + url.getHost() + ":" + port()
                        + "\r\nConnection: close\r\nUser-Agent: crac-dev\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                InputStream in = s.getInputStream();
                BufferedReader status = new BufferedReader(new InputStreamReader(in, StandardCharsets.ISO_8859_1));
                String line = status.readLine(); // "HTTP/1.1 200 OK"
                if (line == null || !line.startsWith("HTTP/") || line.length() < 12) {
                    throw new IOException("not an HTTP answer: " + line);
                }
                int code = Integer.parseInt(line.substring(9, 12));
                try {
                    status.skip(1 << 20); // read the answer to its end, so closing does not reset the app's side
                } catch (IOException slowOrEndless) {
                    // the status is what counts
                }
                return code;
            }
        }
    }

    /**
     * Where the polled probes connect from: an address of their own, so that {@link PortGate} can let them
     * through while it turns everyone else away. Falls back to the default source where the address does
     * not exist (not Linux: only 127.0.0.1 is on loopback).
     */
    String PROBE_SOURCE = "127.0.0.2";

    private static Socket connect(InetAddress target, int port) throws IOException {
        Socket s = new Socket();
        try {
            // only towards this machine: a loopback source cannot reach another host
            if (target instanceof Inet4Address && (target.isLoopbackAddress() || NetworkInterface.getByInetAddress(target) != null)) {
                try {
                    s.bind(new InetSocketAddress(PROBE_SOURCE, 0));
                } catch (IOException e) {
                    s.close();
                    s = new Socket();
                }
            }
            s.connect(new InetSocketAddress(target, port), 200);
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /**
     * Why a generation (JVM {@code pid}) that has run for a while is still not ready by this probe, naming the
     * port the app does listen on, if any: a wrong URL or port looked like a hung tool. Null where there is
     * nothing to say (the automatic probe, or it just passed).
     */
    default String notReadyHint(long pid) {
        OptionalInt port = ListeningPorts.first(pid);
        String listening = port.isPresent() ? ", while the app listens on port " + port.getAsInt() : "";
        if (this instanceof Url u) {
            String failure = u.failure();
            return failure == null ? null : "--ready-url " + u.url() + " " + failure + listening
                    + (port.isPresent() ? ": is the URL right?" : "");
        }
        if (this instanceof Port p) {
            return "nothing answers on --ready-port " + p.port() + listening + (port.isPresent() ? ": is the port right?" : "");
        }
        if (this instanceof LogLine l) {
            return "no line of its output matched --ready-log '" + l.pattern() + "'" + listening;
        }
        return null;
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
