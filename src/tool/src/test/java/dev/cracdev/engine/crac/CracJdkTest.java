package dev.cracdev.engine.crac;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Detection from -XX:+PrintFlagsFinal listings: JDK 17 and 25 captured here, a CRaC JDK 17 constructed from its flag table. */
class CracJdkTest {
    @TempDir
    Path tmp;

    private static String sample(String name) throws IOException {
        try (InputStream in = CracJdkTest.class.getResourceAsStream("/printflagsfinal/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private Path java() throws IOException {
        Path bin = tmp.resolve("jdk/bin");
        Files.createDirectories(bin);
        return bin.resolve("java");
    }

    @Test
    void plainJdk17And25AreNotCracJdksAndSayWhatToInstall() throws Exception {
        for (String jdk : new String[] {"jdk17.txt", "jdk25.txt"}) {
            String flags = sample(jdk);
            assertTrue(CracJdk.parseFlags(flags).containsKey("UseSerialGC"), "the listing parses: " + jdk);
            CracJdk.Probe p = CracJdk.probeNow(java(), flags, "Linux", true);
            assertFalse(p.cracJdk());
            assertFalse(p.usable());
            assertTrue(p.reason().contains("is not a CRaC JDK: it does not know -XX:CRaCCheckpointTo"), p.reason());
            assertTrue(p.fix().contains("Azul Zulu with CRaC"), p.fix());
        }
        assertTrue(CracJdk.probeNow(java(), sample("jdk25.txt"), "Linux", true).reason().contains("Temurin-25"));
    }

    @Test
    void aCracJdkOnLinuxIsUsableAndNamesItsEngine() throws Exception {
        CracJdk.Probe p = CracJdk.probeNow(java(), sample("crac-jdk17.txt"), "Linux", true);
        assertTrue(p.cracJdk());
        assertTrue(p.usable(), p.reason());
        assertEquals("criu", p.engine());
        assertTrue(p.reason().contains("Zulu17.50+19-CRaC-CA"), p.reason());
    }

    @Test
    void aCracJdkOnMacOsOnlySimulatesSoItIsNotUsable() throws Exception {
        CracJdk.Probe p = CracJdk.probeNow(java(), sample("crac-jdk17.txt"), "Mac OS X", false);
        assertTrue(p.cracJdk());
        assertFalse(p.usable());
        assertTrue(p.reason().contains("only simulate"), p.reason());
    }

    @Test
    void aBundledCriuThatIsNotSetuidRootNeedsTheFixWhenNotRoot() throws Exception {
        Path java = java();
        Path criu = tmp.resolve("jdk/lib/criu");
        Files.createDirectories(criu.getParent());
        Files.writeString(criu, "#!/bin/sh\n");
        Files.setPosixFilePermissions(criu, PosixFilePermissions.fromString("rwxr-xr-x"));
        CracJdk.Probe asUser = CracJdk.probeNow(java, sample("crac-jdk17.txt"), "Linux", false);
        assertFalse(asUser.usable());
        assertTrue(asUser.fix().contains("chmod u+s " + criu), asUser.fix());
        assertTrue(CracJdk.probeNow(java, sample("crac-jdk17.txt"), "Linux", true).usable(), "root needs no setuid");
    }
}
