package dev.cracdev.runtime;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * In a generation restored ahead and parked: reads one byte of every page this process holds in memory, so
 * the app phase, when the go line comes, runs at the speed of a JVM that never was restored.
 *
 * <p>Why: a restore gives the JVM the same memory in fresh mappings (CRIU fills an area, then moves it into
 * place; a lazy restore copies pages in from the kernel's side). On a virtual machine whose hypervisor keeps
 * shadow page tables (PVM, where we measured this), the first access to each page through such a mapping
 * costs a trip to the host, ~5 µs, counted as the JVM's own user time: the example's app phase took ~30 %
 * more CPU in a restored JVM than in a standby JVM trained the same way, while a test program that read
 * its memory once after the restore ran its work as fast as the process it was dumped from. Elsewhere the
 * reads cost a few milliseconds. Only resident pages are touched (from {@code /proc/self/pagemap}): a page
 * the image did not hold stays unallocated, so the resident size does not grow. While a lazy restore still
 * copies pages in (its areas carry the {@code um} flag in {@code /proc/self/smaps}) it waits, up to
 * {@link #LAZY_WAIT_MS}. It stops as soon as the generation is released: the app must not wait for it.
 * {@code -Dcracdev.prefault=off} (a {@code --jvm-opt}) turns it off.
 */
final class Prefault {
    private static final Path MAPS = Path.of("/proc/self/maps");
    private static final Path SMAPS = Path.of("/proc/self/smaps");
    private static final String PAGEMAP = "/proc/self/pagemap";
    private static final int PAGE_SHIFT = 12;
    private static final long PRESENT = 1L << 63;
    /** Memory whose pagemap entries are read at once (4096 pages, 8 bytes each). */
    private static final long CHUNK_BYTES = 4096L << PAGE_SHIFT;
    private static final long LAZY_WAIT_MS = 20_000;

    private static volatile boolean stopped;

    /** What a run did: pages read, its duration, and its outcome (done, stopped, off, or why not). */
    record Result(long touched, long ms, String outcome) {
    }

    private Prefault() {
    }

    /** The go line came: a running prefault stops at its next page. */
    static void stop() {
        stopped = true;
    }

    static Result run() {
        long t0 = System.nanoTime();
        if ("off".equals(System.getProperty("cracdev.prefault"))) {
            return new Result(0, 0, "off");
        }
        sun.misc.Unsafe memory = unsafe();
        if (memory == null) {
            return new Result(0, 0, "no access to memory reads (sun.misc.Unsafe)");
        }
        try {
            if (!awaitLazyRestore(t0)) {
                return new Result(0, millisSince(t0), stopped ? "stopped" : "a lazy restore was still copying pages in");
            }
            long touched = 0;
            try (RandomAccessFile pagemap = new RandomAccessFile(PAGEMAP, "r")) {
                for (Mapping m : readableMappings()) {
                    for (long from = m.start(); from < m.end() && !stopped; from += CHUNK_BYTES) {
                        touched += touchResident(memory, pagemap, from, Math.min(m.end(), from + CHUNK_BYTES));
                    }
                }
            }
            return new Result(touched, millisSince(t0), stopped ? "stopped" : "done");
        } catch (IOException | RuntimeException e) {
            return new Result(0, millisSince(t0), "cannot read this process's memory map: " + e.getMessage());
        }
    }

    private static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** Reads the first byte of each resident page in [from, to); returns how many. */
    private static long touchResident(sun.misc.Unsafe memory, RandomAccessFile pagemap, long from, long to) throws IOException {
        int pages = (int) ((to - from) >>> PAGE_SHIFT);
        byte[] entries = new byte[pages * Long.BYTES];
        pagemap.seek((from >>> PAGE_SHIFT) * Long.BYTES);
        pagemap.readFully(entries);
        ByteBuffer b = ByteBuffer.wrap(entries).order(ByteOrder.nativeOrder());
        long touched = 0;
        int sum = 0;
        for (int i = 0; i < pages && !stopped; i++) { // checked per page: once released, the app has the CPU back at once
            if ((b.getLong(i * Long.BYTES) & PRESENT) != 0) {
                sum += memory.getByte(from + ((long) i << PAGE_SHIFT)); // resident a moment ago: mapped and readable
                touched++;
            }
        }
        sink = sum;
        return touched;
    }

    private static volatile int sink; // keeps the reads from being optimized away

    private record Mapping(long start, long end) {
    }

    /**
     * Readable mappings of this process: anonymous memory (heap, metaspace, code cache, stacks) and files.
     * Not the kernel's special areas, nor devices (a read there may have side effects).
     */
    private static List<Mapping> readableMappings() throws IOException {
        List<Mapping> out = new ArrayList<>();
        for (String line : Files.readAllLines(MAPS)) {
            String[] f = line.trim().split("\\s+", 6);
            if (f.length < 5 || f[1].charAt(0) != 'r') {
                continue;
            }
            String path = f.length == 6 ? f[5] : "";
            if (path.startsWith("[v") || path.startsWith("/dev/")) { // [vvar], [vdso], [vsyscall]; devices
                continue;
            }
            int dash = f[0].indexOf('-');
            out.add(new Mapping(Long.parseUnsignedLong(f[0], 0, dash, 16), Long.parseUnsignedLong(f[0], dash + 1, f[0].length(), 16)));
        }
        return out;
    }

    /** Waits while userfaultfd still tracks missing pages of this process (a lazy restore filling it); false if it still does. */
    private static boolean awaitLazyRestore(long t0) throws IOException {
        while (!stopped && lazyAreas()) {
            if (millisSince(t0) > LAZY_WAIT_MS) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return !stopped;
    }

    private static boolean lazyAreas() throws IOException {
        try (var lines = Files.lines(SMAPS)) {
            return lines.anyMatch(l -> l.startsWith("VmFlags:") && (" " + l.substring(8) + " ").contains(" um "));
        }
    }

    /** The one JDK way to read a byte at an address on Java 17 ({@code jdk.unsupported}); null if refused. */
    private static sun.misc.Unsafe unsafe() {
        try {
            Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (sun.misc.Unsafe) f.get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
