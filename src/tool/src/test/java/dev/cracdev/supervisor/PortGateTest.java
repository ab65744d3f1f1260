package dev.cracdev.supervisor;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Real nftables rules on this machine's loopback (root; scripts/install-criu installs nft). */
class PortGateTest {
    @BeforeAll
    static void requireNft() {
        PortGate gate = PortGate.onThisMachine();
        if (!gate.available() && System.getenv("CI") != null) {
            fail("CI must test the port gate, but: " + gate.describe());
        }
        assumeTrue(gate.available(), gate.describe());
    }

    @Test
    void aHeldPortRefusesEveryoneButTheProbeSourceUntilReleased() throws Exception {
        try (ServerSocket server = new ServerSocket(0); PortGate gate = PortGate.onThisMachine()) {
            int port = server.getLocalPort();
            gate.hold(Set.of(port));
            assertThrows(ConnectException.class, () -> connect(null, port), "refused at once, not left to time out");
            connect(ReadinessProbe.PROBE_SOURCE, port);
            gate.release();
            connect(null, port);
            gate.hold(Set.of(port));
            gate.close();
            connect(null, port);
            assertFalse(tables().contains("crac-dev-" + ProcessHandle.current().pid() + "\n"), "closing drops the table");
            gate.hold(Set.of(port));
            connect(null, port); // a closed gate holds nothing any more (the supervisor is ending)
        }
    }

    /**
     * A client that keeps trying a held port (a browser, a test's loop) is refused each time, but for a moment
     * each attempt is a socket in SYN_SENT: that is no visit, so it must not cost the generation its image.
     */
    @Test
    void attemptsRefusedByAHeldPortAreNoVisit() throws Exception {
        try (ServerSocket server = new ServerSocket(0); PortGate gate = PortGate.onThisMachine()) {
            int port = server.getLocalPort();
            Set<String> before = ListeningPorts.connections();
            gate.hold(Set.of(port));
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger refused = new AtomicInteger();
            Thread client = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        connect(null, port);
                    } catch (IOException e) {
                        refused.incrementAndGet();
                    }
                }
            });
            client.start();
            try {
                for (int i = 0; i < 300; i++) {
                    assertFalse(ListeningPorts.connectedSince(before, Set.of(port), ReadinessProbe.PROBE_SOURCE, true),
                            "check " + i + " after " + refused.get() + " refused attempts");
                }
            } finally {
                stop.set(true);
                client.join();
            }
            assertTrue(refused.get() > 100, "the client kept trying: " + refused.get());
            gate.release();
            connect(null, port);
            server.accept().close();
            assertTrue(ListeningPorts.connectedSince(before, Set.of(port), ReadinessProbe.PROBE_SOURCE, true), "once let in");
        }
    }

    @Test
    void theTableOfASupervisorThatIsGoneIsDroppedByTheNext() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        String stale = "crac-dev-" + gone.pid();
        nft("add table inet " + stale);
        try (ServerSocket server = new ServerSocket(0); PortGate gate = PortGate.onThisMachine()) {
            gate.hold(Set.of(server.getLocalPort()));
            assertFalse(tables().contains(stale + "\n"), tables());
            assertTrue(tables().contains("crac-dev-" + ProcessHandle.current().pid() + "\n"), tables());
        } finally {
            nft("delete table inet " + stale + " 2>/dev/null; true");
        }
    }

    private static void connect(String source, int port) throws IOException {
        try (Socket s = new Socket()) {
            if (source != null) {
                s.bind(new InetSocketAddress(source, 0));
            }
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        }
    }

    private static String tables() throws Exception {
        return nft("list tables") + "\n";
    }

    private static String nft(String command) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", "nft " + command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}
