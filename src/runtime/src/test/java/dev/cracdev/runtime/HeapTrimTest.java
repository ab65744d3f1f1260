package dev.cracdev.runtime;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The heap trim before a ready image, in a real JVM (G1, as a generation on a server-class machine runs). */
class HeapTrimTest {
    private record Numbers(long committedBefore, long residentBefore, long committedAfter, long residentAfter,
                           String maxFreeRatioAfter) {
    }

    private static Numbers run(String... jvmOpts) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseG1GC", "-Xms16m", "-Xmx512m"));
        cmd.addAll(List.of(jvmOpts));
        cmd.addAll(List.of("-cp", String.join(File.pathSeparator,
                Path.of(HeapTrimProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString(),
                Path.of(HeapTrim.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString()),
                HeapTrimProbe.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        String[] before = line(out, "before");
        String[] after = line(out, "after");
        return new Numbers(Long.parseLong(before[1]), Long.parseLong(before[2]), Long.parseLong(after[1]),
                Long.parseLong(after[2]), line(out, "flags")[1]);
    }

    private static String[] line(String out, String word) {
        return out.lines().filter(l -> l.startsWith(word + " ")).findFirst().orElseThrow(() -> new AssertionError(out)).split(" ");
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
