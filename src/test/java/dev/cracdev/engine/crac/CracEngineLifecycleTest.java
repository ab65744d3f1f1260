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

    @AfterEach
    void close() {
        engine.close();
    }

    private GenerationRequest request(int n) {
        return new GenerationRequest(n, "app.Main", List.of(), tmp.resolve("recorded"));
    }

    @Test
    void theImageIsPublishedOnlyAfterTheLegacyEngineWroteCppath() throws Exception {
        engine.prepare();
        Path cppath = engine.baseImage().resolve("cppath");
        assertTrue(Files.isRegularFile(cppath), "cppath is written after the template exited: the image was renamed too early");
        assertTrue(Files.readString(cppath).contains("base.building-"), "cppath keeps the path the image was dumped at");
        Engine.Launched g = engine.launch(request(1));
        assertTrue(g.child().isAlive());
        g.child().kill();
        assertFalse(err.toString().contains("failed to restore"), err.toString());
    }
}
