package dev.cracdev.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The engine contract: what every engine must do, run against each one by a subclass (as rails/spring
 * and devtools test every implementation with one suite). Real supervisor, real JVMs, real files.
 */
public abstract class AbstractEngineContractIT {
    protected static final Duration T = Duration.ofSeconds(60);
    /** The app's hello line: version, token, conf, counter, gen, pid. */
    protected static final String HELLO = "hello (v\\d+) token=(\\w+) conf=(\\S+) counter=(\\d+) gen=(\\d+) pid=(\\d+)";

    @TempDir
    protected Path tmp;
    protected TestProject project;
    protected SupervisorProcess supervisor;

    /** The engine under test. */
    protected abstract String engine();

    /** Extra options every start of this engine needs (e.g. the JDK). */
    protected List<String> engineArgs() {
        return List.of();
    }

    /**
     * Waits for the {@code nth} framework phase done ahead of a change with the recorded class list (so
     * its initializers ran), as started with {@code --verbose}; engines without one skip the test.
     */
    protected void awaitFrameworkPhaseAhead(int nth) throws Exception {
        assumeTrue(false, "the " + engine() + " engine does no framework phase ahead of a change");
    }

    @BeforeEach
    void createProject() throws Exception {
        project = TestProject.create(tmp.resolve("project"));
    }

    @AfterEach
    void stopSupervisor() throws Exception {
        if (supervisor != null) {
            supervisor.close();
        }
        ProcessAssertions.assertNothingLeftIn(tmp);
    }

    protected SupervisorProcess startSupervisor(String... extra) throws Exception {
        List<String> withReadiness = new ArrayList<>(List.of("--ready-log", "^hello "));
        withReadiness.addAll(List.of(extra));
        return startSupervisorWithoutReadyOption(withReadiness.toArray(new String[0]));
    }

    /** As {@link #startSupervisor}, with the automatic readiness probe (no {@code --ready-*} option). */
    protected SupervisorProcess startSupervisorWithoutReadyOption(String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("start", "--engine", engine(), "-cp", project.frameworkJar.toString(),
                "--app", project.appRoot.toString(), "--images", tmp.resolve("images").toString()));
        args.addAll(engineArgs());
        args.addAll(List.of(extra));
        args.add("app.Main");
        supervisor = SupervisorProcess.start(project.dir, args);
        return supervisor;
    }

    protected Matcher awaitHello(String version, int gen) throws InterruptedException {
        return supervisor.await("hello " + version + " .* gen=" + gen + " ", T);
    }

    @Test
    void changedAppCodeRunsInANewProcessWithFreshAppState() throws Exception {
        startSupervisor();
        Matcher first = supervisor.await(HELLO, T);
        assertEquals("v1", first.group(1));
        long firstPid = Long.parseLong(supervisor.await("\\[crac-dev\\] gen 1 ready in .* pid (\\d+)$", T).group(1));
        // a handle taken while it runs: it knows the start time, so a reused PID does not look alive
        ProcessHandle firstProcess = ProcessHandle.of(firstPid).orElseThrow();

        project.writeApp("v2", "");
        Matcher second = supervisor.await("hello v2 .*", T);
        second = java.util.regex.Pattern.compile(HELLO).matcher(second.group());
        assertTrue(second.find());
        assertEquals("1", second.group(4), "app-phase state is fresh in every generation");
        long secondPid = Long.parseLong(supervisor.await("\\[crac-dev\\] gen " + second.group(5)
                + " ready in .* change.* pid (\\d+)$", T).group(1));
        assertNotEquals(firstPid, secondPid, "each generation is a new process");
        // its hooks ran before the new one started; its exit may still be finishing in the background
        ProcessAssertions.assertAllGone(List.of(firstProcess), Duration.ofSeconds(5));
    }

    @Test
    void frameworkInitializerSeesTheCurrentAppFileInEveryGeneration() throws Exception {
        startSupervisor();
        supervisor.await("hello v1 token=\\w+ conf=conf-1 ", T);
        supervisor.await("\\[crac-dev\\] gen 1 ready in", T);
        for (int i = 2; i <= 3; i++) {
            Files.writeString(project.appRoot.resolve("fw.conf"), "conf-" + i);
            supervisor.await("hello v1 token=\\w+ conf=conf-" + i + " ", T);
            supervisor.await("\\[crac-dev\\] gen " + i + " ready in", T);
        }
    }

    /**
     * fw.FwConfig's initializer reads fw.conf from the app root and runs before the boundary (the image
     * holds its result). Changing fw.conf gives one generation in a fresh JVM while the image (or standby)
     * is remade; a class-only change then uses it again. The template never reboots for it.
     */
    @Test
    void aFileReadByAFrameworkInitializerChangedStartsOneFreshJvmAndTheImageFollows() throws Exception {
        startSupervisor("--verbose");
        supervisor.await("hello v1 token=\\w+ conf=conf-1 ", T);
        supervisor.await("\\[crac-dev\\] gen 1 ready in", T);
        awaitFrameworkPhaseAhead(1);

        Files.writeString(project.appRoot.resolve("fw.conf"), "conf-2");
        supervisor.await("\\[crac-dev\\] fw.conf changed \\(read by the framework phase\\): gen 2 starts in a fresh JVM", T);
        supervisor.await("hello v1 token=\\w+ conf=conf-2 .*gen=2 ", T);
        supervisor.await("\\[crac-dev\\] gen 2 ready in .* fresh JVM", T);
        awaitFrameworkPhaseAhead(2);

        project.writeApp("v2", "");
        supervisor.await("hello v2 token=\\w+ conf=conf-2 .*gen=3 ", T);
        supervisor.await("\\[crac-dev\\] gen 3 ready in .* (restore|release)", T);
        assertEquals(1, supervisor.count("starts in a fresh JVM"), "only the generation after the file changed");
        assertEquals(0, supervisor.count("rebooting the template"), "initializers that read files need no reboot");
    }

    @Test
    void appThatThrowsOnBootLeavesTheSupervisorRunningAndRecoversOnTheNextChange() throws Exception {
        startSupervisor();
        supervisor.await("\\[crac-dev\\] gen 1 ready in", T);

        project.writeApp("v2", "if (args.length == 0) throw new IllegalStateException(\"boom on boot\");");
        supervisor.await("IllegalStateException: boom on boot", T);
        supervisor.await("\\[crac-dev\\] \\[ERROR\\] gen 2 exited with status 1 before it was ready", T);
        assertTrue(supervisor.process().isAlive(), "the supervisor keeps running");

        project.writeApp("v3", "");
        supervisor.await("hello v3 ", T);
        supervisor.await("\\[crac-dev\\] gen 3 ready in", T);
    }

    /**
     * Without a readiness option a main that threw is not "quiet output": the generation failed, at once (a
     * restored JVM's end used to be seen 2 s late, and the probe found it ready meanwhile).
     */
    @Test
    void aMainThatThrowsIsNotReadyAndItsEndIsSeenAtOnce() throws Exception {
        writeMainThatThrows("");
        startSupervisorWithoutReadyOption();
        supervisor.await("IllegalStateException: boom on boot", T);
        long thrownAt = System.nanoTime();
        supervisor.await("\\[crac-dev\\] \\[ERROR\\] gen 1 exited with status 1 before it was ready", T);
        long seenMs = (System.nanoTime() - thrownAt) / 1_000_000;
        assertEquals(0, supervisor.count("gen 1 ready in"), "a generation whose main threw was called ready");
        // criu restore outlived its JVM by 2 s (its page server's subshell): now it is ended with the JVM
        assertTrue(seenMs < 1500, "the end of a generation whose main threw was seen only after " + seenMs + " ms");
    }

    /** As under plain java, its other threads keep the JVM running after main threw: still not ready. */
    @Test
    void aMainThatThrowsWhileItsThreadsRunOnIsNotReady() throws Exception {
        writeMainThatThrows("""
                new Thread(() -> {
                    try {
                        Thread.sleep(3000); // twice the automatic probe's quiet window
                        System.out.println("still running after main threw");
                        Thread.sleep(120_000);
                    } catch (InterruptedException e) {
                        // stopped
                    }
                }).start();
                """);
        startSupervisorWithoutReadyOption();
        supervisor.await("^still running after main threw$", T);
        assertEquals(0, supervisor.count("gen 1 ready in"), "a generation whose main threw was called ready");
        supervisor.await("\\[crac-dev\\] \\[WARN\\] gen 1 is still not ready 15 s after its start \\(crac-dev keeps waiting\\): "
                + "its main threw \\(stack trace above\\) and other threads keep the JVM running, listening on no port", T);
    }

    /** An app.Main that runs {@code first}, prints "hello boom" and throws. */
    private void writeMainThatThrows(String first) throws Exception {
        project.writeMain("""
                package app;
                public class Main {
                    public static void main(String[] args) {
                        %s
                        System.out.println("hello boom");
                        throw new IllegalStateException("boom on boot");
                    }
                }
                """.formatted(first));
    }

    @Test
    void stdoutAndStderrOfEachGenerationAreForwardedLive() throws Exception {
        startSupervisor();
        // The app is still running (its server thread never ends) when both lines arrive.
        supervisor.await("^hello v1 ", T);
        supervisor.await("^stderr v1 gen=1$", T);
        project.writeApp("v2", "");
        supervisor.await("^stderr v2 gen=2$", T);
        assertEquals(1, supervisor.count("^stderr v1 "), "output is not repeated");
    }

    @Test
    void anAppCannotForgeRuntimeEventsNorStopItsOwnOutputWithAMarkerLine() throws Exception {
        project.writeMain("""
                package app;
                public class Main {
                    public static void main(String[] args) {
                        System.out.println("@crac-dev@ exiting status=3");
                        System.out.println("@crac-dev@ x=%zz");
                        for (int i = 1; i <= 5000; i++) { // more than a pipe holds: a dead reader blocks the app
                            System.out.println("line " + i + " after the marker lines");
                        }
                        System.out.println("hello forged");
                        new Thread(() -> { try { new java.util.concurrent.CountDownLatch(1).await(); } catch (InterruptedException e) { } }).start();
                    }
                }
                """);
        startSupervisor();
        supervisor.await("^@crac-dev@ exiting status=3$", T);
        supervisor.await("^@crac-dev@ x=%zz$", T);
        supervisor.await("^line 5000 after the marker lines$", T);
        supervisor.await("\\[crac-dev\\] gen 1 ready in", T);
        SupervisorProcess status = SupervisorProcess.run(project.dir, List.of("status", "--json"));
        assertTrue(status.output().contains("\"state\":\"RUNNING\"") && status.output().contains("\"ready\":true"),
                status.output());
        assertEquals(5000, supervisor.count("^line \\d+ after the marker lines$"));
        assertEquals(0, supervisor.count("gen 1 exited"));
    }

    @Test
    void sigtermOfTheSupervisorEndsEveryChild() throws Exception {
        startSupervisor();
        supervisor.await("\\[crac-dev\\] gen 1 ready in", T);
        List<ProcessHandle> children = supervisor.descendants();
        assertFalse(children.isEmpty(), "the supervisor has children to end");
        supervisor.signal("TERM");
        assertTrue(supervisor.waitFor(T), "the supervisor exits on SIGTERM");
        ProcessAssertions.assertAllGone(children, Duration.ofSeconds(5));
    }
}
