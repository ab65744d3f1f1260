package dev.cracdev.runtime;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/**
 * Run by {@link HeapGrowthTest} in a JVM of its own (G1): holds 32 MB, allocates and collects fully as the
 * training does, starts G1's count afresh (unless kept), then allocates through three young collections as a
 * generation's start would.
 * Prints the heap committed before, right after, and after those collections, and at the end its resident part (MB).
 */
public final class HeapGrowthProbe {
    static volatile Object sink;

    public static void main(String[] args) throws Exception {
        byte[][] held = new byte[32 * 256][]; // 32 MB in small objects, as an app's live data
        for (int i = 0; i < held.length; i++) {
            held[i] = new byte[4000];
        }
        for (int i = 0; i < 200 * 16; i++) {
            sink = new byte[64 << 10]; // 200 MB of garbage: the heap grows, as the training's starts grow it
        }
        for (int i = 0; i < 3; i++) {
            System.gc(); // as the training's proof that its app is gone
        }
        long before = committedMb();
        HeapGrowth.Result r = HeapGrowth.startCountAfresh();
        long after = committedMb();
        GarbageCollectorMXBean young = HeapGrowth.g1Young();
        long maxDuringStart = after;
        for (long end = young == null ? 0 : young.getCollectionCount() + 3; young != null && young.getCollectionCount() < end; ) {
            sink = new byte[64 << 10];
            maxDuringStart = Math.max(maxDuringStart, committedMb());
        }
        System.out.println("result " + r.collections() + " " + r.grew() + " " + before + " " + after + " " + maxDuringStart
                + " " + (r.skipped() == null ? "-" : r.skipped().replace(' ', '_')) + " " + (HeapGrowth.residentHeapBytes() >> 20));
        java.lang.ref.Reference.reachabilityFence(held);
    }

    private static long committedMb() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted() >> 20;
    }
}
