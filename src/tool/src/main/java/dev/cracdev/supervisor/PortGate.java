package dev.cracdev.supervisor;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
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
    private boolean closed;

    private PortGate(String nft, String reason) {
        this.nft = nft;
        this.reason = reason;
    }

    /**
     * A gate on this machine, or one that holds nothing, with {@link #describe()} saying why. Asks nft once
     * (a JVM not allowed to change the firewall, or a kernel without nf_tables, fails there).
     */
    public static PortGate onThisMachine() {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            return new PortGate(null, "only on Linux (nftables)");
        }
        for (String dir : List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin")) {
            Path exe = Path.of(dir, "nft");
            if (Files.isExecutable(exe)) {
                try {
                    run(exe.toString(), "list tables");
                    return new PortGate(exe.toString(), "nftables (" + exe + ")");
                } catch (IOException e) {
                    return new PortGate(null, e.getMessage() + " (it needs root, as criu does)");
                }
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

    /**
     * Refuses new connections to {@code ports} except from {@link ReadinessProbe#PROBE_SOURCE}, for at most
     * {@link #LONGEST} from now (holding again replaces the ports and restarts that time). Does nothing once
     * the gate is closed (the supervisor is ending).
     */
    synchronized void hold(Set<Integer> ports) throws IOException {
        if (closed || ports.isEmpty()) {
            return;
        }
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
        StringBuilder elements = new StringBuilder();
        for (int port : ports) {
            elements.append(elements.length() == 0 ? "" : ", ").append(port).append(" timeout ").append(LONGEST.toSeconds()).append('s');
        }
        // flush and add in one transaction: no moment without the hold, and the time starts again
        nft("flush set inet %1$s held%nadd element inet %1$s held { %2$s }".formatted(table, elements));
    }

    /** Lets connections through again. */
    synchronized void release() throws IOException {
        if (created) {
            nft("flush set inet %s held".formatted(table)); // cannot fail on an element that expired meanwhile
        }
    }

    /** Drops the table; the gate holds nothing from now on. */
    @Override
    public synchronized void close() {
        closed = true;
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
        return run(nft, script);
    }

    /** Runs an nft script; its output, or an IOException with nft's message. Never waits more than 5 s. */
    private static String run(String nft, String script) throws IOException {
        Path output = Files.createTempFile("crac-dev-nft", ".out");
        try {
            Process p = new ProcessBuilder(nft, "-f", "-").redirectErrorStream(true).redirectOutput(output.toFile()).start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(script.getBytes(StandardCharsets.UTF_8));
            }
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("nft did not finish within 5 s");
            }
            String text = Files.readString(output).trim();
            if (p.exitValue() != 0) {
                throw new IOException("nft failed: " + text.lines().findFirst().orElse("exit " + p.exitValue()));
            }
            return text;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while nft ran");
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
