package dev.cracdev.runtime;

import org.junit.jupiter.api.BeforeAll;
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

/**
 * The read of a parked generation's memory, in a real JVM: the same code reads a restored JVM's memory (the
 * criu engine's integration tests see it there), and it must never fault in a page that was not resident.
 */
class PrefaultTest {
    private record Run(long touched, String outcome, long residentBeforeKb, long residentAfterKb) {
    }

    @BeforeAll
    static void linuxOnly() {
        assumeTrue(Files.exists(Path.of("/proc/self/pagemap")), "needs Linux /proc/self/pagemap");
    }

    private static Run run(List<String> jvmOpts, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m"));
        cmd.addAll(jvmOpts);
        cmd.addAll(List.of("-cp", String.join(File.pathSeparator,
                Path.of(PrefaultProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString(),
                Path.of(Prefault.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString()),
                PrefaultProbe.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        String[] f = out.lines().filter(l -> l.startsWith("result ")).findFirst().orElseThrow(() -> new AssertionError(out)).split(" ");
        return new Run(Long.parseLong(f[1]), f[2].replace('_', ' '), Long.parseLong(f[3]), Long.parseLong(f[4]));
    }

    @Test
    void readsEveryResidentPageAndFaultsInNoOther() throws Exception {
        // a large heap reserved and committed (-Xms) but mostly never touched: reading it would add ~400 MB
        Run r = run(List.of("-Xms512m"));
        assertEquals("done", r.outcome(), r.toString());
        assertTrue(r.touched() >= 64 * 256, "the 64 MB the probe holds were read at least: " + r);
        assertTrue(r.residentAfterKb() - r.residentBeforeKb() < 8 * 1024,
                "the resident size did not grow (only resident pages are read): " + r);
    }

    @Test
    void offReadsNothing() throws Exception {
        Run r = run(List.of("-Dcracdev.prefault=off"));
        assertEquals("off", r.outcome(), r.toString());
        assertEquals(0, r.touched());
    }

    @Test
    void aReleasedGenerationDoesNotStartReading() throws Exception {
        Run r = run(List.of(), "stopped");
        assertEquals("stopped", r.outcome(), r.toString());
        assertEquals(0, r.touched());
    }
}
