package dev.cracdev.it;

import dev.cracdev.engine.criu.Criu;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
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
        ProcessAssertions.assertNothingLeftIn(tmp);
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
        // After SIGKILL nobody cleans up: the JVMs notice their stdin closed and exit within 2 s; a lazy
        // restore's page-server wrapper outlives its restore by up to 2 s more (see CriuEngine.lazy).
        ProcessAssertions.assertAllGone(children, Duration.ofSeconds(5));
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

    /** A --ready-url on the wrong port: one line, once, says what the probe sees and where the app listens. */
    @Test
    void aReadyUrlThatNeverAnswersIsNamedWithThePortTheAppListensOn() throws Exception {
        TestProject project = TestProject.create(tmp.resolve("project"));
        project.writeMain("""
                package app;
                public class Main {
                    public static void main(String[] args) throws Exception {
                        java.net.ServerSocket server = new java.net.ServerSocket(0);
                        System.out.println("hello listening on " + server.getLocalPort());
                        server.accept(); // keeps the JVM up: nobody connects
                    }
                }
                """);
        int nobody;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            nobody = free.getLocalPort();
        }
        supervisor = SupervisorProcess.start(project.dir, List.of("start", "--engine", "standby", "-cp",
                project.frameworkJar.toString(), "--app", project.appRoot.toString(), "--images", tmp.resolve("images").toString(),
                "--ready-url", "http://127.0.0.1:" + nobody + "/health", "app.Main"));
        String appPort = supervisor.await("^hello listening on (\\d+)$", T).group(1);
        supervisor.await("\\[crac-dev\\] \\[WARN\\] gen 1 is still not ready 15 s after its start \\(crac-dev keeps waiting\\): "
                + "--ready-url http://127.0.0.1:" + nobody + "/health refuses connections, while the app listens on port "
                + appPort + ": is the URL right\\?$", T);
        assertEquals(0, supervisor.count("gen 1 ready in"));
    }

    /** A change while a generation starts: that generation is said to be stopped, not skipped silently. */
    @Test
    void aGenerationReplacedBeforeItWasReadyIsSaidSo() throws Exception {
        TestProject project = startOn("standby");
        project.writeApp("v2", "System.out.println(\"slow start\"); Thread.sleep(60_000);");
        supervisor.await("^slow start$", T);
        project.writeApp("v3", "");
        supervisor.await("\\[crac-dev\\] gen 2 stopped before it was ready: the next generation replaces it$", T);
        supervisor.await("\\[crac-dev\\] gen 3 ready in", T);
        assertEquals(0, supervisor.count("gen 1 stopped before it was ready"), "gen 1 was ready");
    }

    @Test
    void startOutsideAProjectSaysHowToStartIt() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("not-a-project"));
        SupervisorProcess outside = SupervisorProcess.run(empty, List.of("start", "--images", tmp.resolve("images").toString()));
        assertEquals(2, outside.exitCode(), outside.output());
        assertTrue(outside.output().contains("this is not a Maven project (no pom.xml): start crac-dev in your project's"
                + " directory, or pass -cp JARS --app DIR MAIN_CLASS"), outside.output());
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
        Files.writeString(project.appRoot.resolve("app/messages.properties"), "a=b\n"); // the build goes on
        Thread.sleep(1500); // a batch of its own (quiet period 100 ms)
        project.writeApp("v2", "");
        supervisor.await("^hello v2 .* gen=2 ", T);
        assertEquals(0, supervisor.count("ERROR"), "no failed generation on the way");
        assertEquals(1, supervisor.count("app.Main is missing from the app roots"), "said once per build, not per batch");
    }

    /**
     * The generation a change replaces stops as soon as the build wrote a class, while the quiet period runs: its
     * shutdown hooks overlap the wait (~40-100 ms a change for a Spring app) instead of following it.
     */
    @Test
    void aWrittenClassStopsTheRunningGenerationWhileTheQuietPeriodRuns() throws Exception {
        TestProject project = TestProject.create(tmp.resolve("project"));
        supervisor = SupervisorProcess.start(project.dir, List.of("start", "--engine", "standby", "--quiet-period", "6000",
                "-cp", project.frameworkJar.toString(), "--app", project.appRoot.toString(), "--ready-log", "^hello ",
                "--images", tmp.resolve("images").toString(), "app.Main"));
        long firstPid = Long.parseLong(supervisor.await("\\[crac-dev\\] gen 1 ready in .* pid (\\d+)$", T).group(1));
        ProcessHandle first = ProcessHandle.of(firstPid).orElseThrow();
        project.writeApp("v2", "");
        ProcessAssertions.assertAllGone(List.of(first), Duration.ofSeconds(4));
        assertEquals(0, supervisor.count("gen 2 ready in"), "stopped before the quiet period ended: " + supervisor.output());
        supervisor.await("\\[crac-dev\\] gen 2 ready in .* · 1 change \\(Main.class\\) · stop \\d+ ms during the quiet period · ", T);
        supervisor.await("^hello v2 .* gen=2 ", T);
    }

    @Test
    void typingRsRestartsByHand() throws Exception {
        startOn("standby");
        supervisor.type("rs");
        supervisor.await("\\[crac-dev\\] gen 2 ready in .* manual restart", T);
        assertEquals(0, supervisor.count("type rs \\+ Enter"), "stdin is a pipe here (a script's): no hint in its output");
    }

    /** Started from a developer's shell (a terminal): the first ready says how to restart by hand, once. */
    @Test
    void onATerminalTheFirstReadySaysHowToRestartByHandOnce() throws Exception {
        assumeTrue(SupervisorProcess.canFakeATerminal(), "no script(1) here to give crac-dev a pseudo-terminal");
        TestProject project = TestProject.create(tmp.resolve("project"));
        supervisor = SupervisorProcess.startOnATerminal(project.dir, List.of("start", "--engine", "standby",
                "-cp", project.frameworkJar.toString(), "--app", project.appRoot.toString(), "--ready-log", "^hello ",
                "--images", tmp.resolve("images").toString(), "app.Main"));
        supervisor.await("\\[crac-dev\\] gen 1 ready in", T);
        supervisor.await("\\[crac-dev\\] type rs \\+ Enter to restart by hand, Ctrl-C to stop crac-dev", T);
        supervisor.type("rs");
        supervisor.await("\\[crac-dev\\] gen 2 ready in .* manual restart", T);
        assertEquals(1, supervisor.count("type rs \\+ Enter"), supervisor.output());
        assertEquals(0, SupervisorProcess.run(project.dir, List.of("stop")).exitCode()); // script(1) ends with it
        assertTrue(supervisor.waitFor(Duration.ofSeconds(20)), "the terminal's process ended with the supervisor");
    }

    @ParameterizedTest(name = "run with a main that throws fails fast ({0} engine)")
    @CsvSource({"standby", "criu"})
    void runFailsFastWithOneSentenceWhenTheAppCannotStart(String engine) throws Exception {
        assumeTrue(!engine.equals("criu") || Criu.probe().usable() || System.getenv("CI") != null,
                "criu engine not usable here: " + Criu.probe().reason());
        TestProject project = TestProject.create(tmp.resolve("project"));
        project.writeApp("v1", "if (true) throw new IllegalStateException(\"boom on boot\");");
        long t0 = System.nanoTime();
        SupervisorProcess run = SupervisorProcess.run(project.dir, List.of("run", "--engine", engine, "-cp",
                project.frameworkJar.toString(), "--app", project.appRoot.toString(), "--ready-log", "^hello ",
                "--images", tmp.resolve("images").toString(), "--main", "app.Main", "--", "echo", "never runs"));
        long seconds = (System.nanoTime() - t0) / 1_000_000_000;
        assertEquals(1, run.exitCode(), run.output());
        assertTrue(seconds < 10, "run ended after " + seconds + " s");
        assertTrue(run.output().contains("[crac-dev] [ERROR] the app never became ready: generation 1 exited with status 1 "
                + "before it was ready"), run.output());
        assertFalse(run.output().contains("never runs"));
        assertEquals(List.of(), run.process().descendants().filter(ProcessHandle::isAlive).toList());
    }

    @Test
    void waitStartedBeforeTheSupervisorReturnsOnceTheFirstGenerationIsReady() throws Exception {
        TestProject project = TestProject.create(tmp.resolve("project"));
        SupervisorProcess wait = SupervisorProcess.start(project.dir, List.of("wait", "--timeout", "60"));
        // no supervisor yet: it keeps waiting (it used to fail at once with "no crac-dev supervisor is running")
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(wait.process()::isAlive);
        supervisor = SupervisorProcess.start(project.dir, List.of("start", "--engine", "standby", "-cp",
                project.frameworkJar.toString(), "--app", project.appRoot.toString(), "--ready-log", "^hello ",
                "--images", tmp.resolve("images").toString(), "app.Main"));
        assertTrue(wait.waitFor(T), "wait returned");
        assertEquals(0, wait.exitCode(), wait.output());
        assertTrue(wait.output().matches("generation 1 ready in .*"), wait.output());
    }

    @Test
    void waitAskedWhileAGenerationStartsReturnsWhenThatGenerationIsReady() throws Exception {
        TestProject project = startOn("standby");
        Path gate = tmp.resolve("gate");
        try (FileChannel held = FileChannel.open(gate, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock = held.lock();
            // gen 2 starts until the test lets it go: it blocks on the lock the test holds
            project.writeApp("v2", "try (var ch = java.nio.channels.FileChannel.open(java.nio.file.Path.of(\"" + gate
                    + "\"), java.nio.file.StandardOpenOption.WRITE)) { ch.lock().release(); }");
            await().atMost(T).until(() -> SupervisorProcess.run(project.dir, List.of("status", "--json")).output()
                    .matches(".*\"generation\":2,.*\"ready\":false.*"));
            SupervisorProcess wait = SupervisorProcess.start(project.dir, List.of("wait", "--timeout", "30"));
            await().atMost(T).until(() -> connected(wait.process())); // its request is with the supervisor
            lock.release();
            assertTrue(wait.waitFor(T), "wait returned");
            assertEquals(0, wait.exitCode(), wait.output());
            assertTrue(wait.output().matches("generation 2 ready in .*"), wait.output());
        }
    }

    /** Whether the process has a socket open (a control client blocked on its reply). */
    private static boolean connected(Process p) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + p.pid() + "/fd"))) {
            return fds.anyMatch(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith("socket:");
                } catch (IOException e) {
                    return false; // closed meanwhile
                }
            });
        }
    }

    /** No --ready-* option: a server whose main never returns is ready when it listens, and says so. */
    @Test
    void withoutAReadyOptionAServerWhoseMainNeverReturnsIsReadyWhenItListens() throws Exception {
        TestProject project = TestProject.create(tmp.resolve("project"));
        project.writeMain("""
                package app;
                public class Main {
                    public static void main(String[] args) throws Exception {
                        System.out.println("conf=" + fw.FwConfig.VALUE);
                        try (java.net.ServerSocket server = new java.net.ServerSocket(0)) {
                            System.out.println("serving on " + server.getLocalPort());
                            server.accept(); // main never returns
                        }
                    }
                }
                """);
        startWithoutAReadyOption(project);
        String port = supervisor.await("^serving on (\\d+)$", T).group(1);
        supervisor.await("\\[crac-dev\\] gen 1 ready in .* · ready: listening on port " + port + " · pid \\d+$", T);
        supervisor.await("class list: [1-9]\\d* new framework classes", T); // recorded, so the next standby preloads them
    }

    /** No --ready-* option, no port, main never returns: ready once its output went quiet. */
    @Test
    void withoutAReadyOptionAWorkerIsReadyWhenItsOutputGoesQuiet() throws Exception {
        TestProject project = TestProject.create(tmp.resolve("project"));
        project.writeMain("""
                package app;
                public class Main {
                    public static void main(String[] args) throws Exception {
                        System.out.println("working");
                        new java.util.concurrent.CountDownLatch(1).await(); // main never returns
                    }
                }
                """);
        startWithoutAReadyOption(project);
        supervisor.await("^working$", T);
        supervisor.await("\\[crac-dev\\] gen 1 ready in .* · ready: output quiet · pid \\d+$", T);
    }

    /**
     * The whole chain with no --ready-* option and a main that blocks: the generation is found ready, its
     * framework classes are recorded, the next template preloads them (criu: the base image is rebuilt), and a
     * change releases the generation prepared ahead instead of starting one from scratch.
     */
    @ParameterizedTest(name = "a blocking main with no ready option still gets a prepared next generation ({0} engine)")
    @CsvSource({"standby", "criu"})
    void aBlockingMainWithoutAReadyOptionGetsItsClassesRecordedAndTheNextGenerationPrepared(String engine) throws Exception {
        assumeTrue(!engine.equals("criu") || Criu.probe().usable() || System.getenv("CI") != null,
                "criu engine not usable here: " + Criu.probe().reason());
        TestProject project = TestProject.create(tmp.resolve("project"));
        project.writeMain(blockingMain("one"));
        supervisor = SupervisorProcess.start(project.dir, List.of("start", "--engine", engine, "--verbose",
                "-cp", project.frameworkJar.toString(), "--app", project.appRoot.toString(),
                "--images", tmp.resolve("images").toString(), "app.Main"));
        supervisor.await("^word=one conf=", T);
        supervisor.await("\\[crac-dev\\] gen 1 ready in .* · ready: output quiet · pid \\d+$", T);
        supervisor.await("class list: [1-9]\\d* new framework classes", T);
        if (engine.equals("criu")) {
            supervisor.await("base image ready in .* [1-9]\\d* classes preloaded", T);
        }
        String prepared = engine.equals("criu") ? "restored ahead" : "standby parked";
        await().atMost(T).until(() -> SupervisorProcess.run(project.dir, List.of("status", "--json")).output()
                .contains("\"next\":\"" + prepared + "\""));
        project.writeMain(blockingMain("two"));
        supervisor.await("^word=two conf=", T);
        supervisor.await("\\[crac-dev\\] gen 2 ready in .* · release " + (engine.equals("criu") ? "restored-ahead" : "standby"), T);
    }

    private static String blockingMain(String word) {
        return """
                package app;
                public class Main {
                    public static void main(String[] args) throws Exception {
                        System.out.println("word=%s conf=" + fw.FwConfig.VALUE);
                        new java.util.concurrent.CountDownLatch(1).await(); // main never returns
                    }
                }
                """.formatted(word);
    }

    /** Quiet output alone is not ready: an app computing for seconds without printing (a framework initializing) is not. */
    @Test
    void withoutAReadyOptionAnAppThatComputesSilentlyIsNotReadyUntilItIdles() throws Exception {
        TestProject project = TestProject.create(tmp.resolve("project"));
        project.writeMain("""
                package app;
                public class Main {
                    public static void main(String[] args) throws Exception {
                        System.out.println("working");
                        long until = System.nanoTime() + 4_000_000_000L, sum = 0;
                        while (System.nanoTime() < until) {
                            sum += Long.numberOfTrailingZeros(sum + until); // silent work, 4 s of one CPU
                        }
                        System.out.println("work done " + (sum == 42 ? "" : "."));
                        new java.util.concurrent.CountDownLatch(1).await(); // main never returns
                    }
                }
                """);
        startWithoutAReadyOption(project);
        supervisor.await("\\[crac-dev\\] gen 1 ready in .* · ready: output quiet · pid \\d+$", T);
        String output = supervisor.output();
        int done = output.indexOf("work done");
        assertTrue(done >= 0 && done < output.indexOf("gen 1 ready in"), output); // it printed only after the work
    }

    @ParameterizedTest(name = "a replaced generation ends gracefully: shutdown hooks run ({0} engine)")
    @CsvSource({"standby", "criu", "cold"})
    void aReplacedGenerationEndsGracefullySoItsShutdownHooksRun(String engine) throws Exception {
        assumeTrue(!engine.equals("criu") || Criu.probe().usable() || System.getenv("CI") != null,
                "criu engine not usable here: " + Criu.probe().reason());
        TestProject project = TestProject.create(tmp.resolve("project"));
        Path hookFile = tmp.resolve("hook-ran.txt");
        project.writeApp("v1", "Runtime.getRuntime().addShutdownHook(new Thread(() -> { try { java.nio.file.Files.writeString("
                + "java.nio.file.Path.of(\"" + hookFile + "\"), \"gen=\" + System.getProperty(\"cracdev.generation\")); }"
                + " catch (Exception e) { } }));");
        startOn(project, engine);
        // the runtime's exit flag (deleted by the JDK after the hooks: then the supervisor ends the JVM at once)
        Path flag = findFile(tmp.resolve("images"), "gen-1.hooks-pending");
        assertTrue(flag != null, "the running generation has its exit flag");
        project.writeApp("v2", "");
        supervisor.await("\\[crac-dev\\] gen 2 ready in", T);
        assertEquals("gen=1", Files.readString(hookFile));
        assertFalse(Files.exists(flag), "gone with its generation");
    }

    /**
     * A JVM with no hooks of its own deletes its exit flag within milliseconds of the stop signal; the supervisor
     * must have looked for the flag before signalling, or it takes "no flag" for the answer and waits for the
     * JVM's exit, which waits ~300 ms for a thread in native code (here: a server socket's accept). Before the
     * fix such stops took 320-330 ms; now ~15 ms (the bound leaves room for a busy machine).
     */
    @ParameterizedTest(name = "a generation with no shutdown hooks stops without waiting for the JVM's exit ({0} engine)")
    @CsvSource({"standby", "criu"})
    void aGenerationWithoutShutdownHooksStopsWithoutWaitingForTheJvmsExit(String engine) throws Exception {
        assumeTrue(!engine.equals("criu") || Criu.probe().usable() || System.getenv("CI") != null,
                "criu engine not usable here: " + Criu.probe().reason());
        TestProject project = TestProject.create(tmp.resolve("project"));
        String main = """
                package app;
                public class Main {
                    public static void main(String[] args) throws Exception {
                        java.net.ServerSocket server = new java.net.ServerSocket(0);
                        new Thread(() -> {
                            try { server.accept(); } catch (Exception e) { } // a thread in native code
                        }, "acceptor").start();
                        System.out.println("%s listening");
                    }
                }
                """;
        project.writeMain(main.formatted("one"));
        supervisor = SupervisorProcess.start(project.dir, List.of("start", "--engine", engine, "-cp", project.frameworkJar.toString(),
                "--app", project.appRoot.toString(), "--ready-log", "listening", "--images", tmp.resolve("images").toString(),
                "app.Main"));
        supervisor.await("\\[crac-dev\\] gen 1 ready in", T);
        List<Long> stops = new ArrayList<>();
        for (int gen = 2; gen <= 4; gen++) {
            project.writeMain(main.formatted("v" + gen));
            stops.add(Long.parseLong(supervisor.await("\\[crac-dev\\] gen " + gen + " ready in .* · stop (\\d+) ms", T).group(1)));
        }
        // waiting for the JVM's exit makes every stop ≥ 300 ms; a busy machine may slow one of them down too
        assertTrue(java.util.Collections.min(stops) < 250, "stops took " + stops + " ms: " + supervisor.output());
    }

    @ParameterizedTest(name = "a daemon started by a generation ends with it ({0} engine)")
    @CsvSource({"standby", "cold"})
    void aDaemonThatLeftTheProcessTreeEndsWithItsGeneration(String engine) throws Exception {
        TestProject project = TestProject.create(tmp.resolve("project"));
        Path pidFile = tmp.resolve("daemon.pid");
        // setsid + a shell that exits at once: the sleep is re-parented to init, out of the JVM's tree
        project.writeApp("v1", "new ProcessBuilder(\"setsid\", \"sh\", \"-c\", \"sleep 300 > /dev/null 2>&1 < /dev/null & echo $! > "
                + pidFile + "\").start().waitFor();");
        startOn(project, engine);
        await().atMost(T).until(() -> Files.exists(pidFile) && !Files.readString(pidFile).isBlank());
        ProcessHandle daemon = ProcessHandle.of(Long.parseLong(Files.readString(pidFile).strip())).orElseThrow();
        assertTrue(supervisor.descendants().stream().noneMatch(p -> p.pid() == daemon.pid()), "it left the tree");
        project.writeApp("v2", "");
        supervisor.await("\\[crac-dev\\] gen 2 ready in", T);
        ProcessAssertions.assertAllGone(List.of(daemon), Duration.ofSeconds(5));
    }

    private static Path findFile(Path dir, String name) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.getFileName().toString().equals(name)).findFirst().orElse(null);
        }
    }

    private void startWithoutAReadyOption(TestProject project) throws Exception {
        supervisor = SupervisorProcess.start(project.dir, List.of("start", "--engine", "standby", "--verbose",
                "-cp", project.frameworkJar.toString(), "--app", project.appRoot.toString(),
                "--images", tmp.resolve("images").toString(), "app.Main"));
    }

    private void startOn(TestProject project, String engine) throws Exception {
        supervisor = SupervisorProcess.start(project.dir, List.of("start", "--engine", engine, "-cp", project.frameworkJar.toString(),
                "--app", project.appRoot.toString(), "--ready-log", "^hello ", "--images", tmp.resolve("images").toString(),
                "app.Main"));
        supervisor.await("\\[crac-dev\\] gen 1 ready in", T);
    }
}
