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
        return new CracDevClassLoader(List.of(fw), List.of(app), ClassLoader.getPlatformClassLoader());
    }

    @Test
    void anInitializerThatReadsAnAppResourceIsTaintedAndAPlainOneIsNot() throws Exception {
        try (CracDevClassLoader loader = loader()) {
            Class.forName("fw.Plain", true, loader);
            // its initialization is failed on purpose: dependents then fail too and are found in one round
            assertThrows(CracDevClassLoader.AppFileReadDuringFrameworkPhase.class, () -> Class.forName("fw.ReadsConfig", true, loader));
            assertEquals(java.util.Set.of("fw.ReadsConfig"), loader.taintedClasses());
            assertEquals(List.of("fw.Plain", "fw.ReadsConfig"), loader.recordedClasses(), "framework classes recorded in load order");
        }
    }

    @Test
    void anAppClassLoadedByAFrameworkInitializerTaintsThatInitializerInsteadOfCrossingTheBoundary() throws Exception {
        try (CracDevClassLoader loader = loader()) {
            assertThrows(CracDevClassLoader.AppFileReadDuringFrameworkPhase.class, () -> Class.forName("fw.LoadsApp", true, loader));
            assertTrue(loader.taintedClasses().contains("fw.LoadsApp"));
            assertEquals(List.of(), loader.boundaryViolations());
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
