package dev.cracdev.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.ToolProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The loader's framework-phase bookkeeping, with real compiled classes. */
class CracDevClassLoaderTest {
    @TempDir
    Path tmp;

    private CracDevClassLoader loader() throws Exception {
        Path src = tmp.resolve("src");
        Files.createDirectories(src.resolve("fw"));
        Files.createDirectories(src.resolve("app"));
        Files.writeString(src.resolve("fw/ReadsConfig.java"), """
                package fw;
                public class ReadsConfig {
                    public static final boolean FOUND = ReadsConfig.class.getClassLoader().getResource("logback.xml") != null;
                }
                """);
        Files.writeString(src.resolve("fw/Plain.java"), "package fw; public class Plain { static int x = 42; }");
        Files.writeString(src.resolve("fw/LoadsApp.java"),
                "package fw; public class LoadsApp { static { try { Class.forName(\"app.Hello\"); } catch (Exception e) { throw new RuntimeException(e); } } }");
        Files.writeString(src.resolve("app/Hello.java"), "package app; public class Hello { }");
        Path fw = tmp.resolve("fw");
        Path app = tmp.resolve("app");
        compile(fw, src.resolve("fw/ReadsConfig.java"), src.resolve("fw/Plain.java"), src.resolve("fw/LoadsApp.java"));
        compile(app, src.resolve("app/Hello.java"));
        Files.writeString(app.resolve("logback.xml"), "<configuration/>");
        return new CracDevClassLoader(List.of(fw), List.of(app), ClassLoader.getPlatformClassLoader(), List.of());
    }

    @Test
    void anInitializerThatReadsAnAppResourceRunsAndTheReadSetKeysItsImageOnThatFile() throws Exception {
        try (CracDevClassLoader loader = loader()) {
            Class.forName("fw.Plain", true, loader);
            assertTrue((Boolean) Class.forName("fw.ReadsConfig", true, loader).getField("FOUND").get(null),
                    "the initializer ran and saw the app's file");
            assertEquals(java.util.Set.of(), loader.taintedClasses());
            assertEquals(List.of("fw.Plain", "fw.ReadsConfig"), loader.recordedClasses(), "framework classes recorded in load order");
            List<Path> roots = List.of(tmp.resolve("app"));
            assertEquals(List.of(), loader.readSet().changed(roots));
            Files.writeString(tmp.resolve("app/logback.xml"), "<configuration debug=\"true\"/>");
            assertEquals(List.of("logback.xml"), loader.readSet().changed(roots));
        }
    }

    @Test
    void lookupsThatFoundNothingAreInTheReadSetTooSoAFileThatAppearsLaterInvalidatesIt() throws Exception {
        try (CracDevClassLoader loader = loader()) {
            assertEquals(null, loader.getResource("META-INF/fw.factories"));
            assertThrows(ClassNotFoundException.class, () -> Class.forName("org.slf4j.impl.StaticLoggerBinder", false, loader));
            List<Path> roots = List.of(tmp.resolve("app"));
            assertEquals(List.of(), loader.readSet().changed(roots));
            Files.createDirectories(tmp.resolve("app/META-INF"));
            Files.writeString(tmp.resolve("app/META-INF/fw.factories"), "fw.Plugin=app.Plugin");
            assertEquals(List.of("META-INF/fw.factories"), loader.readSet().changed(roots));
            Files.createDirectories(tmp.resolve("app/org/slf4j/impl"));
            Files.writeString(tmp.resolve("app/org/slf4j/impl/StaticLoggerBinder.class"), "not really a class");
            assertEquals(List.of("META-INF/fw.factories", "org/slf4j/impl/StaticLoggerBinder.class"),
                    loader.readSet().changed(roots));
        }
    }

    @Test
    void aNameTheFrameworkHoldsStaysOutOfTheReadSetSinceTheAppRootsComeAfterIt() throws Exception {
        try (CracDevClassLoader loader = loader()) {
            assertTrue(loader.getResource("fw/Plain.class").toString().contains("/fw/"));
            assertEquals(0, loader.readSet().size(), "found in the framework: what the app roots hold cannot matter");
            Files.createDirectories(tmp.resolve("app/fw"));
            Files.writeString(tmp.resolve("app/fw/Plain.class"), "shadowed by the framework's");
            assertEquals(List.of(), loader.readSet().changed(List.of(tmp.resolve("app"))));
            assertTrue(loader.getResource("logback.xml") != null);
            assertEquals(1, loader.readSet().size(), "found in an app root: recorded");
        }
    }

    @Test
    void anAppClassLoadedByAFrameworkInitializerTaintsThatInitializerInsteadOfCrossingTheBoundary() throws Exception {
        try (CracDevClassLoader loader = loader()) {
            assertThrows(CracDevClassLoader.AppClassLoadedDuringFrameworkPhase.class, () -> Class.forName("fw.LoadsApp", true, loader));
            assertTrue(loader.taintedClasses().contains("fw.LoadsApp"));
            assertEquals(List.of(), loader.boundaryViolations());
        }
    }

    @Test
    void theSavedClassListMarksClassesThisJvmLoadedButDidNotInitialize() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(InitializationState.known(),
                "this JVM cannot tell whether a class was initialized (see InitializationState)");
        try (CracDevClassLoader loader = loader()) {
            Class.forName("fw.Plain", true, loader);
            Class.forName("fw.LoadsApp", false, loader); // loaded, never initialized (Spring loads many so)
            assertEquals(List.of("fw.Plain", "-fw.LoadsApp"), loader.classListToSave());
        }
    }

    @Test
    void anAppClassLoadedOutsideAnyInitializerIsABoundaryViolation() throws Exception {
        try (CracDevClassLoader loader = loader()) {
            Class.forName("app.Hello", false, loader);
            assertEquals(1, loader.boundaryViolations().size());
            assertTrue(loader.boundaryViolations().get(0).startsWith("app.Hello (from "), loader.boundaryViolations().get(0));
        }
    }

    @Test
    void afterTheBoundaryAppClassesAndResourcesLoadNormally() throws Exception {
        try (CracDevClassLoader loader = loader()) {
            loader.enterAppPhase();
            Class.forName("app.Hello", true, loader);
            Class.forName("fw.ReadsConfig", true, loader);
            assertEquals(List.of(), loader.boundaryViolations());
            assertEquals(java.util.Set.of(), loader.taintedClasses());
            assertEquals(0, loader.readSet().size(), "the app phase's own lookups key nothing");
            assertEquals(List.of("fw.ReadsConfig"), loader.recordedClasses(), "app classes are not recorded");
        }
    }

    private static void compile(Path out, Path... sources) {
        String[] args = new String[sources.length + 2];
        args[0] = "-d";
        args[1] = out.toString();
        for (int i = 0; i < sources.length; i++) {
            args[i + 2] = sources[i].toString();
        }
        assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null, args));
    }
}
