package dev.cracdev.maven;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The plugin as a user runs it: real Maven (offline) on a copy of the example app, whose pom names the
 * plugin, with the plugin as {@code mvn install} left it in the local repository (scripts/test installs
 * before it verifies).
 */
class MavenPluginIT {
    private static final Path EXAMPLE = Path.of("../examples/hello-web").toAbsolutePath().normalize();
    private static final String PLUGIN = "dev.cracdev:crac-dev-maven-plugin";

    @TempDir
    Path tmp;
    private Path app;
    private int port;
    private final List<Process> started = new ArrayList<>();

    @BeforeEach
    void copyExample() throws IOException {
        assumeTrue(Files.isDirectory(EXAMPLE.resolve("target/classes")), "the example app is not built (scripts/test builds it)");
        Path installed = Path.of(System.getProperty("user.home"), ".m2/repository/dev/cracdev/crac-dev-maven-plugin",
                System.getProperty("cracdev.version", "0.1.0-SNAPSHOT"));
        if (!Files.isDirectory(installed)) {
            fail("the plugin is not installed in the local repository: run 'mvn install -DskipTests' first (scripts/test does)");
        }
        app = tmp.resolve("app");
        copy(EXAMPLE.resolve("pom.xml"), app.resolve("pom.xml"));
        copyTree(EXAMPLE.resolve("src"), app.resolve("src"));
        copyTree(EXAMPLE.resolve("target/classes"), app.resolve("target/classes"));
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
    }

    @AfterEach
    void nothingLeft() throws Exception {
        for (Process p : started) {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<String> left = processesIn(tmp);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(100); // a stop still being reaped
            left = processesIn(tmp);
        }
        assertEquals(List.of(), left, "processes left behind");
    }

    private Process mvn(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("mvn", "-B", "-o", "-Dstyle.color=never"));
        cmd.addAll(List.of(args));
        cmd.add("-Dcrac-dev.options=--engine standby --images " + tmp.resolve("images") + " --ready-url http://localhost:" + port + "/");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(app.toFile()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("mvn-" + started.size() + ".log").toFile());
        pb.environment().put("PORT", Integer.toString(port));
        Process p = pb.start();
        started.add(p);
        return p;
    }

    private String log(int n) throws IOException {
        return Files.readString(tmp.resolve("mvn-" + n + ".log"));
    }

    @Test
    void runExitsWithTheCommandsStatus() throws Exception {
        Process ok = mvn("-q", "crac-dev:run", "-Dcrac-dev.command=test \"$(curl -s http://localhost:$PORT/notes/count)\" = 400");
        assertTrue(ok.waitFor(5, TimeUnit.MINUTES));
        assertEquals(0, ok.exitValue(), log(0));
        Process failing = mvn("crac-dev:run", "-Dcrac-dev.command=exit 3");
        assertTrue(failing.waitFor(5, TimeUnit.MINUTES));
        assertNotEquals(0, failing.exitValue());
        assertTrue(log(1).contains("'exit 3' exited with status 3"), log(1));
    }

    @Test
    void startRunsTheAppCompilesOnSaveAndEndsWhenMavenIsStopped() throws Exception {
        Process mvn = mvn("-q", PLUGIN + ":start"); // the full name works without the pom naming the plugin
        assertEquals("Hello from generation 1", awaitBody("Hello from generation 1", mvn), log(0));

        Path controller = app.resolve("src/main/java/demo/GreetingController.java");
        Files.writeString(controller, Files.readString(controller).replace("\"Hello from generation \"", "\"Saved from generation \""));
        assertEquals("Saved from generation 2", awaitBody("Saved from generation 2", mvn), log(0)); // compiled by crac-dev
        assertTrue(log(0).contains("compiled 1 source"), log(0));

        mvn.destroy(); // what a terminal's Ctrl-C or a CI timeout does to Maven
        assertTrue(mvn.waitFor(60, TimeUnit.SECONDS));
    }

    /** GET / until it answers {@code expected} (or 5 minutes pass, or Maven ends); the last answer. */
    private String awaitBody(String expected, Process mvn) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        String body = "";
        while (!body.strip().equals(expected) && System.nanoTime() < deadline && mvn.isAlive()) {
            try {
                body = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
            } catch (IOException e) {
                body = "";
            }
            if (!body.strip().equals(expected)) {
                TimeUnit.MILLISECONDS.sleep(200); // not listening yet, or still the previous generation
            }
        }
        return body.strip();
    }

    private static List<String> processesIn(Path dir) throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> pids = Files.list(Path.of("/proc"))) {
            for (Path p : pids.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
                    if (cmdline.contains(dir.toString()) && !p.getFileName().toString().equals(Long.toString(ProcessHandle.current().pid()))) {
                        found.add(p.getFileName() + " " + cmdline);
                    }
                } catch (IOException e) {
                    // gone meanwhile
                }
            }
        }
        return found;
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                copy(p, to.resolve(from.relativize(p).toString()));
            }
        }
    }
}
