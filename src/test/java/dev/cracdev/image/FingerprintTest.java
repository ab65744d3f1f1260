package dev.cracdev.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class FingerprintTest {
    @TempDir
    Path tmp;

    private Fingerprint of(Path jar, List<String> jvmOptions) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path runtime = tmp.resolve("runtime.jar");
        if (!Files.exists(runtime)) {
            Files.writeString(runtime, "runtime");
        }
        return Fingerprint.of(java, "17", jvmOptions, List.of(jar), List.of(tmp.resolve("classes")), "1.0", runtime, "criu");
    }

    @Test
    void aJarRewrittenWithTheSameSizeButOtherContentChangesTheFingerprintAndIsNamed() throws Exception {
        Path jar = tmp.resolve("dep.jar");
        Files.writeString(jar, "AAAA");
        Fingerprint before = of(jar, List.of());
        assertEquals(before.id(), of(jar, List.of()).id(), "stable for the same inputs");
        Files.writeString(jar, "BBBB");
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 2000));
        Fingerprint after = of(jar, List.of());
        assertNotEquals(before.id(), after.id());
        assertEquals("framework entry " + jar.toAbsolutePath() + " changed", after.whatChangedSince(before.inputs()));
        assertNull(after.whatChangedSince(after.inputs()));
    }

    @Test
    void jvmOptionsArePartOfTheFingerprint() throws Exception {
        Path jar = tmp.resolve("dep.jar");
        Files.writeString(jar, "x");
        Fingerprint small = of(jar, List.of("-Xmx256m"));
        Fingerprint big = of(jar, List.of("-Xmx1g"));
        assertNotEquals(small.id(), big.id());
        assertEquals("the JVM options changed (now: -Xmx1g)", big.whatChangedSince(small.inputs()));
    }
}
