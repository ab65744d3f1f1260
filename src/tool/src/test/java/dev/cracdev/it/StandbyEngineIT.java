package dev.cracdev.it;

import dev.cracdev.supervisor.Project;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The contract for the standby engine, plus what makes it worth having. */
class StandbyEngineIT extends AbstractEngineContractIT {
    @Override
    protected String engine() {
        return "standby";
    }

    @Override
    protected void awaitFrameworkPhaseAhead(int nth) throws Exception {
        supervisor.await("standby reached the boundary in \\d+ ms, preloaded [1-9]\\d* classes", nth, T);
    }

    @Test
    void theFrameworkPhaseIsNotOnTheCriticalPathOfAChange() throws Exception {
        startSupervisor("--verbose");
        supervisor.await("\\[crac-dev\\] gen 1 ready in", T);
        // the next standby is parked at the boundary before the change comes (state, not a log line: the
        // line is printed a moment before the standby is handed to the engine)
        supervisor.await("standby reached the boundary", 2, T);
        await().atMost(T).until(() -> SupervisorProcess.run(project.dir, List.of("status", "--json")).output()
                .contains("\"next\":\"standby parked\""));
        project.writeApp("v2", "");
        supervisor.await("\\[crac-dev\\] gen 2 ready in .* release standby \\d+ ms .* framework phase .* done ahead", T);
    }

    @Test
    void theStandbyPreparedAfterTheFirstGenerationBootsOnceWithTheClassListItRecorded() throws Exception {
        startSupervisor("--verbose");
        supervisor.await("\\[crac-dev\\] gen 1 ready in", T);
        await().atMost(T).until(() -> SupervisorProcess.run(project.dir, List.of("status", "--json")).output()
                .contains("\"next\":\"standby parked\""));
        // one standby for gen 1 (no class list yet), one for the next generation: booted once the list was in,
        // not booted before it (preloading nothing) and then replaced
        assertEquals(2, supervisor.count("start standby: "), supervisor.output());
        supervisor.await("standby reached the boundary in \\d+ ms, preloaded [1-9]\\d* classes", T);
    }

    @Test
    void aChangeThatMustWaitForTheNextStandbySaysWhy() throws Exception {
        Path hold = Files.createFile(tmp.resolve("hold")); // the next standby's framework phase waits while it exists
        project.addSlowFrameworkClass(hold);
        project.writeApp("v1", "fw.Slow.touch();");
        startSupervisor();
        supervisor.await("\\[crac-dev\\] gen 1 ready in", T);
        project.writeApp("v2", "fw.Slow.touch();");
        supervisor.await("\\[crac-dev\\] gen 2 waits for the next standby JVM: it is still in its framework phase", T);
        Files.delete(hold);
        supervisor.await("\\[crac-dev\\] gen 2 ready in .* release standby \\(it was still booting\\)", T);
        assertEquals(1, supervisor.count("waits for the next standby"), supervisor.output());
    }

    /**
     * JDK 22 dropped {@code sun.misc.Unsafe.shouldBeInitialized}; there crac-dev exports jdk.internal.misc so the
     * recorded class list still marks a class the app only loaded, and the framework phase does not run its
     * initializer (before: it failed there, and the template rebooted to learn it).
     */
    @Test
    void onAJdkWithoutSunMiscsInitializationStateAClassTheAppOnlyLoadedIsNotInitializedAhead() throws Exception {
        Optional<Path> newer = jdkHome(22);
        assumeTrue(newer.isPresent(), "no JDK 22 or newer under /usr/lib/jvm or in CRACDEV_TEST_NEWER_JDK");
        project.addFrameworkClassWithAFailingInitializer();
        project.writeApp("v1", "Class.forName(\"fw.Optional\", false, ClassLoader.getSystemClassLoader());");
        startSupervisor("--verbose", "--java", newer.get().toString());
        supervisor.await("\\[crac-dev\\] gen 1 ready in", T);
        supervisor.await("standby reached the boundary in \\d+ ms, preloaded [1-9]\\d* classes \\(0 failed\\)", T);
        assertEquals(0, supervisor.count("rebooting the template"), supervisor.output());
        assertEquals(0, supervisor.count("optional dependency missing"), supervisor.output());
    }

    /**
     * A JDK of at least {@code feature}: $CRACDEV_TEST_NEWER_JDK, else the newest such under /usr/lib/jvm, else the
     * one running the tests.
     */
    private static Optional<Path> jdkHome(int feature) throws IOException {
        String given = System.getenv("CRACDEV_TEST_NEWER_JDK");
        if (given != null && !given.isBlank()) {
            return Optional.of(Path.of(given)).filter(home -> featureVersion(home) >= feature);
        }
        Path jvms = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (Stream<Path> homes = Files.list(jvms)) {
                Optional<Path> found = homes.filter(home -> featureVersion(home) >= feature)
                        .max(Comparator.comparingInt(StandbyEngineIT::featureVersion));
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Optional.of(Path.of(System.getProperty("java.home"))).filter(home -> featureVersion(home) >= feature);
    }

    private static int featureVersion(Path home) {
        return Files.isExecutable(home.resolve("bin/java")) ? Project.javaFeatureVersion(home.resolve("bin/java")) : 0;
    }
}
