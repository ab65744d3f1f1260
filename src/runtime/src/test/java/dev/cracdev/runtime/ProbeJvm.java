package dev.cracdev.runtime;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs a probe class in a JVM of its own, with the runtime's classes: what a generation's JVM would do. */
final class ProbeJvm {
    private ProbeJvm() {
    }

    static List<String> command(Class<?> probe, List<String> jvmOpts, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmOpts);
        cmd.addAll(List.of("-cp", String.join(File.pathSeparator, location(probe), location(Boot.class)), probe.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Its stdout and stderr, once it ended with status 0 (asserted, within 60 s). */
    static String run(Class<?> probe, List<String> jvmOpts, String... args) throws Exception {
        Process p = new ProcessBuilder(command(probe, jvmOpts, args)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    /** The words of the first output line that starts with {@code word}. */
    static String[] line(String out, String word) {
        return out.lines().filter(l -> l.startsWith(word + " ")).findFirst().orElseThrow(() -> new AssertionError(out)).split(" ");
    }

    /** In the probe: this JVM's resident size. */
    static long residentKb() throws Exception {
        return Long.parseLong(Files.readString(Path.of("/proc/self/statm")).split(" ")[1]) * 4;
    }

    private static String location(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
