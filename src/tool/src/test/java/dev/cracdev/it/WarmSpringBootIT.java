package dev.cracdev.it;

import dev.cracdev.engine.criu.Criu;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import javax.tools.ToolProvider;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The training run on a real Spring Boot app (the bundled example, built by scripts/test): the framework
 * phase starts the app in a throwaway loader (five times), drives it, stops it, proves it gone, and generations
 * start warm from that state; files the training app read itself keep the image; a leak means no training.
 */
class WarmSpringBootIT {
    private static final Duration T = Duration.ofSeconds(180);
    static final Path EXAMPLE = Path.of("../examples/hello-web").toAbsolutePath().normalize();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path tmp;
    private SupervisorProcess supervisor;
    private int port;

    @AfterEach
    void stop() throws Exception {
        if (supervisor != null) {
            supervisor.close();
        }
        ProcessAssertions.assertNothingLeftIn(tmp);
    }

    @ParameterizedTest(name = "{0} engine")
    @CsvSource({"criu", "standby"})
    void aTrainedFrameworkPhaseStartsWarmGenerationsThatStillSeeTodaysFiles(String engine) throws Exception {
        assumeEngine(engine);
        Path project = copyExample();
        Path starts = tmp.resolve("starts.txt"); // one line per start of the app: "training", or its generation
        compile(project, "CountedApplication", """
                package demo;
                public class CountedApplication {
                    public static void main(String[] args) throws Exception {
                        java.nio.file.Files.writeString(java.nio.file.Path.of("%s"),
                                System.getProperty("cracdev.generation", "training") + "\\n",
                                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                        org.springframework.boot.SpringApplication.run(HelloApplication.class, args);
                    }
                }
                """.formatted(starts));
        start(project, engine, "demo.CountedApplication");
        supervisor.await(engine.equals("criu") ? "\\[crac-dev\\] base image ready in .* app trained in \\d+ ms"
                : "standby reached the boundary in .* trained in \\d+ ms", T);
        // five app starts compile the start-up code that one start leaves just below the JIT's thresholds
        long trained = supervisor.count("reached the boundary in .* trained in \\d+ ms");
        assertTrue(trained > 0);
        assertEquals(trained, supervisor.count("reached the boundary in .* trained in \\d+ ms \\(5 runs\\)"));
        assertEquals(5 * trained, Files.readAllLines(starts).stream().filter("training"::equals).count(),
                "the app really started five times in each framework phase that trained");
        supervisor.await("\\[crac-dev\\] gen 1 ready in", T);
        assertEquals("Hi", get("/greeting"));

        // read by the app itself (through the training loader in the template): the image stays
        Files.writeString(project.resolve("target/classes/application.properties"),
                Files.readString(project.resolve("target/classes/application.properties")).replace("greeting=Hi", "greeting=Howdy"));
        supervisor.await("\\[crac-dev\\] gen 2 ready in .* (restore|release)", T);
        assertEquals("Howdy", get("/greeting"));

        Path controller = project.resolve("target/classes/demo/GreetingController.class");
        Files.setLastModifiedTime(controller, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
        supervisor.await("\\[crac-dev\\] gen 3 ready in .* (restore|release)", T);
        assertEquals("Hello from generation 3", get("/"));
        assertEquals(0, supervisor.count("starts in a fresh JVM"), "nothing the framework phase read changed");
        assertEquals(0, supervisor.count("rebooting the template"), "the template converged in one boot");
        // the first template, with no class list yet, does not train: there the example's H2 ran its static
        // initializers under the training app and kept it (before: a failed training and a reboot, ~20 s more)
        assertEquals(0, supervisor.count("training the app in the framework phase failed"));
        // Spring Boot disables Tomcat's MBean registry as the app starts; the preload must not have created it
        assertEquals(0, supervisor.count("The MBean registry cannot be disabled because it has already been initialised"),
                "Tomcat registered its MBeans in a generation");
    }

    /**
     * Files that configure the framework, not the app: logback.xml (read by Logback's own start-up, which may run
     * in the framework phase, and by Spring Boot's logging system in every start) and a new
     * META-INF/spring.factories (SpringFactoriesLoader keeps what it found per class loader). What the next
     * generation does follows the files of today; a class-only change after them still comes from the image.
     * (Spring Boot itself reads both again at every start, so this holds even where the framework phase's read set
     * would miss them, checked by a mutation: that mechanism is pinned by the engine contract's fw.conf test.)
     */
    @ParameterizedTest(name = "{0} engine")
    @CsvSource({"criu", "standby"})
    void aChangedLogbackXmlAndANewSpringFactoriesFileAreHonouredByTheNextGeneration(String engine) throws Exception {
        assumeEngine(engine);
        Path project = copyExample();
        Path classes = project.resolve("target/classes");
        compile(project, "ProbeLog", """
                package demo;
                @org.springframework.stereotype.Component
                public class ProbeLog implements org.springframework.context.ApplicationListener<org.springframework.boot.context.event.ApplicationReadyEvent> {
                    public void onApplicationEvent(org.springframework.boot.context.event.ApplicationReadyEvent e) {
                        org.slf4j.LoggerFactory.getLogger("demo.probe").debug("probe: debug on in gen {}", System.getProperty("cracdev.generation"));
                    }
                }
                """);
        compile(project, "ProbeListener", """
                package demo;
                public class ProbeListener implements org.springframework.context.ApplicationListener<org.springframework.boot.context.event.ApplicationReadyEvent> {
                    public void onApplicationEvent(org.springframework.boot.context.event.ApplicationReadyEvent e) {
                        System.out.println("probe: listener from spring.factories in gen " + System.getProperty("cracdev.generation"));
                    }
                }
                """);
        String logback = """
                <configuration>
                  <include resource="org/springframework/boot/logging/logback/defaults.xml"/>
                  <include resource="org/springframework/boot/logging/logback/console-appender.xml"/>
                  <root level="INFO"><appender-ref ref="CONSOLE"/></root>
                  <logger name="demo.probe" level="%s"/>
                </configuration>
                """;
        Files.writeString(classes.resolve("logback.xml"), logback.formatted("INFO"));
        start(project, engine, "demo.HelloApplication");
        supervisor.await("\\[crac-dev\\] gen 1 ready in", T);
        supervisor.await(engine.equals("criu") ? "\\[crac-dev\\] base image ready in .* app trained in \\d+ ms"
                : "standby reached the boundary in .* trained in \\d+ ms", T); // Logback started in it
        awaitNextPrepared(project, engine);

        Files.writeString(classes.resolve("logback.xml"), logback.formatted("DEBUG"));
        supervisor.await("probe: debug on in gen 2$", T);
        supervisor.await("\\[crac-dev\\] gen 2 ready in", T);
        awaitNextPrepared(project, engine);

        Files.createDirectories(classes.resolve("META-INF"));
        Files.writeString(classes.resolve("META-INF/spring.factories"),
                "org.springframework.context.ApplicationListener=demo.ProbeListener\n");
        supervisor.await("probe: listener from spring.factories in gen 3$", T);
        supervisor.await("\\[crac-dev\\] gen 3 ready in", T);
        awaitNextPrepared(project, engine);

        Path controller = classes.resolve("demo/GreetingController.class");
        Files.setLastModifiedTime(controller, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
        supervisor.await("\\[crac-dev\\] gen 4 ready in .* (restore|release)", T);
        // ApplicationReadyEvent comes a moment after the app answers its first request: awaited, not counted
        supervisor.await("probe: debug on in gen 4$", T);
        supervisor.await("probe: listener from spring.factories in gen 4$", T);
        assertEquals(0, supervisor.count("probe: (debug on|listener from spring.factories) in gen 1$"), supervisor.output());
        assertEquals(0, supervisor.count("probe: listener from spring.factories in gen 2$"), supervisor.output());
        assertEquals("Hello from generation 4", get("/"));
    }

    /** Until the next generation waits, prepared from the newest image (criu) or framework phase (standby). */
    private void awaitNextPrepared(Path project, String engine) {
        String parked = engine.equals("criu") ? "\"next\":\"restored ahead\"" : "\"next\":\"standby parked\"";
        org.awaitility.Awaitility.await().atMost(T).pollInterval(Duration.ofMillis(200)).until(() ->
                SupervisorProcess.run(project, List.of("status", "--json")).output().contains(parked));
    }

    /** At every start, or only at its second: the proof after the last run covers every run's loader, not just the last's. */
    @ParameterizedTest(name = "leaks {0}")
    @CsvSource({"'at every start', true, 1", "'only at its second start', false, 2"})
    void anAppThatLeaksIntoAJdkStaticIsNotTrainedAndStillRuns(String when, boolean fromTheFirst, int leakingRun) throws Exception {
        assumeEngine("criu");
        Path project = copyExample();
        compile(project, "LeakyApplication", """
                package demo;
                public class LeakyApplication {
                    public static void main(String[] args) {
                        int start = Integer.getInteger("leaky.starts", 0) + 1;
                        System.setProperty("leaky.starts", Integer.toString(start)); // JDK strings: keep nothing of the app
                        if (%s || start == 2) {
                            System.getProperties().put("leaky.app", LeakyApplication.class); // a JDK static keeps the app
                        }
                        org.springframework.boot.SpringApplication.run(HelloApplication.class, args);
                    }
                }
                """.formatted(fromTheFirst));
        start(project, "criu", "demo.LeakyApplication");
        // one line, naming who holds the app: a heap dump searched from the loader back to a GC root
        supervisor.await("\\[crac-dev\\] training the app in the framework phase failed \\(the training app's class loader"
                + " \\(run " + leakingRun + " of 5\\) was still reachable after it stopped, via java.lang.System.props \\(static\\) -> .* -> demo.LeakyApplication"
                + " \\(class\\) -> its class loader -> .*\\); templates of this project start untrained", T);
        supervisor.await("\\[crac-dev\\] gen 1 ready in", T);
        assertEquals("Hello from generation 1", get("/"));
        assertEquals(0, supervisor.count("app trained in"));
    }

    /** Zero configuration: no -cp, no --app, no main class in the example's directory (Maven resolves them). */
    @Test
    void startWithNoArgumentsInAMavenProjectJustWorks() throws Exception {
        assumeEngine("standby");
        Path project = copyExample();
        Files.copy(EXAMPLE.resolve("pom.xml"), project.resolve("pom.xml"));
        copyTree(EXAMPLE.resolve("src"), project.resolve("src"));
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        supervisor = SupervisorProcess.start(project, List.of("start", "--engine", "standby", "--images", tmp.resolve("images").toString()),
                Map.of("PORT", Integer.toString(port)));
        supervisor.await("\\[crac-dev\\] Maven project: framework class path resolved by Maven", T);
        supervisor.await("\\[crac-dev\\] Maven project: main class demo.HelloApplication \\(the @SpringBootApplication class", T);
        supervisor.await("\\[crac-dev\\] gen 1 ready in", T);
        assertEquals("Hello from generation 1", get("/"));
    }

    private void assumeEngine(String engine) {
        assumeTrue(Files.isRegularFile(EXAMPLE.resolve("target/framework.classpath")),
                "the example app is not built: scripts/test builds it (src/examples/hello-web/target/framework.classpath)");
        assumeTrue(!engine.equals("criu") || Criu.probe().usable() || System.getenv("CI") != null,
                "criu engine not usable here: " + Criu.probe().reason());
    }

    private Path copyExample() throws Exception {
        Path project = tmp.resolve("project");
        copyTree(EXAMPLE.resolve("target/classes"), project.resolve("target/classes"));
        return project;
    }

    /** Compiles one class of package demo into the project's classes, against the example's. */
    private void compile(Path project, String name, String source) throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src-" + name + "/demo")).resolve(name + ".java");
        Files.writeString(src, source);
        String cp = Files.readString(EXAMPLE.resolve("target/framework.classpath")).strip()
                + java.io.File.pathSeparator + project.resolve("target/classes");
        assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null,
                "-cp", cp, "-d", project.resolve("target/classes").toString(), src.toString()));
    }

    static void copyTree(Path from, Path into) throws Exception {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path to = into.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(f, to, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private void start(Path project, String engine, String main) throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> args = new ArrayList<>(List.of("start", "--engine", engine, "--verbose",
                "-cp", Files.readString(EXAMPLE.resolve("target/framework.classpath")).strip(),
                "--app", "target/classes", "--ready-url", "http://localhost:" + port + "/",
                "--images", tmp.resolve("images").toString(), main));
        supervisor = SupervisorProcess.start(project, args, Map.of("PORT", Integer.toString(port)));
    }

    private String get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString()).body().strip();
    }
}
