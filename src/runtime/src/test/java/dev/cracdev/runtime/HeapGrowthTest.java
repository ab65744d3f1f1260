package dev.cracdev.runtime;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** G1's count of expensive young collections started afresh at the boundary, in real JVMs. */
class HeapGrowthTest {
    private static String[] run(String... jvmOpts) throws Exception {
        return ProbeJvm.line(ProbeJvm.run(HeapGrowthProbe.class, List.of(jvmOpts)), "result");
    }

    @Test
    void theHeapGrowsOnceAtTheBoundaryIsGivenBackAndDoesNotGrowInTheStartAfter() throws Exception {
        String[] r = run("-XX:+UseG1GC", "-Xms16m", "-Xmx1g");
        String said = String.join(" ", r);
        assertEquals("true", r[2], "a young collection grew the heap, which starts G1's count afresh: " + said);
        assertTrue(Long.parseLong(r[4]) <= Long.parseLong(r[3]), "the full collection gave the growth back: " + said);
        assertEquals(Long.parseLong(r[4]), Long.parseLong(r[5]), "three young collections after it did not grow the heap: " + said);
        assertTrue(Long.parseLong(r[7]) >= 24 && Long.parseLong(r[7]) < 1024,
                "the heap's resident part, found in smaps, holds the ~31 MB held and is not the whole reserved heap: " + said);
    }

    /** The heap in smaps: the run of adjacent mappings spanning the maximum heap, whatever lies around it. */
    @Test
    void theHeapsResidentPartIsTheRunSpanningTheMaximumHeap() {
        List<String> smaps = List.of(
                "7f0000000000-7f0080000000 ---p 00000000 00:00 0", "Size: 2097152 kB", "Rss: 0 kB", // larger than the heap
                "0fe000000-100000000 rw-p 00000000 00:00 0", "Size: 32768 kB", "Rss: 16384 kB", // just below it
                "100000000-104000000 rw-p 00000000 00:00 0", "Size: 65536 kB", "Rss: 60000 kB",
                "104000000-13f000000 ---p 00000000 00:00 0", "Size: 966656 kB", "Rss: 0 kB",
                "13f000000-140000000 rw-p 00000000 00:00 0", "Size: 16384 kB", "Rss: 100 kB",
                "7f1000000000-7f1000001000 r--p 00000000 08:01 42 /usr/lib/x.so", "Size: 4 kB", "Rss: 4 kB");
        assertEquals(60100L * 1024, HeapGrowth.residentHeapBytes(smaps, 1L << 30));
        assertEquals(Long.MAX_VALUE, HeapGrowth.residentHeapBytes(smaps, 3L << 30), "no run spans 3 GB");
        assertEquals(0, HeapGrowth.residentHeapBytes(List.of("100000000-140000000 rw-p 00000000 00:00 0", "Rss: 0 kB"),
                1L << 30), "a heap on huge pages shows no Rss: the caller keeps the committed size then");
    }

    @Test
    void keptOrAnotherCollectorLeavesTheHeapAlone() throws Exception {
        assertEquals("kept_(-Dcracdev.growth=keep)", run("-XX:+UseG1GC", "-Xmx1g", "-Dcracdev.growth=keep")[6]);
        assertEquals("not_G1", run("-XX:+UseSerialGC", "-Xmx1g")[6]);
    }
}
