package dev.cracdev.it;

import dev.cracdev.engine.criu.Criu;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code crac-dev doctor} and the {@code auto} choice, on this machine and with a broken CRIU. */
class DoctorIT {
    @TempDir
    Path tmp;

    @Test
    void doctorReportsCriuUsableAndAutoPicksIt() throws Exception {
        assumeTrue(Criu.probe().usable() || System.getenv("CI") != null, "criu not usable here: " + Criu.probe().reason());
        SupervisorProcess doctor = SupervisorProcess.run(tmp, List.of("doctor"));
        assertEquals(0, doctor.exitCode(), doctor.output());
        assertTrue(doctor.output().contains("criu     usable     criu 4."), doctor.output());
        assertTrue(doctor.output().contains("standby  usable"), doctor.output());
        assertTrue(doctor.output().contains("auto     -> criu (chosen by auto: criu 4."), doctor.output());
        assertTrue(doctor.output().contains(Criu.lazyPages(Criu.probe().binary())
                ? "\nrestores lazy: the JVM runs while its memory is copied in (CRACDEV_CRIU_LAZY=off: eager)"
                : "\nrestores eager: the whole memory is filled before the JVM runs"), doctor.output());
        if (Criu.probe().binary().equals(Criu.INSTALLED)) {
            assertTrue(doctor.output().contains("\ncriu     kernel data cached for this boot in /usr/local/lib/crac-dev/run/criu.kdat"),
                    doctor.output());
        }
        SupervisorProcess eager = SupervisorProcess.run(tmp, List.of("doctor"), Map.of("CRACDEV_CRIU_LAZY", "off"));
        assertTrue(eager.output().contains("\nrestores eager: the whole memory is filled before the JVM runs (CRACDEV_CRIU_LAZY=off)"),
                eager.output());
        assertTrue(doctor.output().contains("\nport     while a ready image is taken, outside connections to the app's port "
                + "are refused: nftables (/usr/sbin/nft)"), doctor.output());
        assertTrue(doctor.output().matches("(?s).*\\nimages   \\S+: \\S+, (local|a network or shared filesystem); 32 MB written and synced in \\d+ ms.*"),
                doctor.output());
    }

    @Test
    void engineCracOnAPlainJdkExitsWithTheEnvironmentCodeAndSaysWhatToInstall() throws Exception {
        TestProject project = TestProject.create(tmp.resolve("project"));
        SupervisorProcess start = SupervisorProcess.run(project.dir, List.of("start", "--engine", "crac", "-cp",
                project.frameworkJar.toString(), "--app", project.appRoot.toString(), "app.Main"));
        assertEquals(3, start.exitCode(), start.output());
        assertEquals(1, start.lines().size(), start.output());
        String line = start.lines().get(0);
        assertTrue(line.startsWith("[crac-dev] [ERROR] engine crac cannot run here: "), line);
        assertTrue(line.contains(System.getProperty("java.home")) && line.contains("is not a CRaC JDK")
                && line.contains("install a CRaC JDK (Azul Zulu with CRaC"), line);
    }

    @Test
    void aCriuThatFailsItsCheckIsReportedWithTheFixAndAutoFallsBackToStandby() throws Exception {
        Path fake = tmp.resolve("criu");
        Files.writeString(fake, "#!/bin/sh\n[ \"$1\" = --version ] && { echo 'Version: 3.17'; exit 0; }\n"
                + "echo 'Error (criu/vdso.c:123): vdso: bad layout'; exit 1\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, String> env = Map.of("CRACDEV_CRIU", fake.toString());

        SupervisorProcess doctor = SupervisorProcess.run(tmp, List.of("doctor"), env);
        assertTrue(doctor.output().contains("criu     not usable criu 3.17 at " + fake + " fails `criu check`"), doctor.output());
        assertTrue(doctor.output().contains("fix: run scripts/install-criu as root"), doctor.output());
        assertTrue(doctor.output().contains("auto     -> standby"), doctor.output());

        TestProject project = TestProject.create(tmp.resolve("project"));
        SupervisorProcess start = SupervisorProcess.run(project.dir, List.of("start", "--engine", "criu", "-cp",
                project.frameworkJar.toString(), "--app", project.appRoot.toString(), "app.Main"), env);
        assertEquals(3, start.exitCode(), start.output());
        assertTrue(start.output().contains("[crac-dev] [ERROR] engine criu cannot run here: criu 3.17"), start.output());
    }
}
