package dev.cracdev.runtime;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Before a CRIU checkpoint: collect the garbage and give the freed heap back to the OS, so the image holds
 * the live data only. A restore costs per page it fills (~15–19 µs a first touch on the VMs we measured):
 * on the example app a G1 heap of 200 MB committed holds ~35 MB live, and this takes the JVM's resident
 * memory from ~310 MB to ~195 MB. The free-ratio flags are lowered only for this collection and put back
 * at once, so a restored generation grows its heap as any JVM does. {@code -Dcracdev.trim=off} (a
 * {@code --jvm-opt}) turns it off.
 */
final class HeapTrim {
    private static final Path STATM = Path.of("/proc/self/statm");
    private static final long SETTLE_MAX_MS = 1500;
    private static final long PAGES_PER_MB = 256;

    private HeapTrim() {
    }

    /** Collects and shrinks the heap, then waits (≤1.5 s) for the uncommit to reach the OS; returns the ms. */
    static long trim() {
        if ("off".equals(System.getProperty("cracdev.trim"))) {
            return 0;
        }
        long t0 = System.nanoTime();
        long committedBefore = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
        long residentBefore = resident();
        collect(0, 10);
        if (ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted() < committedBefore) {
            awaitResidentSettled(residentBefore);
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /**
     * A full collection with the heap's free ratios (%) set for it alone, then put back: the collector sizes the
     * heap between them. A JVM without these manageable flags gets a plain full collection.
     */
    static void collect(int minFreeRatio, int maxFreeRatio) {
        HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        String min = null;
        String max = null;
        try {
            min = vm.getVMOption("MinHeapFreeRatio").getValue();
            max = vm.getVMOption("MaxHeapFreeRatio").getValue();
            vm.setVMOption("MinHeapFreeRatio", Integer.toString(minFreeRatio)); // first: max may not drop below it
            vm.setVMOption("MaxHeapFreeRatio", Integer.toString(maxFreeRatio));
        } catch (RuntimeException e) {
            // a JVM without these manageable flags: a plain collection still frees what it can
        }
        try {
            System.gc();
        } finally {
            try {
                if (max != null) {
                    vm.setVMOption("MaxHeapFreeRatio", max);
                }
                if (min != null) {
                    vm.setVMOption("MinHeapFreeRatio", min);
                }
            } catch (RuntimeException e) {
                // they were set a moment ago: cannot fail differently now
            }
        }
    }

    /**
     * G1 hands the shrunk regions back to the OS in its service thread, after the collection: wait until the
     * resident size has started to fall and then stops falling (no drop of 1 MB or more over 60 ms; other
     * threads may still grow it a little). On a busy machine that thread may start late: the quiet window only
     * counts once the first drop was seen.
     */
    private static void awaitResidentSettled(long residentBefore) {
        long deadline = System.nanoTime() + SETTLE_MAX_MS * 1_000_000;
        long windowStart = residentBefore; // a drop already done by the collection itself counts as the first
        boolean falling = false;
        int samples = 0;
        while (residentBefore >= 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            long now = resident();
            if (windowStart - now >= PAGES_PER_MB) {
                windowStart = now; // (still) falling: a new window
                falling = true;
                samples = 0;
            } else if (falling && ++samples == 3) {
                return;
            }
        }
    }

    /** Resident pages of this JVM, or -1 off Linux. */
    private static long resident() {
        try {
            String[] fields = Files.readString(STATM).split(" ");
            return Long.parseLong(fields[1]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
