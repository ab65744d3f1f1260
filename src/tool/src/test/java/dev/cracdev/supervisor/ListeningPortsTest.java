package dev.cracdev.supervisor;

import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** This JVM's own listening socket, found through /proc. */
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
}
