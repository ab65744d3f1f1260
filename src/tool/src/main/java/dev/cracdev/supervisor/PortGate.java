package dev.cracdev.supervisor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns away new TCP connections to the app's port, from everyone but the readiness probe, while a generation
 * whose ready image is still to be taken starts: no outside request (a script polling the port, a browser's
 * reload) can change its state before the dump. To the outside the port opens once the image exists, as if the
 * app had only then started listening. Linux with nftables, as root (as criu needs anyway): a table of this
 * supervisor's own holding a set of ports; a connection attempt is answered with a reset (refused at once, not
 * left to time out). A port stays held for at most {@link #LONGEST}, so a supervisor that dies cannot block it for
 * good; tables of supervisors that are gone are dropped by the next one. Elsewhere nothing is held.
 */
public final class PortGate implements AutoCloseable {
    /** How long one hold lasts at most (the table's element timeout). */
    static final Duration LONGEST = Duration.ofMinutes(2);
    private static final String PREFIX = "crac-dev-";
    private static final Pattern OUR_TABLE = Pattern.compile("table inet " + PREFIX + "(\\d+)");

    private final String nft; // null: cannot hold
    private final String table = PREFIX + ProcessHandle.current().pid();
    private final String reason;
    private boolean created;

    private PortGate(String nft, String reason) {
        this.nft = nft;
        this.reason = reason;
    }

    /** A gate on this machine, or one that holds nothing, with {@link #describe()} saying why. */
    public static PortGate onThisMachine() {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            return new PortGate(null, "only on Linux (nftables)");
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            return new PortGate(null, "needs root, as criu does");
        }
        for (String dir : List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin")) {
            Path exe = Path.of(dir, "nft");
            if (Files.isExecutable(exe)) {
                return new PortGate(exe.toString(), "nftables (" + exe + ")");
            }
        }
        return new PortGate(null, "no nft found: install nftables (scripts/install-criu does)");
    }

    /** True when {@link #hold} can turn connections away here. */
    public boolean available() {
        return nft != null;
    }

    /** One line for {@code crac-dev doctor}. */
    public String describe() {
        return available() ? "while a ready image is taken, outside connections to the app's port are refused: " + reason
                : "outside connections cannot be held off while a ready image is taken (" + reason
                + "): a generation someone connects to before its image is not checkpointed";
    }

    /** Refuses new connections to {@code port} except from {@link ReadinessProbe#PROBE_SOURCE}. */
    synchronized void hold(int port) throws IOException {
        if (!created) {
            dropTablesOfGoneSupervisors();
            // one transaction; the IPv6 rule refuses all (the probe connects over IPv4)
            nft("""
                    add table inet %1$s
                    add set inet %1$s held { type inet_service; flags timeout; }
                    add chain inet %1$s input { type filter hook input priority -10; policy accept; }
                    add rule inet %1$s input tcp dport @held tcp flags & (syn | ack) == syn ip saddr != %2$s reject with tcp reset
                    add rule inet %1$s input meta nfproto ipv6 tcp dport @held tcp flags & (syn | ack) == syn reject with tcp reset
                    """.formatted(table, ReadinessProbe.PROBE_SOURCE));
            created = true;
        }
        nft("add element inet %s held { %d timeout %ds }".formatted(table, port, LONGEST.toSeconds()));
    }

    /** Lets connections to {@code port} through again. */
    synchronized void release(int port) throws IOException {
        if (created) {
            // flushing the set (this supervisor holds one port at a time) cannot fail on an element that expired
            nft("flush set inet %s held".formatted(table));
        }
    }

    @Override
    public synchronized void close() {
        if (created) {
            try {
                nft("delete table inet " + table);
            } catch (IOException e) {
                // it expires by itself (LONGEST), and the next supervisor drops it
            }
            created = false;
        }
    }

    private void dropTablesOfGoneSupervisors() throws IOException {
        Matcher m = OUR_TABLE.matcher(nft("list tables"));
        while (m.find()) {
            long pid = Long.parseLong(m.group(1));
            if (ProcessHandle.of(pid).isEmpty()) {
                nft("delete table inet " + PREFIX + pid);
            }
        }
    }

    private String nft(String script) throws IOException {
        Process p = new ProcessBuilder(nft, "-f", "-").redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(script.getBytes(StandardCharsets.UTF_8));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream o = p.getInputStream()) {
            o.transferTo(out);
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("nft did not finish in 5 s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        String text = out.toString(StandardCharsets.UTF_8).trim();
        if (p.exitValue() != 0) {
            throw new IOException("nft failed: " + text);
        }
        return text;
    }
}
