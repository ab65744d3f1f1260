package dev.cracdev.it;

import dev.cracdev.engine.criu.Criu;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Ending the supervisor in every way a user can, and the watcher's batching, with real processes. */
class SupervisorLifecycleIT {
    private static final Duration T = Duration.ofSeconds(60);

    @TempDir
    Path tmp;
    SupervisorProcess supervisor;

    @AfterEach
    void cleanUp() throws Exception {
        if (supervisor != null) {
            supervisor.close();
        }
    }

    private TestProject startOn(String engine, String... extra) throws Exception {
        TestProject project = TestProject.create(tmp.resolve("project"));
        List<String> args = new java.util.ArrayList<>(List.of("start", "--engine", engine, "-cp", project.frameworkJar.toString(),
                "--app", project.appRoot.toString(), "--ready-log", "^hello ", "--images", tmp.resolve("images").toString()));
        args.addAll(List.of(extra));
        args.add("app.Main");
        supervisor = SupervisorProcess.start(project.dir, args);
        supervisor.await("\\[crac-dev\\] gen 1 ready in", T);
        return project;
    }

    @ParameterizedTest(name = "{0} of the supervisor ({1} engine) leaves no child behind")
    @CsvSource({"INT, standby", "TERM, standby", "KILL, standby", "INT, criu", "TERM, criu", "KILL, criu"})
    void endingTheSupervisorLeavesNoChildBehind(String signal, String engine) throws Exception {
        assumeTrue(!engine.equals("criu") || Criu.probe().usable() || System.getenv("CI") != null,
                "criu engine not usable here: " + Criu.probe().reason());
        startOn(engine, "--verbose");
        if (engine.equals("standby")) {
            supervisor.await("standby reached the boundary", 2, T); // a parked standby exists too
        }
        List<ProcessHandle> children = supervisor.descendants();
        assertFalse(children.isEmpty());
        supervisor.signal(signal);
        assertTrue(supervisor.waitFor(T), "the supervisor ends on SIG" + signal);
        // After SIGKILL nobody cleans up: the children notice their stdin closed and exit within 2 s.
        ProcessAssertions.assertAllGone(children, Duration.ofSeconds(signal.equals("KILL") ? 3 : 5));
    }

    @Test
    void aBurstOf200WritesWithinTheQuietPeriodIsOneRestart() throws Exception {
        TestProject project = startOn("standby", "--quiet-period", "400");
        Path dir = project.appRoot.resolve("static");
        Files.createDirectories(dir);
        for (int i = 0; i < 200; i++) {
            Files.writeString(dir.resolve("file-" + (i % 20) + ".txt"), "write " + i);
        }
        supervisor.await("\\[crac-dev\\] gen 2 ready in .* changes \\(", T);
        Thread.sleep(1500); // a second restart would come within one quiet period; give it several
        assertEquals(0, supervisor.count("gen 3 "), "one burst, one restart");
        assertEquals(1, supervisor.count("^hello v1 .* gen=2 "));
    }

    @Test
    void settingsAndTheMainClassCanComeFromCracDevProperties() throws Exception {
        TestProject project = TestProject.create(tmp.resolve("project"));
        Files.writeString(project.dir.resolve("crac-dev.properties"), String.join("\n",
                "classpath=" + project.frameworkJar, "app=target/classes", "engine=cold", "ready-log=^hello ",
                "images=" + tmp.resolve("images"), "main=app.Main", ""));
        supervisor = SupervisorProcess.start(project.dir, List.of("start"));
        supervisor.await("\\[crac-dev\\] engine cold: as requested", T);
        supervisor.await("\\[crac-dev\\] gen 1 ready in", T);
    }

    @Test
    void aSecondSupervisorForTheSameProjectIsRefusedWithOneSentence() throws Exception {
        TestProject project = startOn("standby");
        SupervisorProcess second = SupervisorProcess.run(project.dir, List.of("start", "--engine", "cold", "-cp",
                project.frameworkJar.toString(), "--app", project.appRoot.toString(), "--images", tmp.resolve("images2").toString(),
                "app.Main"));
        assertEquals(1, second.exitCode(), second.output());
        assertTrue(second.output().contains("[crac-dev] [ERROR] another crac-dev supervisor is already running for this project"),
                second.output());
        assertTrue(supervisor.process().isAlive(), "the first one is untouched");
    }

    @Test
    void aBuildThatDeletesItsOutputFirstKeepsTheRunningGenerationUntilTheMainClassIsBack() throws Exception {
        TestProject project = startOn("standby");
        long firstPid = Long.parseLong(supervisor.await("\\[crac-dev\\] gen 1 ready in .* pid (\\d+)$", T).group(1));
        ProcessHandle first = ProcessHandle.of(firstPid).orElseThrow();
        Files.delete(project.appRoot.resolve("app/Main.class")); // mvn compile cleaning stale classes
        supervisor.await("\\[crac-dev\\] app.Main is missing from the app roots \\(a build in progress\\?\\): waiting", T);
        assertTrue(first.isAlive(), "the running generation is kept while the build runs");
        project.writeApp("v2", "");
        supervisor.await("^hello v2 .* gen=2 ", T);
        assertEquals(0, supervisor.count("ERROR"), "no failed generation on the way");
    }

    @Test
    void typingRsRestartsByHand() throws Exception {
        startOn("standby");
        supervisor.type("rs");
        supervisor.await("\\[crac-dev\\] gen 2 ready in .* manual restart", T);
    }
}
