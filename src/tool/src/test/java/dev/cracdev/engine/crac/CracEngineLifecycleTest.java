package dev.cracdev.engine.crac;

import dev.cracdev.Console;
import dev.cracdev.engine.Engine;
import dev.cracdev.engine.GenerationRequest;
import dev.cracdev.engine.LaunchConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The crac engine's life cycle against {@link FakeCracJdk}: real processes and files, timings as in the source. */
class CracEngineLifecycleTest {
    @TempDir
    Path tmp;
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private FakeCracJdk jdk;
    private CracEngine engine;
    private LaunchConfig cfg;

    @BeforeEach
    void start() throws Exception {
        jdk = new FakeCracJdk(tmp.resolve("jdk"));
        cfg = new LaunchConfig(jdk.java(), List.of(), List.of(), List.of(tmp.resolve("app")), tmp.resolve("runtime.jar"),
                tmp, Files.createDirectories(tmp.resolve("state")));
        engine = newEngine();
    }

    private CracEngine newEngine() {
        return new CracEngine(cfg, new Console(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true), false),
                Duration.ofSeconds(20));
    }

    private final List<Engine.Launched> launched = new java.util.ArrayList<>();

    @AfterEach
    void close() {
        launched.forEach(g -> g.child().kill()); // also when a test failed half-way
        engine.close();
    }

    private Engine.Launched launch(int n) throws Exception {
        Engine.Launched g = engine.launch(request(n));
        launched.add(g);
        return g;
    }

    private GenerationRequest request(int n) {
        return new GenerationRequest(n, "app.Main", List.of(), tmp.resolve("recorded"));
    }

    @Test
    void theImageIsPublishedOnlyAfterTheLegacyEngineWroteCppath() throws Exception {
        Files.createDirectories(cfg.stateDir().resolve("work")); // a used state directory without a base image
        try (CracEngine before = newEngine()) {
            assertFalse(before.hasBaseImage(), "no base image was ever published there");
        }
        engine.prepare();
        try (CracEngine next = newEngine()) {
            assertTrue(next.hasBaseImage(), "the next run's engine finds the published image");
        }
        Path cppath = engine.baseImage().resolve("cppath");
        assertTrue(Files.isRegularFile(cppath), "cppath is written after the template exited: the image was renamed too early");
        assertTrue(Files.readString(cppath).contains("base.building-"), "cppath keeps the path the image was dumped at");
        Engine.Launched g = launch(1);
        assertTrue(g.child().isAlive());
        g.child().kill();
        assertFalse(err.toString().contains("failed to restore"), err.toString());
    }

    @Test
    void anAppThatFailsAfterStartedIsNotABadImage() throws Exception {
        engine.prepare();
        String cppath = Files.readString(engine.baseImage().resolve("cppath"));
        jdk.behaviour("exit76");
        Engine.Launched g = launch(1);
        assertEquals(cppath, Files.readString(engine.baseImage().resolve("cppath")), "the image was not rebuilt");
        assertFalse(err.toString().contains("failed to restore"), err.toString());
        g.child().kill();
    }

    @Test
    void strayCheckpointsOfGenerationsDoNotAccumulate() throws Exception {
        engine.prepare();
        jdk.behaviour("stray");
        for (int n = 1; n <= 4; n++) {
            Engine.Launched g = launch(n);
            Path work = cfg.stateDir().resolve("work");
            await().atMost(Duration.ofSeconds(10)).until(() -> scratchDirs(work).size() == 1);
            g.child().kill();
        }
        assertTrue(scratchDirs(cfg.stateDir().resolve("work")).size() <= 1, scratchDirs(cfg.stateDir().resolve("work")).toString());
    }

    @Test
    void leftoversOfEarlierRunsAreSweptAtEngineStart() throws Exception {
        Path work = Files.createDirectories(cfg.stateDir().resolve("work"));
        Files.writeString(Files.createDirectories(work.resolve("discard-7")).resolve("pages-1.img"), "x");
        Files.writeString(Files.createDirectories(work.resolve("crac-scratch")).resolve("pages-1.img"), "x");
        engine.close();
        engine = newEngine();
        assertEquals(List.of(), scratchDirs(work));
    }

    private static List<String> scratchDirs(Path work) throws java.io.IOException {
        if (!Files.isDirectory(work)) {
            return List.of();
        }
        try (var files = Files.list(work)) {
            return files.map(f -> f.getFileName().toString()).filter(f -> f.startsWith("discard-") || f.startsWith("crac-scratch")).sorted().toList();
        }
    }

    @Test
    void aGenerationIsStoppedGracefullySoTheRestoredJvmsHooksRun() throws Exception {
        engine.prepare();
        Engine.Launched g = launch(1);
        List<ProcessHandle> tree = new java.util.ArrayList<>(g.child().process().descendants().toList());
        tree.add(g.child().process().toHandle());
        g.child().stop(Duration.ofSeconds(2));
        assertEquals(List.of("gen 1"), Files.readAllLines(jdk.terminated()), "the restored JVM got SIGTERM, its hooks ran");
        assertTrue(tree.stream().noneMatch(ProcessHandle::isAlive), "the whole tree is gone");
    }

    @Test
    void aGenerationThatIgnoresSigtermIsKilledAfterTheGracePeriod() throws Exception {
        engine.prepare();
        jdk.behaviour("ignoreterm");
        Engine.Launched g = launch(1);
        List<ProcessHandle> tree = new java.util.ArrayList<>(g.child().process().descendants().toList());
        tree.add(g.child().process().toHandle());
        long t0 = System.nanoTime();
        g.child().stop(Duration.ofMillis(300));
        assertTrue(tree.stream().noneMatch(ProcessHandle::isAlive), "SIGKILL after the grace period");
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(5).toNanos());
    }
}
