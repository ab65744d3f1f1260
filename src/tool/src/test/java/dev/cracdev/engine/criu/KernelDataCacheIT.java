package dev.cracdev.engine.criu;

import dev.cracdev.engine.Host;
import dev.cracdev.it.CriuRequirement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The CRIU scripts/install-criu builds, with the kernel data cache crac-dev keeps for it (real CRIU). */
class KernelDataCacheIT {
    private static Path criu;
    private static Path dir;

    @BeforeAll
    static void requireOurCriu() {
        criu = CriuRequirement.require().binary();
        dir = KernelDataCache.directory(criu);
        assumeTrue(dir != null || System.getenv("CI") != null, criu + " is not the criu scripts/install-criu builds");
        assertNotNull(dir, "scripts/install-criu builds criu with its cache in " + criu.getParent().resolve("run"));
    }

    private static String bootId() throws Exception {
        return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
    }

    /** What criu says about the cache when it starts. */
    private static String criuCheckLog(Path tmp) throws Exception {
        Path log = tmp.resolve("check.log");
        Host.output(List.of(criu.toString(), "check", "-v4", "-o", log.toString()), 20);
        return Files.readString(log);
    }

    @Test
    void afterTheProbeCriuLoadsItsKernelDataFromTheCacheOfThisBoot(@TempDir Path tmp) throws Exception {
        Path cache = dir.resolve(KernelDataCache.FILE);
        assertTrue(Files.exists(cache) && Files.size(cache) > 0, "the probe left a cache in " + dir);
        assertEquals(bootId(), Files.readString(dir.resolve("boot-id")).strip());
        assertTrue(criuCheckLog(tmp).contains("Loaded kdat cache from " + cache), "criu reads " + cache);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cache)));
    }

    @Test
    void aCacheFromAnotherBootIsReplacedByOneCriuAccepts(@TempDir Path tmp) throws Exception {
        Path cache = dir.resolve(KernelDataCache.FILE);
        byte[] stale = new byte[(int) Files.size(cache)];
        Files.write(cache, stale);
        Files.writeString(dir.resolve("boot-id"), "a-boot-before-this-one\n");

        assertTrue(KernelDataCache.prepare(criu));

        assertFalse(Arrays.equals(stale, Files.readAllBytes(cache)), "the stale cache is replaced");
        assertEquals(bootId(), Files.readString(dir.resolve("boot-id")).strip());
        assertTrue(criuCheckLog(tmp).contains("Loaded kdat cache from " + cache), "criu accepts the new cache");
        try (var left = Files.list(dir)) {
            assertArrayEquals(new String[] {"boot-id", KernelDataCache.FILE},
                    left.map(p -> p.getFileName().toString()).sorted().toArray(String[]::new), "nothing else left in " + dir);
        }
    }
}
