package dev.cracdev.runtime;

import dev.cracdev.protocol.ChildProtocol;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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

    private static Run run(String... jvmOpts) throws Exception {
        List<String> opts = new ArrayList<>(List.of("-Xmx512m"));
        opts.addAll(List.of(jvmOpts));
        String[] f = ProbeJvm.line(ProbeJvm.run(PrefaultProbe.class, opts), "result");
        return new Run(Long.parseLong(f[1]), f[2].replace('_', ' '), Long.parseLong(f[3]), Long.parseLong(f[4]));
    }

    @Test
    void readsEveryResidentPageAndFaultsInNoOther() throws Exception {
        // a large heap reserved and committed (-Xms) but mostly never touched: reading it would add ~400 MB
        Run r = run("-Xms512m");
        assertEquals("done", r.outcome(), r.toString());
        assertTrue(r.touched() >= 64 * 256, "the 64 MB the probe holds were read at least: " + r);
        assertTrue(r.residentAfterKb() - r.residentBeforeKb() < 8 * 1024,
                "the resident size did not grow (only resident pages are read): " + r);
    }

    @Test
    void offReadsNothing() throws Exception {
        Run r = run("-Dcracdev.prefault=off");
        assertEquals("off", r.outcome(), r.toString());
        assertEquals(0, r.touched());
    }

    /** Through the control line, as the supervisor talks to a parked generation: once its go line came, nothing is read. */
    @Test
    @Timeout(60)
    void aReleasedGenerationDoesNotStartReading() throws Exception {
        Process p = new ProcessBuilder(ProbeJvm.command(PrefaultProbe.class,
                List.of("-D" + ChildProtocol.TOKEN_PROPERTY + "=probe-token"), "control"))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        ChildProtocol.Message answer = null;
        try (OutputStream in = p.getOutputStream();
             BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            in.write((ChildProtocol.encode(ChildProtocol.GO, "gen", "2") + "\n"
                    + ChildProtocol.encode(ChildProtocol.PREFAULT) + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
            String line;
            while (answer == null && (line = out.readLine()) != null) {
                ChildProtocol.Message m = ChildProtocol.receive(line, "probe-token").event();
                answer = m != null && m.word().equals(ChildProtocol.PREFAULTED) ? m : null;
            }
        } // stdin closed: the control line ends the probe
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertNotNull(answer, "the probe answered the prefault command");
        assertEquals("stopped", answer.get("outcome"));
        assertEquals("0", answer.get("pages"));
    }
}
