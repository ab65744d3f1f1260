package dev.cracdev.runtime;

import dev.cracdev.protocol.ChildProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.ToolProvider;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The runtime's side of a CRaC checkpoint, run in a real JVM whose {@code jdk.crac.Core} is a stand-in
 * that behaves as openjdk/crac's Core#checkpointRestore1 documents: restore-time properties are set,
 * then a failing afterRestore surfaces as RestoreException; a failed checkpoint as CheckpointException.
 */
class CracCheckpointTest {
    @TempDir
    Path tmp;

    private static final String FAKE_CORE = """
            package jdk.crac;
            public class Core {
                public static void checkpointRestore() throws CheckpointException, RestoreException {
                    if (System.getProperty("fake.go") == null) {
                        CheckpointException e = new CheckpointException();
                        e.addSuppressed(new RuntimeException("FD /tmp/x.log left open"));
                        throw e;
                    }
                    System.setProperty("cracdev.go", System.getProperty("fake.go")); // restore-time -D, applied first
                    RestoreException e = new RestoreException();
                    e.addSuppressed(new IllegalStateException("pool could not reconnect"));
                    throw e;
                }
            }
            """;

    private record Run(int status, String out, String err) {
    }

    private Run run(String... props) throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src/jdk/crac"));
        Files.writeString(src.resolve("Core.java"), FAKE_CORE);
        Files.writeString(src.resolve("CheckpointException.java"), "package jdk.crac; public class CheckpointException extends Exception {}");
        Files.writeString(src.resolve("RestoreException.java"), "package jdk.crac; public class RestoreException extends Exception {}");
        Path classes = tmp.resolve("fake-jdk-crac");
        try (var files = Files.list(src)) {
            List<String> args = new java.util.ArrayList<>(List.of("-d", classes.toString()));
            files.forEach(f -> args.add(f.toString()));
            assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null, args.toArray(new String[0])));
        }
        String cp = String.join(File.pathSeparator, classes.toString(), location(CracCheckpointProbe.class),
                location(CracCheckpoint.class), location(ChildProtocol.class));
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.add("-D" + ChildProtocol.TOKEN_PROPERTY + "=probe-token");
        cmd.addAll(List.of(props));
        cmd.addAll(List.of("-cp", cp, CracCheckpointProbe.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectOutput(tmp.resolve("out").toFile()).redirectError(tmp.resolve("err").toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Run(p.exitValue(), Files.readString(tmp.resolve("out"), StandardCharsets.UTF_8),
                Files.readString(tmp.resolve("err"), StandardCharsets.UTF_8));
    }

    private static String location(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    @Test
    void aFailingAfterRestoreLeavesTheRestoredGenerationRunningAndSaysWhy() throws Exception {
        Run r = run("-Dfake.go=" + ChildProtocol.encode(ChildProtocol.GO, "gen", "3", "main", "app.Main"));
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("generation 3 goes on"), r.out());
        assertTrue(r.err().contains("afterRestore") && r.err().contains("pool could not reconnect"), r.err());
    }

    @Test
    void aFailedCheckpointIsStillRefusedWithItsCauses() throws Exception {
        Run r = run();
        assertEquals(ChildProtocol.EXIT_REFUSED, r.status(), r.out() + r.err());
        assertTrue(r.out().contains(ChildProtocol.MARKER + "probe-token " + ChildProtocol.REFUSED) && r.out().contains("x.log"), r.out());
    }
}
