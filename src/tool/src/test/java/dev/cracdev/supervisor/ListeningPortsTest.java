package dev.cracdev.supervisor;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** This JVM's own listening socket and connections to it, found through /proc. */
class ListeningPortsTest {
    @Test
    void aListeningSocketOfTheProcessIsFoundAndAClosedOneIsNot() throws Exception {
        assumeTrue(java.nio.file.Files.isDirectory(java.nio.file.Path.of("/proc/self/fd")), "needs Linux /proc");
        long pid = ProcessHandle.current().pid();
        assumeTrue(ListeningPorts.first(pid).isEmpty(), "this test JVM already listens somewhere");
        try (ServerSocket server = new ServerSocket(0)) {
            assertEquals(OptionalInt.of(server.getLocalPort()), ListeningPorts.first(pid));
        }
        assertEquals(OptionalInt.empty(), ListeningPorts.first(pid));
        assertEquals(OptionalInt.empty(), ListeningPorts.first(Long.MAX_VALUE), "a process that does not exist");
    }

    /** A reset watches the sockets noted when the generation settled: each look must tell open from closed. */
    @Test
    void aNotedListenerListensUntilClosedEvenWhenItsDescriptorNumberIsReused() throws Exception {
        assumeTrue(java.nio.file.Files.isDirectory(java.nio.file.Path.of("/proc/self/fd")), "needs Linux /proc");
        long pid = ProcessHandle.current().pid();
        assumeTrue(ListeningPorts.first(pid).isEmpty(), "this test JVM already listens somewhere");
        ListeningPorts.Listener noted;
        try (ServerSocket server = new ServerSocket(0)) {
            List<ListeningPorts.Listener> found = ListeningPorts.listeners(List.of(pid, Long.MAX_VALUE));
            assertEquals(1, found.size(), found.toString());
            noted = found.get(0);
            assertTrue(noted.listens());
        }
        assertFalse(noted.listens(), "closed");
        // the next socket most likely gets the same descriptor number: it is another socket all the same
        try (ServerSocket next = new ServerSocket(0)) {
            assertFalse(noted.listens(), "closed, though its descriptor number may be in use again");
            List<ListeningPorts.Listener> now = ListeningPorts.listeners(List.of(pid));
            assertEquals(1, now.size(), now.toString());
            assertFalse(now.get(0).inode().equals(noted.inode()));
            assertTrue(now.get(0).listens());
        }
        assertEquals(List.of(), ListeningPorts.listeners(List.of(pid)));
    }

    @Test
    void aConnectionSinceTheSnapshotCountsUnlessItCameFromTheProbeSource() throws Exception {
        assumeTrue(java.nio.file.Files.isDirectory(java.nio.file.Path.of("/proc/self/net")), "needs Linux /proc");
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("0.0.0.0"))) {
            int port = server.getLocalPort();
            Set<String> before = ListeningPorts.connections();
            try (Socket probe = connectFrom(ReadinessProbe.PROBE_SOURCE, port)) {
                server.accept().close();
            }
            assertFalse(ListeningPorts.connectedSince(before, Set.of(port), ReadinessProbe.PROBE_SOURCE, false), "the probe's own");
            try (Socket outside = connectFrom("127.0.0.1", port)) {
                server.accept().close();
            }
            assertTrue(ListeningPorts.connectedSince(before, Set.of(port), ReadinessProbe.PROBE_SOURCE, false), "someone else's");
            assertFalse(ListeningPorts.connectedSince(ListeningPorts.connections(), Set.of(port), ReadinessProbe.PROBE_SOURCE, false),
                    "none since a new snapshot");
        }
    }

    /** The client closes first (curl does): the app's side is gone soon, the client's TIME_WAIT stays. */
    @Test
    void aLocalClientThatClosedFirstIsSeenByItsTimeWait() throws Exception {
        assumeTrue(java.nio.file.Files.isDirectory(java.nio.file.Path.of("/proc/self/net")), "needs Linux /proc");
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            int port = server.getLocalPort();
            Set<String> before = ListeningPorts.connections();
            for (String source : new String[] {ReadinessProbe.PROBE_SOURCE, "127.0.0.1"}) {
                Socket client = connectFrom(source, port);
                Socket accepted = server.accept();
                client.close();
                accepted.getInputStream().read(); // the client's FIN
                accepted.close(); // the app's side ends (LAST_ACK, then gone); the client's side waits (TIME_WAIT)
                assertEquals(!source.equals(ReadinessProbe.PROBE_SOURCE),
                        ListeningPorts.connectedSince(before, Set.of(port), ReadinessProbe.PROBE_SOURCE, false), "from " + source);
            }
        }
    }

    private static Socket connectFrom(String source, int port) throws java.io.IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(source, 0));
        s.connect(new InetSocketAddress("127.0.0.1", port));
        return s;
    }
}
