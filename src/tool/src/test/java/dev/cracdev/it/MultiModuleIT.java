package dev.cracdev.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code crac-dev start} with no options in the app module of a real multi-module Maven build (parent,
 * {@code core}, {@code app} depending on core and on picocli): the class path comes from the build's own
 * Maven, the sibling module is app code (its classes are an app root, not framework), and a source saved in
 * the sibling is compiled and running in the next generation. A saved pom is resolved again: a new class path
 * starts over on it, the same one changes nothing, a broken one leaves the running app alone.
 */
class MultiModuleIT {
    private static final Duration T = Duration.ofSeconds(90);

    @TempDir
    Path tmp;
    private Path build;
    private SupervisorProcess supervisor;

    @BeforeEach
    void createBuild() throws Exception {
        build = tmp.resolve("build");
        TestProject.write(build.resolve("pom.xml"), """
                <project>
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>t</groupId><artifactId>parent</artifactId><version>1</version><packaging>pom</packaging>
                  <modules><module>core</module><module>app</module></modules>
                  <properties>
                    <maven.compiler.release>17</maven.compiler.release>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                  </properties>
                  <build><pluginManagement><plugins>
                    <plugin><artifactId>maven-compiler-plugin</artifactId><version>3.13.0</version></plugin>
                    <plugin><artifactId>maven-resources-plugin</artifactId><version>3.3.1</version></plugin>
                    <plugin><artifactId>maven-dependency-plugin</artifactId><version>3.6.1</version></plugin>
                  </plugins></pluginManagement></build>
                </project>
                """);
        TestProject.write(build.resolve("core/pom.xml"), """
                <project>
                  <modelVersion>4.0.0</modelVersion>
                  <parent><groupId>t</groupId><artifactId>parent</artifactId><version>1</version></parent>
                  <artifactId>core</artifactId>
                </project>
                """);
        writeAppPom("");
        writeWords("one");
        TestProject.write(build.resolve("app/src/main/java/app/Main.java"), """
                package app;
                public class Main {
                    public static void main(String[] args) throws Exception {
                        boolean watcher;
                        try {
                            Class.forName("io.methvin.watcher.DirectoryWatcher");
                            watcher = true;
                        } catch (ClassNotFoundException e) {
                            watcher = false;
                        }
                        System.out.println("word=" + core.Words.word() + " picocli=" + picocli.CommandLine.VERSION
                                + " watcher=" + watcher + " gen=" + System.getProperty("cracdev.generation"));
                        Thread.sleep(Long.MAX_VALUE); // a server would block here
                    }
                }
                """);
        Process mvn = new ProcessBuilder("mvn", "-q", "-B", "-o", "-Dstyle.color=never", "compile").directory(build.toFile())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("mvn.log").toFile()).start();
        try {
            assertTrue(mvn.waitFor(5, TimeUnit.MINUTES), "mvn compile did not end");
        } finally {
            mvn.destroyForcibly();
        }
        assertEquals(0, mvn.exitValue(), "the fixture's own build failed: " + Files.readString(tmp.resolve("mvn.log")));
    }

    @AfterEach
    void stop() throws Exception {
        if (supervisor != null) {
            supervisor.close();
        }
        ProcessAssertions.assertNothingLeftIn(tmp);
    }

    /** The app module's pom: depends on core and on picocli (jars this machine's Maven already has), plus {@code more}. */
    private void writeAppPom(String more) throws Exception {
        TestProject.write(build.resolve("app/pom.xml"), """
                <project>
                  <modelVersion>4.0.0</modelVersion>
                  <parent><groupId>t</groupId><artifactId>parent</artifactId><version>1</version></parent>
                  <artifactId>app</artifactId>
                  <properties><exec.mainClass>app.Main</exec.mainClass></properties>
                  <dependencies>
                    <dependency><groupId>t</groupId><artifactId>core</artifactId><version>1</version></dependency>
                    <dependency><groupId>info.picocli</groupId><artifactId>picocli</artifactId><version>%s</version></dependency>
                    %s
                  </dependencies>
                </project>
                """.formatted(picocli.CommandLine.VERSION, more));
    }

    private void start() throws Exception {
        supervisor = SupervisorProcess.start(build.resolve("app"), List.of("start", "--engine", "standby",
                "--ready-log", "word=", "--images", tmp.resolve("images").toString()));
    }

    private void writeWords(String word) throws Exception {
        TestProject.write(build.resolve("core/src/main/java/core/Words.java"), """
                package core;
                public class Words {
                    public static String word() { return "%s"; }
                }
                """.formatted(word));
    }

    @Test
    void aSiblingModuleIsAppCodeAndASaveThereReachesTheNextGeneration() throws Exception {
        start();
        supervisor.await("app roots target/classes and, from the multi-module build at .*, \\.\\./core/target/classes", T);
        supervisor.await("^word=one picocli=\\S+ watcher=false gen=1$", T);

        Path cached;
        try (var files = Files.list(build.resolve("app/target/crac-dev"))) {
            cached = files.filter(f -> f.getFileName().toString().startsWith("classpath-")).findFirst().orElseThrow();
        }
        String classPath = Files.readString(cached);
        assertTrue(classPath.contains("core/target/classes") && classPath.contains("picocli"),
                "Maven's class path of the app module: " + classPath);

        writeWords("two"); // a save in the sibling module: compiled there, then a new generation
        supervisor.await("compiled 2 sources in \\d+ ms", T); // Words and Main, which calls it
        supervisor.await("^word=two picocli=\\S+ watcher=false gen=2$", T);
        assertTrue(Files.readString(build.resolve("core/target/classes/core/Words.class"), java.nio.charset.StandardCharsets.ISO_8859_1)
                .contains("two"), "the class went to the sibling module's target/classes");
        assertFalse(Files.exists(build.resolve("app/target/classes/core/Words.class")), "not into the app module's");
        // the sibling is app code: its change neither prepared a new template nor bypassed the parked standby
        assertEquals(0, supervisor.count("preparing a new|read by the framework phase"), supervisor.output());
        supervisor.await("gen 2 ready .*release standby", T);
    }

    @Test
    void aPomChangeResolvesTheClassPathAgainAndTheAppRunsOnTheNewOne() throws Exception {
        start();
        supervisor.await("^word=one picocli=\\S+ watcher=false gen=1$", T);
        Path jar = Path.of(io.methvin.watcher.DirectoryWatcher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        writeAppPom("<dependency><groupId>io.methvin</groupId><artifactId>directory-watcher</artifactId><version>"
                + jar.getParent().getFileName() + "</version></dependency>");
        supervisor.await("pom\\.xml changed: resolving the class path again", T);
        supervisor.await("the class path changed: starting over on it", T);
        // the image refresh: the new framework jar makes a new fingerprint, so a new template
        supervisor.await("framework entry .*directory-watcher.*\\.jar was added since the last run: preparing a new standby template", T);
        supervisor.await("^word=one picocli=\\S+ watcher=true gen=1$", T);
        assertEquals(2, supervisor.count("framework class path resolved by Maven"), supervisor.output());

        writeAppPom("<!-- a comment: the same class path -->" + "<dependency><groupId>io.methvin</groupId><artifactId>"
                + "directory-watcher</artifactId><version>" + jar.getParent().getFileName() + "</version></dependency>");
        supervisor.await("the class path and main class are unchanged: nothing to do", T);

        writeAppPom("<dependency><groupId>no.such</groupId><artifactId>nothing</artifactId><version>1</version></dependency>");
        supervisor.await("dependency:build-classpath failed .* \\(the running generation keeps serving\\)", T);
        assertEquals(1, supervisor.count("watcher=true gen=1$"), "the running generation was left alone: " + supervisor.output());
    }
}
