package dev.cracdev.runtime;

import java.nio.file.Files;
import java.nio.file.Path;

/** Run by {@link PrefaultTest} in a JVM of its own: holds ~64 MB, reads its memory, prints the numbers. */
public final class PrefaultProbe {
    static volatile Object sink;

    public static void main(String[] args) throws Exception {
        byte[][] held = new byte[64][];
        for (int i = 0; i < held.length; i++) {
            held[i] = new byte[1 << 20];
            java.util.Arrays.fill(held[i], (byte) 1); // resident
        }
        sink = held;
        if (args.length > 0 && args[0].equals("stopped")) {
            Prefault.stop();
        }
        long before = residentKb();
        Prefault.Result r = Prefault.run();
        long after = residentKb();
        System.out.println("result " + r.touched() + " " + r.outcome().replace(' ', '_') + " " + before + " " + after);
    }

    private static long residentKb() throws Exception {
        return Long.parseLong(Files.readString(Path.of("/proc/self/statm")).split(" ")[1]) * 4;
    }
}
