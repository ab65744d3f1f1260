package dev.cracdev.it;

import dev.cracdev.engine.criu.Criu;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A separate Maven project that depends on nothing of ours but {@code crac-dev-junit5} (as {@code mvn install}
 * left it: scripts/test installs before it verifies) runs an {@code @FreshCracDevApp} test class against the
 * example app under crac-dev: each test starts from the fixture, and its class path holds none of the tool's
 * libraries.
 */
class JUnitArtifactIT {
    private static final String VERSION = "0.1.0-SNAPSHOT";

    @TempDir
    Path tmp;
    private SupervisorProcess supervisor;

    @AfterEach
    void stop() throws Exception {
        if (supervisor != null) {
            supervisor.close();
        }
        ProcessAssertions.assertNothingLeftIn(tmp);
    }

    @Test
    void aProjectWithOnlyTheJUnitArtifactGetsAPristineAppBeforeEachTest() throws Exception {
        assumeTrue(Files.isRegularFile(WarmSpringBootIT.EXAMPLE.resolve("target/framework.classpath")),
                "the example app is not built: scripts/test builds it");
        if (!Criu.probe().usable()) {
            assumeTrue(System.getenv("CI") != null, "resets need the criu engine: " + Criu.probe().reason());
            fail("CI must run the reset tests, but " + Criu.probe().reason());
        }
        assumeTrue(Files.isDirectory(Path.of(System.getProperty("user.home"), ".m2/repository/dev/cracdev/crac-dev-junit5", VERSION)),
                "crac-dev-junit5 is not installed: run 'mvn install -DskipTests' first (scripts/test does)");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path app = tmp.resolve("app");
        WarmSpringBootIT.copyTree(WarmSpringBootIT.EXAMPLE.resolve("target/classes"), app.resolve("target/classes"));
        Path socket = tmp.resolve("ctl.sock");
        supervisor = SupervisorProcess.start(app, List.of("start", "--engine", "criu", "--ready-image", "on",
                "-cp", Files.readString(WarmSpringBootIT.EXAMPLE.resolve("target/framework.classpath")).strip(),
                "--app", "target/classes", "--ready-url", "http://localhost:" + port + "/", "--socket", socket.toString(),
                "--images", tmp.resolve("images").toString(), "demo.HelloApplication"), Map.of("PORT", Integer.toString(port)));
        supervisor.await("\\[crac-dev\\] gen 1 ready in .* ready image", Duration.ofMinutes(3));

        Path tests = tmp.resolve("acceptance");
        TestProject.write(tests.resolve("pom.xml"), """
                <project>
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>example</groupId><artifactId>acceptance</artifactId><version>1</version>
                  <properties>
                    <maven.compiler.release>17</maven.compiler.release>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                  </properties>
                  <dependencies>
                    <dependency>
                      <groupId>dev.cracdev</groupId><artifactId>crac-dev-junit5</artifactId><version>%s</version><scope>test</scope>
                    </dependency>
                    <dependency>
                      <groupId>org.junit.jupiter</groupId><artifactId>junit-jupiter</artifactId><version>5.10.2</version><scope>test</scope>
                    </dependency>
                  </dependencies>
                  <build><plugins>
                    <plugin><!-- the versions crac-dev's own build uses: in the local repository, so Maven can run offline -->
                      <groupId>org.apache.maven.plugins</groupId><artifactId>maven-resources-plugin</artifactId><version>3.3.1</version>
                    </plugin>
                    <plugin>
                      <groupId>org.apache.maven.plugins</groupId><artifactId>maven-compiler-plugin</artifactId><version>3.13.0</version>
                    </plugin>
                    <plugin>
                      <groupId>org.apache.maven.plugins</groupId><artifactId>maven-surefire-plugin</artifactId><version>3.2.5</version>
                    </plugin>
                  </plugins></build>
                </project>
                """.formatted(VERSION));
        TestProject.write(tests.resolve("src/test/java/NotesTest.java"), """
                import dev.cracdev.junit.FreshCracDevApp;
                import org.junit.jupiter.api.Test;
                import java.net.URI;
                import java.net.http.*;
                import static org.junit.jupiter.api.Assertions.*;

                @FreshCracDevApp
                class NotesTest {
                    static final HttpClient HTTP = HttpClient.newHttpClient();
                    static final String BASE = "http://localhost:" + System.getenv("PORT");

                    static String send(HttpRequest.Builder r) throws Exception {
                        return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString()).body().strip();
                    }

                    void addsANoteToTheFixture() throws Exception {
                        assertEquals("400", send(HttpRequest.newBuilder(URI.create(BASE + "/notes/count"))));
                        assertEquals("401", send(HttpRequest.newBuilder(URI.create(BASE + "/notes"))
                                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("from a test"))));
                    }

                    @Test void first() throws Exception { addsANoteToTheFixture(); }
                    @Test void second() throws Exception { addsANoteToTheFixture(); }

                    @Test
                    void noneOfTheToolsLibrariesIsOnTheTestClassPath() {
                        for (String c : new String[] {"picocli.CommandLine", "io.methvin.watcher.DirectoryWatcher",
                                "org.slf4j.impl.StaticLoggerBinder", "dev.cracdev.supervisor.Supervisor"}) {
                            assertThrows(ClassNotFoundException.class, () -> Class.forName(c), c);
                        }
                    }
                }
                """);
        ProcessBuilder mvn = new ProcessBuilder("mvn", "-B", "-o", "-Dstyle.color=never", "test").directory(tests.toFile())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("mvn.log").toFile());
        mvn.environment().put("PORT", Integer.toString(port));
        mvn.environment().put("CRACDEV_SOCKET", socket.toString());
        Process p = mvn.start();
        try {
            assertTrue(p.waitFor(5, TimeUnit.MINUTES), "mvn test did not end");
        } finally {
            p.destroyForcibly();
        }
        String log = Files.readString(tmp.resolve("mvn.log"));
        assertEquals(0, p.exitValue(), log);
        assertTrue(log.contains("Tests run: 3, Failures: 0, Errors: 0, Skipped: 0"), log);
    }
}
