package dev.cracdev.it;

import dev.cracdev.engine.criu.Criu;
import dev.cracdev.supervisor.PortGate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code crac-dev reset} to a pristine running app from the ready image, and the control socket. Real CRIU. */
class ResetIT {
    static final Duration T = Duration.ofSeconds(60);
    static final String PRISTINE = "v1 notes=[fixture-a, fixture-b]";

    @TempDir
    Path tmp;
    NotesProject app;
    SupervisorProcess supervisor;

    @BeforeAll
    static void requireCriu() {
        Criu.Probe probe = Criu.probe();
        if (!probe.usable() && System.getenv("CI") != null) {
            fail("CI must run the reset tests, but " + probe.reason());
        }
        assumeTrue(probe.usable(), "criu engine not usable here: " + probe.reason());
    }

    @BeforeEach
    void createApp() throws IOException {
        app = NotesProject.create(tmp.resolve("project"));
    }

    @AfterEach
    void stop() throws Exception {
        if (supervisor != null) {
            supervisor.close();
        }
        ProcessAssertions.assertNothingLeftIn(tmp);
    }

    private void start(String engine) throws Exception {
        List<String> args = new ArrayList<>(List.of("start", "--engine", engine));
        args.addAll(app.startArgs(tmp.resolve("images")));
        args.addAll(app.mainAndArgs());
        supervisor = SupervisorProcess.start(app.dir, args);
        supervisor.await("\\[crac-dev\\] gen 1 ready in", T);
    }

    /** {@code crac-dev ARGS} run in the project directory: it finds the supervisor by itself. */
    private SupervisorProcess cli(String... args) throws Exception {
        return SupervisorProcess.run(app.dir, List.of(args));
    }

    /** The first column of {@code crac-dev status}: what it reports, not the values. */
    private static List<String> keys(SupervisorProcess status) {
        assertEquals(0, status.exitCode(), status.output());
        return status.lines().stream().map(line -> line.split(" ", 2)[0]).toList();
    }

    /** A Spring config line as tutorials write it: an in-memory H2 database that its last connection drops. */
    private static final String DROPPED_DATABASE = "# the app does not read it: only crac-dev looks\nspring.datasource.url=jdbc:h2:mem:notes\n";

    @Test
    void twentyResetsInARowEachGiveThePristineFixtureAndLeaveNoProcessBehind() throws Exception {
        Files.writeString(app.appRoot.resolve("application.properties"), DROPPED_DATABASE);
        start("criu");
        supervisor.await("\\[crac-dev\\] gen 1 ready in .* · ready image \\d+ ms", T);
        assertEquals(PRISTINE, app.get());
        for (int i = 1; i <= 20; i++) {
            assertEquals("v1 notes=[fixture-a, fixture-b, mutation " + i + "]", app.post("mutation " + i));
            SupervisorProcess reset = cli("reset", "--wait");
            assertEquals(0, reset.exitCode(), reset.output());
            assertTrue(reset.output().matches("generation \\d+ ready in .*"), reset.output());
            assertEquals(PRISTINE, app.get(), "after reset " + i);
        }
        assertEquals(20, supervisor.count("\\[crac-dev\\] gen \\d+ ready in .* · reset · .* restore ready image"));
        // an app that keeps its port through a checkpoint is never restored while another generation runs
        assertEquals(1, supervisor.count("resets restore the ready image on demand: the app has no org.crac resources"),
                supervisor.output());
        // no org.crac resource closes a connection pool here: the in-memory database in its config is not warned of
        assertEquals(0, supervisor.count("jdbc:h2:mem:notes"), supervisor.output());
        // and none of them had to fall back to the plain restore (the port was free for the image's listening socket)
        assertEquals(0, supervisor.count("the lazy restore failed"), supervisor.output());
        assertEquals(Criu.lazyPages(Criu.probe().binary()), Files.isRegularFile(workFile("restore-ready-pages.log")),
                "restores are lazy wherever the kernel allows");
        // the last one stopped may still be finishing its exit in the background for a moment
        await("only the current generation and one restored ahead").atMost(Duration.ofSeconds(5)).until(() -> jvms().size() <= 2);
    }

    /**
     * Restores are lazy by default (the JVM runs while a page server copies its memory in). One that does not
     * answer in time is ended and the plain restore runs instead, with a line saying so: forced here by a
     * lazy timeout of 1 ms, so every lazy restore is cut off half-way (its page server and JVM included).
     */
    @Test
    void aLazyRestoreThatDoesNotAnswerInTimeIsEndedAndThePlainOneRuns() throws Exception {
        assumeTrue(Criu.lazyPages(Criu.probe().binary()), "this kernel has no userfaultfd: restores are never lazy here");
        List<String> args = new ArrayList<>(List.of("start", "--engine", "criu"));
        args.addAll(app.startArgs(tmp.resolve("images")));
        args.addAll(app.mainAndArgs());
        supervisor = SupervisorProcess.start(app.dir, args, java.util.Map.of(Criu.LAZY_TIMEOUT_ENV, "1"));
        supervisor.await("\\[crac-dev\\] gen 1 ready in .* · ready image \\d+ ms", T);
        app.post("mutation");
        SupervisorProcess reset = cli("reset", "--wait");
        assertEquals(0, reset.exitCode(), reset.output());
        assertEquals(PRISTINE, app.get());
        supervisor.await("\\[crac-dev\\] gen 2 ready in .* · reset · .* restore ready image", T);
        assertEquals(1L, supervisor.count("gen-2: the lazy restore failed \\(no answer within 1 ms\\); restoring it the plain way"),
                supervisor.output());
    }

    private Path workFile(String name) throws IOException {
        try (var files = Files.walk(tmp.resolve("images"))) {
            return files.filter(f -> f.getFileName().toString().equals(name)).findFirst().orElse(tmp.resolve("none"));
        }
    }

    /**
     * Every generation restored from one ready image has its own exit flag (made by its runtime when the
     * supervisor first pings it), so its stop waits for its shutdown hooks, not for the JVM's slower exit.
     * Before, all of them shared the flag of the generation the image was taken from, and a stop now and
     * then found it gone and waited for the JVM to end (~320 ms instead of ~15 ms).
     */
    @Test
    void eachGenerationRestoredFromTheReadyImageHasItsOwnExitFlag() throws Exception {
        start("criu");
        supervisor.await("\\[crac-dev\\] gen 1 ready in .* · ready image \\d+ ms", T);
        for (int gen = 2; gen <= 4; gen++) {
            SupervisorProcess reset = cli("reset", "--wait");
            assertEquals(0, reset.exitCode(), reset.output());
            List<String> flags;
            try (var files = Files.walk(tmp.resolve("images"))) {
                flags = files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".hooks-pending")).toList();
            }
            assertEquals(List.of("gen-" + gen + ".hooks-pending"), flags, "the running generation's flag, and only it");
        }
    }

    /**
     * "Ready" is said only once the ready image exists: a request sent the moment the status line appears
     * never ends up in the image (before the fix the dump came after the line, and such a request was
     * baked into every reset). Each round changes the fixture, so each round takes a new image.
     */
    @Test
    void aRequestSentRightAfterReadyIsNeverPartOfTheReadyImage() throws Exception {
        start("criu");
        for (int round = 1; round <= 20; round++) {
            Files.write(app.fixture, List.of("fixture-" + round));
            supervisor.await("\\[crac-dev\\] gen \\d+ ready in .* 1 change \\(fixture\\.txt\\)", round, T);
            app.post("right after ready " + round); // as fast as a script that watches the log
            SupervisorProcess reset = cli("reset", "--wait");
            assertEquals(0, reset.exitCode(), reset.output());
            assertEquals("v1 notes=[fixture-" + round + "]", app.get(), "round " + round);
        }
    }

    /**
     * A client that polls the port (as a script does instead of watching the log) and sends its request the
     * moment a connection is accepted: the port refuses it until the ready image exists, so the request never
     * ends up in the image (before, it got in between the app's listening and the dump, every round).
     */
    @Test
    void aRequestSentTheMomentThePortAcceptsIsHeldOffUntilTheReadyImageExists() throws Exception {
        PortGate gate = PortGate.onThisMachine();
        if (!gate.available() && System.getenv("CI") != null) {
            fail("CI must test holding the port off, but: " + gate.describe());
        }
        assumeTrue(gate.available(), gate.describe());
        start("criu");
        for (int round = 1; round <= 5; round++) {
            String fixture = "fixture-" + round;
            Files.write(app.fixture, List.of(fixture));
            long deadline = System.nanoTime() + T.toNanos();
            String answer = "";
            while (!answer.contains(fixture)) { // until the new generation took it (the old one may answer first)
                assertTrue(System.nanoTime() < deadline, "the new generation never answered; last: " + answer);
                try {
                    answer = app.post("raced " + round);
                } catch (IOException refused) {
                    Thread.sleep(2);
                }
            }
            supervisor.await("\\[crac-dev\\] gen \\d+ ready in .* 1 change \\(fixture\\.txt\\).* · ready image ", round, T);
            SupervisorProcess reset = cli("reset", "--wait");
            assertEquals(0, reset.exitCode(), reset.output());
            assertEquals("v1 notes=[" + fixture + "]", app.get(), "round " + round);
        }
    }

    /**
     * An app whose org.crac resource closes its server at a checkpoint (as Spring Boot does with org.crac on its
     * class path): its ready image holds no listening socket, so after the first reset the next pristine app is
     * restored ahead and parked while the current one serves, and a reset only stops the current one until its
     * port is closed and resumes the parked one. Every reset still gives the pristine fixture, and in between
     * the generation in use is the one that answers (each POST is seen by the GET after it).
     */
    @Test
    void aCracAwareAppIsRestoredAheadOfEachResetAndStaysPristine() throws Exception {
        app = NotesProject.create(tmp.resolve("crac-aware"), true);
        Files.writeString(app.appRoot.resolve("application.properties"), DROPPED_DATABASE);
        start("criu");
        supervisor.await("\\[crac-dev\\] gen 1 ready in .* · ready image \\d+ ms", T);
        // told once, at the first ready image: Spring would have closed its pool there, dropping that database
        assertEquals(1, supervisor.count("\\[WARN\\] gen 1: the app's config names jdbc:h2:mem:notes"
                + " \\(target/classes/application.properties\\), an in-memory H2 database .* Give the URL ;DB_CLOSE_DELAY=-1"),
                supervisor.output());
        for (int i = 1; i <= 6; i++) {
            app.post("mutation " + i);
            assertEquals("v1 notes=[fixture-a, fixture-b, mutation " + i + "]", app.get(), "the running generation answers");
            SupervisorProcess reset = cli("reset", "--wait");
            assertEquals(0, reset.exitCode(), reset.output());
            assertEquals(PRISTINE, app.get(), "after reset " + i);
            if (i == 1) {
                supervisor.await("resets: the next pristine app is restored ahead, parked, and only resumed on a reset", T);
            }
        }
        assertEquals(1, supervisor.count("\\[crac-dev\\] gen 2 ready in .* · reset · .* restore ready image"), supervisor.output());
        // the next one is on its way before the event loop reads the next reset: a reset waits for it if need be
        assertEquals(5, supervisor.count("\\[crac-dev\\] gen \\d+ ready in .* · reset · .* ready image restored ahead"),
                supervisor.output());
        await("the current generation, the next one restored ahead of a change and the app parked for the next reset")
                .atMost(Duration.ofSeconds(10)).until(() -> jvms().size() <= 3);
    }

    /**
     * A code change after resets: the app parked for the next reset holds the old code, so it is never resumed,
     * and it is ended once the new code's generation is ready (not left running beside it).
     */
    @Test
    void aCracAwareAppParkedForTheNextResetIsNeverResumedAfterACodeChange() throws Exception {
        app = NotesProject.create(tmp.resolve("crac-aware"), true);
        start("criu");
        supervisor.await("\\[crac-dev\\] gen 1 ready in .* · ready image", T);
        assertEquals(0, cli("reset", "--wait").exitCode());
        supervisor.await("resets: the next pristine app is restored ahead", T);
        // the generation in use and the one parked for the next reset: both restored from the v1 ready image
        await("the next reset's app parked").atMost(T).until(() -> restoredFromReadyImages().size() == 2);
        List<Long> parkedV1 = restoredFromReadyImages();
        app.writeApp("v2");
        supervisor.await("\\[crac-dev\\] gen 3 ready in .* · ready image", T);
        await("the app parked with v1 is ended").atMost(Duration.ofSeconds(10))
                .until(() -> restoredFromReadyImages().stream().noneMatch(parkedV1::contains));
        app.post("mutation");
        SupervisorProcess reset = cli("reset", "--wait");
        assertEquals(0, reset.exitCode(), reset.output());
        assertEquals("v2 notes=[fixture-a, fixture-b]", app.get());
    }

    @Test
    void aResetAfterACodeChangeNeverRestoresTheOldCode() throws Exception {
        start("criu");
        supervisor.await("\\[crac-dev\\] gen 1 ready in .* · ready image", T);
        app.writeApp("v2");
        supervisor.await("\\[crac-dev\\] gen 2 ready in", T);
        SupervisorProcess reset = cli("reset", "--wait");
        assertEquals(0, reset.exitCode(), reset.output());
        assertEquals("v2 notes=[fixture-a, fixture-b]", app.get());
    }

    @Test
    void aFixtureChangeGivesANewGenerationAndANewReadyImage() throws Exception {
        start("criu");
        supervisor.await("\\[crac-dev\\] gen 1 ready in .* · ready image", T);
        Files.write(app.fixture, List.of("fixture-c"));
        supervisor.await("\\[crac-dev\\] gen 2 ready in .* 1 change \\(fixture\\.txt\\)", T);
        supervisor.await("\\[crac-dev\\] gen 2 ready in .* · ready image", T);
        app.post("mutation");
        assertEquals(0, cli("reset", "--wait").exitCode());
        assertEquals("v1 notes=[fixture-c]", app.get());
    }

    @Test
    void theFixtureHookRunsBeforeTheReadyImageSoResetsIncludeItsData() throws Exception {
        app.addFixtureHook();
        List<String> args = new ArrayList<>(List.of("start", "--engine", "criu", "--fixture-hook", "app.ExtraFixture"));
        args.addAll(app.startArgs(tmp.resolve("images")));
        args.addAll(app.mainAndArgs());
        supervisor = SupervisorProcess.start(app.dir, args);
        supervisor.await("\\[crac-dev\\] gen 1 ready in .* · ready image", T);
        assertEquals("v1 notes=[fixture-a, fixture-b, from-hook]", app.get());
        app.post("mutation");
        assertEquals(0, cli("reset", "--wait").exitCode());
        assertEquals("v1 notes=[fixture-a, fixture-b, from-hook]", app.get());
    }

    @Test
    void withFreshFixtureResetsBeforeRunningTheCommandAndPassesItsExitCode() throws Exception {
        start("criu");
        supervisor.await("\\[crac-dev\\] gen 1 ready in .* · ready image", T);
        app.post("mutation");
        Path script = Path.of("../../scripts/with-fresh-fixture").toAbsolutePath().normalize();
        Process p = new ProcessBuilder(script.toString(), "sh", "-c", "exit 7").directory(app.dir.toFile())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(7, p.waitFor(), out);
        assertEquals(PRISTINE, app.get(), "the command ran against a reset app");
    }

    @Test
    void engineWithoutReadyImagesResetsToAFreshGenerationAndSaysSo() throws Exception {
        start("standby");
        app.post("mutation");
        SupervisorProcess reset = cli("reset", "--wait");
        assertEquals(0, reset.exitCode(), reset.output());
        supervisor.await("\\[crac-dev\\] reset: the standby engine cannot make ready images; starting a fresh generation instead", T);
        assertEquals(PRISTINE, app.get());
    }

    @Test
    void statusWaitAndStopWorkAndAMissingSupervisorIsOneSentence() throws Exception {
        start("criu");
        SupervisorProcess wait = cli("wait", "--timeout", "60");
        assertEquals(0, wait.exitCode(), wait.output());
        SupervisorProcess status = cli("status", "--json");
        assertEquals(0, status.exitCode(), status.output());
        assertTrue(status.output().startsWith("{\"engine\":\"criu\",\"state\":\"RUNNING\",\"generation\":1,"), status.output());
        assertTrue(status.output().contains("\"ready\":true"), status.output());
        // status without options runs without picocli (see ControlCommands.direct): it prints what picocli's run does
        assertEquals(keys(cli("status", "--project", app.dir.toString())), keys(cli("status")));
        List<ProcessHandle> children = supervisor.descendants();
        assertEquals(0, cli("stop").exitCode());
        assertTrue(supervisor.waitFor(T));
        ProcessAssertions.assertAllGone(children, Duration.ofSeconds(5));

        SupervisorProcess none = cli("status");
        assertEquals(5, none.exitCode(), none.output());
        assertEquals(1, none.lines().size(), none.output());
        assertTrue(none.lines().get(0).startsWith("[crac-dev] [ERROR] no crac-dev supervisor is running for this project"), none.output());
        SupervisorProcess noneViaPicocli = cli("status", "--project", app.dir.toString());
        assertEquals(none.exitCode(), noneViaPicocli.exitCode());
        assertEquals(none.output(), noneViaPicocli.output());
    }

    @Test
    void theSocketIsPrivateAndBadRequestsGetAnErrorWhileTheSupervisorStaysUp() throws Exception {
        start("criu");
        Path socket = Path.of(SupervisorProcess.run(app.dir, List.of("status", "--json")).output()
                .replaceAll(".*\"socket\":\"([^\"]+)\".*", "$1"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent().getParent())));

        assertTrue(raw(socket, "x".repeat(10_000)).startsWith("err request longer than 4096 characters"));
        assertTrue(raw(socket, "frobnicate now").startsWith("err unknown request 'frobnicate'"));
        assertTrue(raw(socket, "wait soon").startsWith("err wait takes a timeout in milliseconds"));
        assertTrue(raw(socket, "status").startsWith("ok {\"engine\":\"criu\""), "still answering");

        // another user cannot connect: run the CLI as nobody
        Process other = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                SupervisorProcess.javaExe(), "-jar", SupervisorProcess.cracDevJar().toAbsolutePath().toString(),
                "status", "--socket", socket.toString()).redirectErrorStream(true).start();
        String out = new String(other.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(5, other.waitFor(), out);
        assertTrue(out.contains("[crac-dev] [ERROR] "), out);
        assertTrue(supervisor.process().isAlive());
    }

    @Test
    void runStartsTheAppRunsTheCommandAgainstItAndExitsWithItsCode() throws Exception {
        Path script = tmp.resolve("acceptance.sh");
        Files.writeString(script, """
                #!/usr/bin/env bash
                set -euo pipefail
                [ -n "$CRACDEV_SOCKET" ] && [ -n "$CRACDEV_URL" ]
                http() { # METHOD BODY -> the response body (HTTP/1.0: the server closes)
                  exec 3<>/dev/tcp/127.0.0.1/$PORT
                  printf '%s /notes HTTP/1.0\\r\\nContent-Length: %s\\r\\n\\r\\n%s' "$1" "${#2}" "$2" >&3
                  tail -n 1 <&3; exec 3<&-
                }
                http POST mutated | grep -q mutated
                "$JAVA" -jar "$JAR" reset --wait
                [ "$(http GET '')" = "v1 notes=[fixture-a, fixture-b]" ] || { echo "not pristine"; exit 9; }
                echo "acceptance passed"
                exit "$EXIT_WITH"
                """);
        for (int expected : new int[] {0, 3}) {
            List<String> args = new ArrayList<>(List.of("run", "--engine", "criu"));
            args.addAll(app.startArgs(tmp.resolve("images")));
            args.addAll(List.of("--main", "app.NotesApp", "--arg", Integer.toString(app.port), "--arg", app.fixture.toString(),
                    "--", "bash", script.toString()));
            SupervisorProcess run = SupervisorProcess.run(app.dir, args, java.util.Map.of("PORT", Integer.toString(app.port),
                    "JAVA", SupervisorProcess.javaExe(), "JAR", SupervisorProcess.cracDevJar().toAbsolutePath().toString(),
                    "EXIT_WITH", Integer.toString(expected)));
            assertEquals(expected, run.exitCode(), run.output());
            assertTrue(run.output().contains("acceptance passed"), run.output());
            assertEquals(List.of(), ProcessHandle.allProcesses()
                    .filter(p -> p.info().commandLine().orElse("").contains(tmp.toString()) && p.isAlive())
                    .map(p -> p.info().commandLine().orElse("?")).toList(), "nothing of the run is left");
        }
    }

    /** Run by the JUnit Platform from {@link #theJUnitExtensionGivesEveryTestAPristineApp}, not by failsafe. */
    @dev.cracdev.junit.FreshCracDevApp
    static class NotesAcceptance {
        static NotesProject app;

        @org.junit.jupiter.api.Test
        void first() throws IOException {
            assertEquals("v1 notes=[fixture-a, fixture-b, first]", app.post("first"));
        }

        @org.junit.jupiter.api.Test
        void second() throws IOException {
            assertEquals("v1 notes=[fixture-a, fixture-b, second]", app.post("second"));
        }

        @org.junit.jupiter.api.Test
        void third() throws IOException {
            assertEquals("v1 notes=[fixture-a, fixture-b, third]", app.post("third"));
        }
    }

    @Test
    void theJUnitExtensionGivesEveryTestAPristineApp() throws Exception {
        start("criu");
        supervisor.await("\\[crac-dev\\] gen 1 ready in .* · ready image", T);
        String socket = SupervisorProcess.run(app.dir, List.of("status", "--json")).output()
                .replaceAll(".*\"socket\":\"([^\"]+)\".*", "$1");
        NotesAcceptance.app = app;
        System.setProperty("cracdev.socket", socket);
        try {
            var events = org.junit.platform.testkit.engine.EngineTestKit.engine("junit-jupiter")
                    .selectors(org.junit.platform.engine.discovery.DiscoverySelectors.selectClass(NotesAcceptance.class))
                    .execute().testEvents();
            events.failed().stream().forEach(e -> e.getPayload(org.junit.platform.engine.TestExecutionResult.class)
                    .flatMap(org.junit.platform.engine.TestExecutionResult::getThrowable)
                    .ifPresent(t -> System.out.println("    [acceptance test failed] " + t)));
            events.assertStatistics(stats -> stats.started(3).succeeded(3).failed(0));
        } finally {
            System.clearProperty("cracdev.socket");
        }
        assertEquals(3, supervisor.count("· reset · "));
    }

    private static String raw(Path socket, String request) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            Channels.newOutputStream(ch).write((request + "\n").getBytes(StandardCharsets.UTF_8));
            return new String(Channels.newInputStream(ch).readAllBytes(), StandardCharsets.UTF_8).strip();
        }
    }

    /** The JVMs restored from a ready image: those whose parent is a criu restore of one. */
    private List<Long> restoredFromReadyImages() {
        return supervisor.descendants().stream()
                .filter(p -> p.info().commandLine().orElse("?").contains("/java ")
                        && p.parent().flatMap(q -> q.info().commandLine()).orElse("").contains("/ready-"))
                .map(ProcessHandle::pid).toList();
    }

    private List<String> jvms() {
        return supervisor.descendants().stream().map(p -> p.info().commandLine().orElse("?"))
                .filter(c -> c.contains("/java ")).toList();
    }
}
