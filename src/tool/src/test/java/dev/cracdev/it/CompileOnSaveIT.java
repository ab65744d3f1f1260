package dev.cracdev.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compile on save in a Maven project started with no options: real sources edited, compiled by the
 * supervisor, picked up by the next generation. The project's class path is pre-seeded in crac-dev's
 * cache (what a first start would have asked Maven for), so no Maven runs here.
 */
class CompileOnSaveIT {
    private static final Duration T = Duration.ofSeconds(60);
    private static final String POM = """
            <project>
              <modelVersion>4.0.0</modelVersion>
              <groupId>t</groupId><artifactId>t</artifactId><version>1</version>
              <properties>
                <exec.mainClass>app.Main</exec.mainClass>
                <maven.compiler.release>17</maven.compiler.release>
              </properties>
            </project>
            """;

    @TempDir
    Path tmp;
    private Path dir;
    private Path sources;
    private SupervisorProcess supervisor;

    @BeforeEach
    void createMavenProject() throws Exception {
        TestProject base = TestProject.create(tmp.resolve("project")); // for its framework jar
        dir = base.dir;
        sources = dir.resolve("src/main/java");
        Files.writeString(dir.resolve("pom.xml"), POM);
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(POM.getBytes(StandardCharsets.UTF_8))).substring(0, 16);
        TestProject.write(dir.resolve("target/crac-dev/classpath-" + hash + ".txt"), base.frameworkJar.toString());
        writeGreeting("one");
        writeMain("hello");
        TestProject.write(dir.resolve("src/main/resources/app.properties"), "colour=red\n");
        Files.copy(dir.resolve("src/main/resources/app.properties"), base.appRoot.resolve("app.properties"));
        TestProject.compile(sources, base.appRoot, List.of()); // the build before crac-dev starts
    }

    @AfterEach
    void stop() throws Exception {
        if (supervisor != null) {
            supervisor.close();
        }
        ProcessAssertions.assertNothingLeftIn(tmp);
    }

    private void writeGreeting(String text) throws Exception {
        TestProject.write(sources.resolve("app/Greeting.java"), """
                package app;
                public class Greeting {
                    public static final String TEXT = "%s"; // a constant: javac copies it into Main
                }
                """.formatted(text));
    }

    private void writeMain(String word) throws Exception {
        TestProject.write(sources.resolve("app/Main.java"), """
                package app;
                public class Main {
                    public static void main(String[] args) throws Exception {
                        java.util.Properties p = new java.util.Properties();
                        try (var in = Main.class.getResourceAsStream("/app.properties")) {
                            p.load(in);
                        }
                        System.out.println("%s " + Greeting.TEXT + " colour=" + p.getProperty("colour")
                                + " gen=" + System.getProperty("cracdev.generation"));
                        new Thread(() -> {
                            try { new java.util.concurrent.CountDownLatch(1).await(); } catch (InterruptedException e) { }
                        }, "server").start();
                    }
                }
                """.formatted(word));
    }

    private void start(String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("start", "--engine", "standby", "--ready-log", " gen=",
                "--images", tmp.resolve("images").toString(), "--verbose"));
        args.addAll(List.of(extra));
        supervisor = SupervisorProcess.start(dir, args); // no -cp, no --app, no main class: the pom says it all
        supervisor.await("^hello one colour=red gen=1$", T);
    }

    @Test
    void aSavedSourceIsCompiledWithTheSourcesThatUseItAndTheNextGenerationRunsIt() throws Exception {
        start();
        writeGreeting("two"); // only Greeting.java is saved; Main holds a copy of the old constant
        supervisor.await("compiled 2 sources in \\d+ ms", T);
        supervisor.await("^hello two colour=red gen=2$", T);
    }

    @Test
    void aCompileErrorSaysWhereKeepsTheGenerationAndTheNextGoodSaveRecovers() throws Exception {
        start();
        Files.writeString(sources.resolve("app/Main.java"), "package app;\npublic class Main {\n  int x = ;\n}\n");
        supervisor.await("src/main/java/app/Main\\.java:3: illegal start of expression", T);
        supervisor.await("the running generation keeps serving; fix it and save again", T);
        assertTrue(Files.exists(dir.resolve("target/classes/app/Main.class")), "a broken save writes nothing");
        writeMain("fixed");
        supervisor.await("^fixed one colour=red gen=2$", T);
        assertEquals(1, supervisor.count(" gen=2$"), "the broken save started no generation: " + supervisor.output());
    }

    @Test
    void aDeletedSourceTakesItsClassesAndTheSourcesThatUsedItAreCompiledAgain() throws Exception {
        start();
        TestProject.write(sources.resolve("app/Unused.java"), "package app;\npublic class Unused {\n}\n");
        supervisor.await("compiled 1 source in \\d+ ms", T);
        Files.delete(sources.resolve("app/Unused.java"));
        supervisor.await("removed the classes of 1 deleted source$", T);
        assertFalse(Files.exists(dir.resolve("target/classes/app/Unused.class")));
        assertEquals(0, supervisor.count("compiled 0 sources"));
        Files.delete(sources.resolve("app/Greeting.java")); // Main uses it: Main no longer compiles
        supervisor.await("src/main/java/app/Main\\.java:\\d+: cannot find symbol", T);
        supervisor.await("the deleted sources' classes are gone, nothing else was written: the next generation runs without"
                + " them; fix it and save again", T);
        assertFalse(Files.exists(dir.resolve("target/classes/app/Greeting.class")), "javac must not compile against it");
    }

    @Test
    void aSavedResourceIsCopiedIntoTheClasses() throws Exception {
        start();
        Files.writeString(dir.resolve("src/main/resources/app.properties"), "colour=blue\n");
        supervisor.await("^hello one colour=blue gen=2$", T);
    }

    @Test
    void withATriggerFileChangesWaitForItThenRestartOnce() throws Exception {
        Path trigger = dir.resolve(".reloadtrigger");
        start("--trigger-file", trigger.toString());
        long firstPid = Long.parseLong(supervisor.await("\\[crac-dev\\] gen 1 ready in .* pid (\\d+)$", T).group(1));
        writeGreeting("two");
        supervisor.await("compiled 2 sources", T);
        supervisor.await("held until .*\\.reloadtrigger is touched", T);
        assertTrue(ProcessHandle.of(firstPid).map(ProcessHandle::isAlive).orElse(false), "it serves until the trigger");
        Files.writeString(trigger, "now");
        supervisor.await("^hello two colour=red gen=2$", T);
        assertEquals(1, supervisor.count(" gen=2$"));
    }

    @Test
    void noCompileLeavesTheSourcesToTheIde() throws Exception {
        start("--no-compile");
        writeGreeting("two");
        Files.writeString(dir.resolve("src/main/resources/app.properties"), "colour=blue\n");
        // what the IDE would do: its build writes the classes, and that is the change
        TestProject.compile(sources, dir.resolve("target/classes"), List.of());
        // the build may write its classes far enough apart to be two changes (a busy machine): then two generations
        supervisor.await("^hello two colour=red gen=\\d+$", T);
        assertEquals(0, supervisor.count("compiled \\d+ source"), supervisor.output());
    }
}
