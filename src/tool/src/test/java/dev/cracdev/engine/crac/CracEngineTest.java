package dev.cracdev.engine.crac;

import dev.cracdev.engine.JvmCommand;
import dev.cracdev.engine.LaunchConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The exact command lines of the crac engine, and how it recognises a finished image. */
class CracEngineTest {
    @TempDir
    Path tmp;

    @Test
    void theTemplateCheckpointsIntoTheNewImageAndLeavesOrgCracToTheJdk() {
        Path image = tmp.resolve("base.building-1");
        LaunchConfig cfg = new LaunchConfig(Path.of("/jdk/bin/java"), List.of("-Xmx512m"), List.of(Path.of("/lib/fw.jar")),
                List.of(Path.of("/app/classes")), Path.of("/cd/runtime.jar"), tmp, tmp.resolve("state"));
        List<String> cmd = JvmCommand.build(cfg, "crac", CracEngine.templateOptions(image), "t0ken");
        assertEquals(List.of("/jdk/bin/java", "-XX:CRaCCheckpointTo=" + image, "-XX:-UsePerfData",
                "-Djava.system.class.loader=dev.cracdev.runtime.CracDevClassLoader", "-Dcracdev.framework=/lib/fw.jar",
                "-Dcracdev.app=/app/classes", "-Dcracdev.mode=crac", "-Dcracdev.classlist=" + tmp.resolve("state/classes.txt"),
                "-Dcracdev.token=t0ken", "-Xmx512m", "-cp", "/cd/runtime.jar", "dev.cracdev.runtime.Boot"), cmd);
    }

    @Test
    void theRestorePassesOnlyRestoreSettableFlagsAndTheGenerationAsAProperty() {
        List<String> user = List.of("-Xmx1g", "-XX:+UseSerialGC", "-XX:CRaCEngine=warp", "-XX:+UnlockExperimentalVMOptions",
                "-Dfoo=bar", "-XX:CRaCCheckpointTo=/elsewhere", "-javaagent:x.jar");
        List<String> cmd = CracEngine.restoreCommand(Path.of("/jdk/bin/java"), user, Path.of("/img/base"),
                Path.of("/img/work/crac-scratch"), "go gen=3 main=app.Main");
        assertEquals(List.of("/jdk/bin/java", "-XX:CRaCRestoreFrom=/img/base", "-XX:CRaCCheckpointTo=/img/work/crac-scratch",
                "-XX:CRaCEngine=warp", "-XX:+UnlockExperimentalVMOptions", "-Dcracdev.go=go gen=3 main=app.Main"), cmd);
        for (String option : cmd.subList(1, cmd.size())) {
            assertTrue(!option.startsWith("-XX:") || CracEngine.RESTORE_SETTABLE.contains(CracEngine.flagName(option)), option);
        }
    }

    @Test
    void flagNamesAreReadFromEveryFlagForm() {
        assertEquals("UseSerialGC", CracEngine.flagName("-XX:+UseSerialGC"));
        assertEquals("UsePerfData", CracEngine.flagName("-XX:-UsePerfData"));
        assertEquals("CRaCEngine", CracEngine.flagName("-XX:CRaCEngine=warp"));
    }

    @Test
    void anImageIsCompleteOnlyOnceCriuSaidSoAndTheLegacyEngineWroteCppath() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("img"));
        Files.writeString(dir.resolve("pages-1.img"), "x");
        Files.writeString(dir.resolve("dump4.log"), "(00.1) Dumping task 1\n");
        assertNotNull(CracImage.missing(dir, false), "the dump is still being written");
        Files.writeString(dir.resolve("dump4.log"), "(00.1) Dumping task 1\n(00.2) Dumping finished successfully\n");
        assertNull(CracImage.missing(dir, false));
        assertNotNull(CracImage.missing(dir, true), "the legacy criuengine writes cppath after criu exits");
        Files.writeString(dir.resolve("cppath"), "/img");
        assertNull(CracImage.missing(dir, true));

        Path warp = Files.createDirectories(tmp.resolve("warp"));
        assertNotNull(CracImage.missing(warp, false));
        Files.writeString(warp.resolve("core.img"), "x");
        assertNull(CracImage.missing(warp, false));
    }

    @Test
    void aProcessNamingTheImageDirectoryIsAWriter() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("writer"));
        Process helper = new ProcessBuilder("sh", "-c", "sleep 30", "criuengine", dir.toString()).start();
        try {
            assertTrue(CracImage.writerAlive(dir));
        } finally {
            helper.destroyForcibly().waitFor();
        }
        assertFalse(CracImage.writerAlive(dir));
    }
}
