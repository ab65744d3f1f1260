package dev.cracdev.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract for the criu engine, plus proof that generations really come from the image. Real
 * CRIU: in CI (CI=true) these tests must run, so a missing CRIU fails instead of skipping.
 */
class CriuEngineIT extends AbstractEngineContractIT {
    @BeforeAll
    static void requireCriu() {
        CriuRequirement.require();
    }

    @Override
    protected String engine() {
        return "criu";
    }

    /** The current generation and at most one restored ahead (criu restore + its JVM each), nothing else. */
    private boolean onlyTheCurrentAndTheNextGeneration() {
        List<ProcessHandle> alive = supervisor.descendants();
        return alive.size() <= 4 && alive.stream().filter(p -> p.info().command().orElse("").endsWith("/criu")).count() <= 2;
    }

    private String status() throws Exception {
        return SupervisorProcess.run(project.dir, List.of("status", "--json")).output();
    }

    @Override
    protected void awaitFrameworkPhaseAhead(int nth) throws Exception {
        supervisor.await("\\[crac-dev\\] base image ready in .* [1-9]\\d* classes preloaded", nth, T);
    }

    /** Starts, waits for gen 1 and for the base image rebuilt with gen 1's recorded class list. */
    private void startWithWarmImage(String... extra) throws Exception {
        startSupervisor(extra);
        supervisor.await("\\[crac-dev\\] gen 1 ready in .* restore \\d+ ms", T);
        supervisor.await("\\[crac-dev\\] base image ready in .* [1-9]\\d* classes preloaded", T);
    }

    @Test
    void generationsAreRestoredFromTheImageWithFrameworkStateSharedAndAppStateFresh() throws Exception {
        startWithWarmImage();
        int runsBefore = project.frameworkRuns().size();
        List<String> tokens = new ArrayList<>();
        for (int gen = 2; gen <= 4; gen++) {
            project.writeApp("v" + gen, "");
            Matcher hello = Pattern.compile(HELLO).matcher(supervisor.await("hello v" + gen + " .*", T).group());
            assertTrue(hello.find());
            assertEquals("1", hello.group(4), "app-phase counter is fresh");
            assertEquals(Integer.toString(gen), hello.group(5));
            tokens.add(hello.group(2));
            // from the image: restored on the change, or restored ahead and released
            supervisor.await("\\[crac-dev\\] gen " + gen + " ready in .* · (restore|release restored-ahead) \\d+ ms", T);
        }
        assertEquals(1, tokens.stream().distinct().count(), "the framework-phase token is the image's: " + tokens);
        assertEquals(runsBefore, project.frameworkRuns().size(), "the framework phase did not run again");
    }

    @Test
    void theNextGenerationIsRestoredAheadSoAChangeOnlyReleasesIt() throws Exception {
        startWithWarmImage("--verbose");
        project.writeApp("v2", "");
        supervisor.await("\\[crac-dev\\] gen 2 ready in", T);
        // state, not log order: the restore ahead may finish before or after the status line
        await().atMost(T).until(() -> status().contains("\"next\":\"restored ahead\""));
        // while parked it reads its memory once (the restored pages' first touches, off the change's path)
        supervisor.await("\\[debug\\] gen-next event: prefaulted \\[pages=[1-9]\\d*, ms=\\d+, outcome=done\\]", T);
        project.writeApp("v3", "");
        supervisor.await("hello v3 .* counter=1 gen=3 ", T);
        supervisor.await("\\[crac-dev\\] gen 3 ready in .* · release restored-ahead \\d+ ms", T);
    }

    @Test
    void fiftyChangesMakeFiftyGenerationsWithoutLeftoverProcessesOrDescriptors() throws Exception {
        startWithWarmImage();
        project.writeApp("v2", "");
        supervisor.await("\\[crac-dev\\] gen 2 ready in", T);
        // counted once background work (a rebuild's template and dump, a restore ahead) is done: it holds
        // pipes and processes of its own for a while; a leak never settles
        await().atMost(T).until(this::onlyTheCurrentAndTheNextGeneration);
        long fdsBefore = openFds(supervisor.pid());
        for (int gen = 3; gen <= 52; gen++) {
            project.writeApp("v" + gen, "");
            supervisor.await("hello v" + gen + " .* gen=" + gen + " ", T);
            supervisor.await("\\[crac-dev\\] gen " + gen + " ready in", T);
        }
        await().atMost(T).until(() -> onlyTheCurrentAndTheNextGeneration() && openFds(supervisor.pid()) <= fdsBefore + 3);
        assertEquals(50, supervisor.count("^hello v\\d+ .* counter=1 ") - 2);
    }

    @Test
    void outputOfAGenerationNeverAppearsAfterTheNextOneStartedAndNoneIsLost() throws Exception {
        project.writeMain(ticker("a"));
        startSupervisor();
        supervisor.await("^tick a gen=1 n=200$", T);
        project.writeMain(ticker("b"));
        supervisor.await("^tick b gen=2 n=100$", T);

        List<String> lines = supervisor.lines();
        int firstOfGen2 = -1;
        int expected = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("tick b gen=2 ") && firstOfGen2 < 0) {
                firstOfGen2 = i;
            }
            if (line.startsWith("tick a gen=1 ")) {
                assertTrue(firstOfGen2 < 0, "gen 1 printed after gen 2 started: " + line);
                assertEquals("tick a gen=1 n=" + expected, line, "gen 1's lines arrive complete and in order");
                expected++;
            }
        }
        assertTrue(expected > 200 && firstOfGen2 > 0);
    }

    @Test
    void aChangedFrameworkJarRebuildsTheImageAndSaysWhy() throws Exception {
        startWithWarmImage();
        project.writeFrameworkJar("changed");
        supervisor.await("\\[crac-dev\\] framework entry .*fw\\.jar changed: preparing a new criu template", T);
        supervisor.await("\\[crac-dev\\] gen 2 ready in", T);
    }

    @Test
    void aTruncatedImageIsRecognisedAndRebuilt() throws Exception {
        startWithWarmImage("--restore-timeout", "5");
        Path pages = largestPagesImage(tmp.resolve("images"));
        try (RandomAccessFile f = new RandomAccessFile(pages.toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }
        project.writeApp("v2", "");
        supervisor.await("\\[crac-dev\\] \\[WARN\\] the base image .* failed to restore .*discarding and rebuilding it", T);
        supervisor.await("hello v2 .* gen=2 ", T);
        supervisor.await("\\[crac-dev\\] gen 2 ready in", T);
    }

    /** Stopping while a restore is in flight (here: a truncated image makes criu spin) ends that restore too. */
    @Test
    void stoppingDuringARestoreLeavesNoRestoreBehind() throws Exception {
        startWithWarmImage("--restore-timeout", "120");
        await().atMost(T).until(() -> status().contains("\"next\":\"restored ahead\""));
        Path pages = largestPagesImage(tmp.resolve("images"));
        try (RandomAccessFile f = new RandomAccessFile(pages.toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }
        project.writeApp("v2", ""); // released from the generation parked before: it is fine
        supervisor.await("\\[crac-dev\\] gen 2 ready in", T);
        // the next restore ahead reads the broken image: it spins until its 120 s timeout
        await().atMost(T).until(() -> status().contains("\"next\":\"restoring ahead\""));
        List<ProcessHandle> before = supervisor.descendants();
        supervisor.signal("TERM");
        assertTrue(supervisor.waitFor(T));
        ProcessAssertions.assertAllGone(before, Duration.ofSeconds(5));
    }

    @Test
    void orgCracResourcesHearBeforeCheckpointAtTheDumpAndAfterRestoreInEveryGeneration() throws Exception {
        Path orgCrac = Path.of(org.crac.Core.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        project.addOrgCracHooks(orgCrac);
        supervisor = SupervisorProcess.start(project.dir, List.of("start", "--engine", "criu", "-cp",
                project.frameworkJar + java.io.File.pathSeparator + orgCrac, "--app", project.appRoot.toString(),
                "--ready-log", "^hello ", "--images", tmp.resolve("images").toString(), "app.Main"));
        supervisor.await("\\[crac-dev\\] base image ready in .* [1-9]\\d* classes preloaded", T);
        assertEquals(List.of("before"), Files.readAllLines(project.dir.resolve("before-checkpoint.txt")),
                "beforeCheckpoint ran once, in the template, before the dump");
        for (int gen = 2; gen <= 3; gen++) {
            project.writeApp("v" + gen, "fw.CracHooks.touch();");
            supervisor.await("^afterRestore gen=" + gen + "$", T);
            supervisor.await("\\[crac-dev\\] gen " + gen + " ready in", T);
        }
        assertEquals(1, Files.readAllLines(project.dir.resolve("before-checkpoint.txt")).size());
    }

    @Test
    void imageDirectoriesArePrivateAndIgnoredByGit() throws Exception {
        startWithWarmImage();
        Path images = tmp.resolve("images");
        assertEquals("*", Files.readAllLines(images.resolve(".gitignore")).stream()
                .filter(l -> !l.startsWith("#")).findFirst().orElse(""), "a root crac-dev created is ignored as a whole");
        try (Stream<Path> fingerprints = Files.list(images)) {
            for (Path d : fingerprints.filter(Files::isDirectory).toList()) {
                assertTrue(Files.readAllLines(d.resolve(".gitignore")).contains("*"), "each fingerprint directory is ignored: " + d);
            }
        }
        try (Stream<Path> dirs = Files.walk(images)) {
            for (Path d : dirs.filter(Files::isDirectory).toList()) {
                assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(d)), d.toString());
            }
        }
        try (Stream<Path> files = Files.walk(images)) {
            List<Path> imageFiles = files.filter(f -> f.toString().contains("/base/") && Files.isRegularFile(f)).toList();
            assertTrue(imageFiles.size() > 5);
            for (Path f : imageFiles) {
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), f.toString());
            }
        }
    }

    @Test
    void aChangedEnvironmentVariableMakesANewImageInsteadOfRestoringTheOldValue() throws Exception {
        project.writeMain("""
                package app;
                public class Main {
                    public static void main(String[] args) {
                        System.out.println("hello profile=" + System.getenv("APP_PROFILE"));
                        new Thread(() -> { try { new java.util.concurrent.CountDownLatch(1).await(); } catch (InterruptedException e) { } }).start();
                    }
                }
                """);
        List<String> args = List.of("start", "--engine", "criu", "-cp", project.frameworkJar.toString(), "--app",
                project.appRoot.toString(), "--ready-log", "^hello ", "--images", tmp.resolve("images").toString(), "app.Main");
        supervisor = SupervisorProcess.start(project.dir, args, java.util.Map.of("APP_PROFILE", "dev"));
        supervisor.await("^hello profile=dev$", T);
        supervisor.await("\\[crac-dev\\] gen 1 ready in", T);
        supervisor.close();
        supervisor = SupervisorProcess.start(project.dir, args, java.util.Map.of("APP_PROFILE", "prod"));
        supervisor.await("\\[crac-dev\\] environment variable APP_PROFILE changed since the last run: preparing a new criu template", T);
        supervisor.await("^hello profile=prod$", T);
        assertEquals(0, supervisor.count("profile=dev"), "the old value is not restored");
        supervisor.await("\\[crac-dev\\] gen 1 ready in", T);
        supervisor.close();
        // back to the first value: its image is still in the store, and the line says so
        supervisor = SupervisorProcess.start(project.dir, args, java.util.Map.of("APP_PROFILE", "dev"));
        supervisor.await("\\[crac-dev\\] environment variable APP_PROFILE changed since the last run: using the criu image"
                + " kept from an earlier run with these settings", T);
        supervisor.await("^hello profile=dev$", T);
        supervisor.await("\\[crac-dev\\] gen 1 ready in", T);
        supervisor.close();
        // the same again: nothing changed since the last run, nothing to say
        supervisor = SupervisorProcess.start(project.dir, args, java.util.Map.of("APP_PROFILE", "dev"));
        supervisor.await("\\[crac-dev\\] gen 1 ready in", T);
        assertEquals(0, supervisor.count("since the last run"), "the last run had the same settings");
    }

    private static String ticker(String tag) {
        return """
                package app;
                public class Main {
                    public static void main(String[] args) throws Exception {
                        String gen = System.getProperty("cracdev.generation");
                        System.out.println("hello %s");
                        for (int n = 0; ; n++) {
                            System.out.println("tick %s gen=" + gen + " n=" + n);
                            Thread.sleep(1);
                        }
                    }
                }
                """.formatted(tag, tag);
    }

    private static long openFds(long pid) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return fds.count();
        }
    }

    private static Path largestPagesImage(Path images) throws IOException {
        try (Stream<Path> files = Files.walk(images)) {
            return files.filter(f -> f.getFileName().toString().startsWith("pages-") && f.toString().contains("/base/"))
                    .max(Comparator.comparingLong(f -> f.toFile().length()))
                    .orElseThrow(() -> new AssertionError("no pages image under " + images));
        }
    }
}
