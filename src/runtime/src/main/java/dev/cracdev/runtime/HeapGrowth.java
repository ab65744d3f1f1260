package dev.cracdev.runtime;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * At the boundary, before CRIU checkpoints the JVM: starts G1's count of expensive young collections afresh, so
 * a generation's app phase allocates in the heap the JVM already holds instead of growing it.
 *
 * <p>Why: G1 grows the heap after a young collection once four recent ones went over its pause-time target
 * (a 1 % target while the heap is small against its maximum), and that count lives in the image. The
 * training's full collections make every collection after them look expensive, and a restored JVM's clock goes
 * on from the checkpoint (CRIU's time namespace), so they stay recent. An image checkpointed with the count at
 * three grew the heap by ~240 MB at the app phase's first young collection, every generation, and the app phase
 * then allocated in fresh memory: ~9,000 first touches, app phase 795 ms against 652 ms for an image taken with
 * a lower count (medians of 8 interleaved changes each, example app, AMD VM). The count only starts over when
 * G1 grows the heap. So: allocate short-lived garbage until a young collection grew the heap (at most
 * {@link #MAX_COLLECTIONS}), then collect fully with the heap's free ratios set so it keeps no more than its
 * resident part, which gives back the never-touched regions the growth (or one in the training) added, without
 * touching the count: G1 takes young regions from the top, and they would be fresh memory again. A generation's
 * one or two young collections then stay below the count (app phase 588 ms and 750-3,000 page faults, against
 * 597 ms for images of the lower count taken without it; medians, 2 images each, interleaved). G1 only. Not for a standby: its
 * clock runs on while it is parked, so the training's collections grow old as they should.
 * {@code -Dcracdev.growth=keep} (a {@code --jvm-opt}) leaves it as is.
 */
final class HeapGrowth {
    private static final int MAX_COLLECTIONS = 8;
    private static final int GARBAGE_CHUNK = 64 << 10;
    /** A young generation this large without a collection: stop (the heap is large; nothing to start over). */
    private static final long GARBAGE_PER_COLLECTION_MAX = 1L << 30;

    private static final Path SMAPS = Path.of("/proc/self/smaps");
    private static final Pattern MAPPING = Pattern.compile("([0-9a-f]+)-([0-9a-f]+) ");

    private static volatile Object sink;

    /** What it did: young collections, whether one grew the heap, its duration, or why it did nothing. */
    record Result(int collections, boolean grew, long ms, String skipped) {
        /** As the boundary event says it. */
        @Override
        public String toString() {
            return skipped != null ? skipped : collections + " collections" + (grew ? ", grew" : "") + ", " + ms + " ms";
        }
    }

    private HeapGrowth() {
    }

    /** Never throws: a sizing aid, the image is good without it. */
    static Result startCountAfresh() {
        try {
            return startCountAfreshOrFail();
        } catch (RuntimeException | OutOfMemoryError e) {
            return new Result(0, false, 0, "failed: " + e);
        }
    }

    private static Result startCountAfreshOrFail() {
        long t0 = System.nanoTime();
        if ("keep".equals(System.getProperty("cracdev.growth"))) {
            return new Result(0, false, 0, "kept (-Dcracdev.growth=keep)");
        }
        GarbageCollectorMXBean young = g1Young();
        if (young == null) {
            return new Result(0, false, 0, "not G1");
        }
        long committed = committed();
        int collections = 0;
        boolean grew = false;
        while (!grew && collections < MAX_COLLECTIONS) {
            if (!collectOnce(young)) { // the garbage is still there: a full collection sized by it would be wrong
                return new Result(collections, false, millisSince(t0), "no young collection within 1 GB of garbage");
            }
            collections++;
            grew = committed() > committed;
        }
        // back to no more than the part of it the JVM holds in memory: the regions the growth added (and any a growth
        // in the training added) were never touched, and young regions are taken from the top, where they are.
        // What stays counts in whole regions, so a sixth more than in use now.
        long resident = residentHeapBytes();
        long target = resident > 0 ? Math.min(committed, resident) : committed; // 0: huge pages, not counted as Rss
        long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 6 * 7;
        HeapTrim.collect(0, (int) Math.max(1, Math.min(100, 100 - (100 * used + target - 1) / target)));
        return new Result(collections, grew, millisSince(t0), null);
    }

    private static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** Allocates garbage until a young collection came; false if none did within {@link #GARBAGE_PER_COLLECTION_MAX}. */
    private static boolean collectOnce(GarbageCollectorMXBean young) {
        long count = young.getCollectionCount();
        for (long garbage = 0; young.getCollectionCount() == count && garbage < GARBAGE_PER_COLLECTION_MAX;
             garbage += GARBAGE_CHUNK) {
            sink = new byte[GARBAGE_CHUNK];
        }
        sink = null;
        return young.getCollectionCount() != count;
    }

    /** G1's young collections, or null under another collector. */
    static GarbageCollectorMXBean g1Young() {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc.getName().equals("G1 Young Generation")) {
                return gc;
            }
        }
        return null;
    }

    /**
     * The heap's resident bytes, from {@code /proc/self/smaps}: G1 reserves the maximum heap as one range, so the
     * heap is the run of adjacent mappings spanning exactly {@link Runtime#maxMemory()} (the first such run: a
     * neighbour of the same size as the heap's top part could be taken for it, and a wrong answer only sizes the
     * heap less well). Long.MAX_VALUE when it cannot be told (not Linux, or no such run).
     */
    static long residentHeapBytes() {
        try {
            // Latin-1: a mapped file's name need not be UTF-8, and only the numbers are read
            return residentHeapBytes(Files.readAllLines(SMAPS, StandardCharsets.ISO_8859_1), Runtime.getRuntime().maxMemory());
        } catch (IOException | RuntimeException e) {
            return Long.MAX_VALUE; // a sizing hint: without it the heap keeps what it had
        }
    }

    /** The resident bytes of the run of adjacent mappings in {@code smaps} that spans exactly {@code size}. */
    static long residentHeapBytes(List<String> smaps, long size) {
        ArrayDeque<long[]> run = new ArrayDeque<>(); // adjacent mappings: start, end, resident
        long runRss = 0;
        long[] current = null;
        for (String line : smaps) {
            Matcher m = MAPPING.matcher(line);
            if (m.lookingAt()) {
                current = new long[]{Long.parseUnsignedLong(m.group(1), 16), Long.parseUnsignedLong(m.group(2), 16), 0};
            } else if (current != null && line.startsWith("Rss:")) {
                current[2] = Long.parseLong(line.substring(4).trim().split("\\s+")[0]) * 1024;
                if (!run.isEmpty() && run.peekLast()[1] != current[0]) {
                    run.clear();
                    runRss = 0;
                }
                run.addLast(current);
                runRss += current[2];
                while (!run.isEmpty() && current[1] - run.peekFirst()[0] > size) {
                    runRss -= run.removeFirst()[2];
                }
                if (!run.isEmpty() && current[1] - run.peekFirst()[0] == size) {
                    return runRss;
                }
                current = null;
            }
        }
        return Long.MAX_VALUE;
    }

    private static long committed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
    }
}
