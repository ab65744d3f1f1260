package dev.cracdev.runtime;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The heap trim before a ready image, in a real JVM (G1, as a generation on a server-class machine runs). */
class HeapTrimTest {
    private record Numbers(long committedBefore, long residentBefore, long committedAfter, long residentAfter,
                           String maxFreeRatioAfter) {
    }

    private static Numbers run(String... jvmOpts) throws Exception {
        List<String> opts = new ArrayList<>(List.of("-XX:+UseG1GC", "-Xms16m", "-Xmx512m"));
        opts.addAll(List.of(jvmOpts));
        String out = ProbeJvm.run(HeapTrimProbe.class, opts);
        String[] before = ProbeJvm.line(out, "before");
        String[] after = ProbeJvm.line(out, "after");
        return new Numbers(Long.parseLong(before[1]), Long.parseLong(before[2]), Long.parseLong(after[1]),
                Long.parseLong(after[2]), ProbeJvm.line(out, "flags")[1]);
    }

    @Test
    void theTrimGivesTheFreedHeapBackToTheOsAndPutsTheFlagsBack() throws Exception {
        assumeTrue(Files.exists(Path.of("/proc/self/statm")), "needs Linux /proc for the resident size");
        Numbers n = run();
        assertTrue(n.committedBefore() >= 64, "the probe grew the heap: " + n);
        assertTrue(n.committedAfter() <= n.committedBefore() / 2, "committed heap halved at least: " + n);
        assertTrue(n.residentAfter() <= n.residentBefore() - (n.committedBefore() - n.committedAfter()) / 2,
                "at least half of the uncommitted heap left the resident set: " + n);
        assertEquals("70", n.maxFreeRatioAfter(), "MaxHeapFreeRatio put back to its default");
    }

    @Test
    void trimOffLeavesTheHeapAsItIs() throws Exception {
        Numbers n = run("-Dcracdev.trim=off");
        assertTrue(n.committedBefore() >= 64, "the probe grew the heap: " + n);
        assertTrue(n.committedAfter() >= n.committedBefore() - 1, "nothing uncommitted: " + n);
    }
}
