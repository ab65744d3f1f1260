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
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    private Fingerprint withEnv(java.util.Map<String, String> env) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path jar = tmp.resolve("dep.jar");
        if (!Files.exists(jar)) {
            Files.writeString(jar, "x");
        }
        return Fingerprint.of(java, "17", List.of(), List.of(jar), List.of(tmp.resolve("classes")), "1.0", jar, "criu",
                tmp, env);
    }

    @Test
    void theEnvironmentIsPartOfTheFingerprintAsHashesNeverValues() throws Exception {
        java.util.Map<String, String> env = new java.util.HashMap<>(java.util.Map.of(
                "SPRING_PROFILES_ACTIVE", "dev", "DB_PASSWORD", "hunter2", "SHLVL", "1", "_", "/usr/bin/mvn"));
        Fingerprint dev = withEnv(env);
        assertTrue(dev.inputs().values().stream().noneMatch(v -> v.contains("hunter2") || v.contains("dev")),
                "values are never stored: " + dev.inputs());
        env.put("SPRING_PROFILES_ACTIVE", "prod");
        Fingerprint prod = withEnv(env);
        assertNotEquals(dev.id(), prod.id());
        assertEquals("environment variable SPRING_PROFILES_ACTIVE changed", prod.whatChangedSince(dev.inputs()));
        env.put("NEW_FLAG", "1");
        assertEquals("environment variable NEW_FLAG was set", withEnv(env).whatChangedSince(prod.inputs()));
        env.remove("NEW_FLAG");
        env.remove("DB_PASSWORD");
        assertEquals("environment variable DB_PASSWORD was removed", withEnv(env).whatChangedSince(prod.inputs()));
    }

    @Test
    void shellAndSessionBookkeepingIsNotPartOfTheFingerprint() throws Exception {
        java.util.Map<String, String> env = new java.util.HashMap<>(java.util.Map.of("HOME", "/root", "SHLVL", "1", "_", "/a"));
        Fingerprint before = withEnv(env);
        env.putAll(java.util.Map.of("SHLVL", "2", "_", "/b", "OLDPWD", "/x", "PWD", "/y", "TERM_SESSION_ID", "w0t0p0",
                "WINDOWID", "42", "SSH_AUTH_SOCK", "/tmp/agent", "TMUX_PANE", "%1", "CRACDEV_SOCKET", "/tmp/s"));
        assertEquals(before.id(), withEnv(env).id(), before.whatChangedSince(withEnv(env).inputs()));
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
