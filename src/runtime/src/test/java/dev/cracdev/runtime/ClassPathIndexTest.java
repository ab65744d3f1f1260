package dev.cracdev.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With the framework indexed, every lookup answers exactly as the JDK's own walk over the class path: the
 * loader is compared with a plain {@link URLClassLoader} over the same entries, name by name, on real jars
 * (JUnit's, from this test's class path) plus jars made here for the corner cases.
 */
class ClassPathIndexTest {
    private static final List<String> NO_AGENT = List.of("-Xmx512m");

    @TempDir
    Path tmp;

    @Test
    void everyNameAnswersAsTheJdksWalkOverTheClassPath() throws Exception {
        List<Path> framework = new ArrayList<>(realJars());
        framework.add(multiReleaseJar());
        Path app = appRoot();
        try (CracDevClassLoader indexed = loader(framework, app); URLClassLoader plain = plain(framework, app)) {
            assertNull(indexed.indexFramework(NO_AGENT), "the index is built");
            List<String> names = new ArrayList<>();
            for (Path jar : framework) {
                names.addAll(entryNames(jar));
            }
            try (Stream<Path> files = Files.walk(app)) {
                files.map(p -> app.relativize(p).toString().replace('\\', '/')).filter(n -> !n.isEmpty()).forEach(names::add);
            }
            names.addAll(List.of("org/junit/NoSuchThing.class", "META-INF/spring.factories", "logback.xml",
                    "org/junit/jupiter/api", "x/OnlyVersioned.class", "java/lang/Object.class",
                    "java/lang/NoSuchClass.class", "META-INF/MANIFEST.MF", "/org/junit/jupiter/api/Test.class", ""));
            int misses = 0;
            for (String name : names) {
                URL expected = plain.getResource(name);
                assertEquals(String.valueOf(expected), String.valueOf(indexed.getResource(name)), name);
                misses += expected == null ? 1 : 0;
            }
            assertTrue(misses >= 4, "names in no jar and no app root: " + misses);
            for (int n = 0; n < names.size(); n++) { // every 40th class of the jars, each one in no jar or the app root
                String name = names.get(n);
                URL where = plain.getResource(name);
                if (name.endsWith(".class") && !name.startsWith("META-INF/") && !name.startsWith("/")
                        && (n % 40 == 0 || where == null || !where.getProtocol().equals("jar"))) {
                    String className = name.substring(0, name.length() - ".class".length()).replace('/', '.');
                    assertEquals(loads(plain, className), loads(indexed, className), className);
                }
            }
            assertEquals("app.Hello", indexed.loadClass("app.Hello").getName());
            assertEquals(plain.getResource("org/junit/jupiter/api/Test.class").toString(),
                    indexed.getResource("org/junit/jupiter/api/Test.class").toString(), "a jar before the app root wins");
        }
    }

    @Test
    void theIndexSaysForSureOnlyWhatNoJarHolds() throws Exception {
        List<Path> framework = realJars();
        StringBuilder why = new StringBuilder();
        ClassPathIndex index = ClassPathIndex.build(framework, List.of(), NO_AGENT, why);
        assertNotNull(index, why.toString());
        for (Path jar : framework) {
            for (String name : entryNames(jar)) {
                assertTrue(index.firstJar(name) >= 0, name);
            }
        }
        assertEquals(-1, index.firstJar("org/junit/NoSuchThing.class"));
        assertFalse(index.parentMayHold("org/junit/jupiter/api/Test.class"), "no JDK module has org.junit");
        assertTrue(index.parentMayHold("java/lang/Object.class"));
        assertTrue(index.parentMayHold("META-INF/services/x"), "not a package: a JDK module may hold it");
        assertTrue(index.parentMayHold("logback.xml"), "top level: a JDK module may hold it");
    }

    @Test
    void filesAndClassesAddedToTheAppRootsLaterAreFound() throws Exception {
        Path app = appRoot();
        try (CracDevClassLoader indexed = loader(realJars(), app)) {
            assertNull(indexed.indexFramework(NO_AGENT));
            assertNull(indexed.getResource("later/config.txt"));
            Files.createDirectories(app.resolve("later"));
            Files.writeString(app.resolve("later/config.txt"), "x");
            assertNotNull(indexed.getResource("later/config.txt"));
            assertEquals(ClassNotFoundException.class, loads(indexed, "later.Later"));
            Files.write(app.resolve("later/Later.class"), compiledClass("later", "Later"));
            assertEquals("later.Later", loads(indexed, "later.Later"));
        }
    }

    @Test
    void whereTheNamesCannotBeKnownThereIsNoIndexAndTheSaidReason() throws Exception {
        List<Path> jars = realJars();
        assertEquals(tmp + " is a directory", reason(List.of(jars.get(0), tmp), NO_AGENT));
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, "other.jar");
        Path withClassPath = jar("with-class-path.jar", manifest, "a/B.txt");
        assertEquals("with-class-path.jar adds jars through its manifest's Class-Path", reason(List.of(withClassPath), NO_AGENT));
        Path indexed = jarWithIndex("indexed.jar", "indexed.jar\na\n\nother.jar\nb\n");
        assertEquals("indexed.jar has a jar index naming other jars", reason(List.of(indexed), NO_AGENT));
        assertEquals(null, reason(List.of(jarWithIndex("self.jar", "self.jar\na\n")), NO_AGENT), "an index of itself is harmless");
        assertEquals("the JVM runs with -javaagent:/x/agent.jar", reason(jars, List.of("-javaagent:/x/agent.jar")));
        assertEquals(null, reason(jars, List.of("-agentlib:jdwp=transport=dt_socket,server=y")), "a debugger adds no classes");
    }

    private String reason(List<Path> framework, List<String> jvmArguments) {
        StringBuilder why = new StringBuilder();
        ClassPathIndex index = ClassPathIndex.build(framework, List.of(), jvmArguments, why);
        return index == null ? why.toString() : null;
    }

    /** The class's name, or the class of what loading it threw. */
    private static Object loads(ClassLoader loader, String name) {
        try {
            return loader.loadClass(name).getName();
        } catch (ClassNotFoundException | LinkageError e) {
            return e.getClass();
        }
    }

    private static CracDevClassLoader loader(List<Path> framework, Path app) {
        return new CracDevClassLoader(framework, List.of(app), ClassLoader.getPlatformClassLoader(), List.of());
    }

    private static URLClassLoader plain(List<Path> framework, Path app) throws IOException {
        List<URL> urls = new ArrayList<>();
        for (Path p : framework) {
            urls.add(p.toUri().toURL());
        }
        urls.add(CracDevClassLoader.directoryUrl(app));
        return new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
    }

    /** Jars on this test's own class path (JUnit, opentest4j, apiguardian): thousands of real entries. */
    private static List<Path> realJars() {
        List<Path> jars = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (entry.endsWith(".jar") && entry.contains("junit")) {
                jars.add(Path.of(entry));
            }
        }
        assertTrue(jars.size() >= 2, "JUnit's jars are on the test class path: " + jars);
        return jars;
    }

    private Path appRoot() throws IOException {
        Path app = tmp.resolve("app-root");
        Files.createDirectories(app.resolve("app"));
        Files.createDirectories(app.resolve("org/junit/jupiter/api"));
        Files.write(app.resolve("app/Hello.class"), compiledClass("app", "Hello"));
        Files.writeString(app.resolve("logback.xml"), "<configuration/>");
        Files.writeString(app.resolve("org/junit/jupiter/api/Test.class"), "shadowed by the jar");
        return app;
    }

    private byte[] compiledClass(String pkg, String name) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("javac-" + name));
        Path src = dir.resolve(name + ".java");
        Files.writeString(src, "package " + pkg + "; public class " + name + " { }");
        assertEquals(0, javax.tools.ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", dir.toString(), src.toString()));
        return Files.readAllBytes(dir.resolve(pkg + "/" + name + ".class"));
    }

    /** A multi-release jar with a class only under META-INF/versions/9 and a directory entry. */
    private Path multiReleaseJar() throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(new Attributes.Name("Multi-Release"), "true");
        return jar("multi-release.jar", manifest, "META-INF/versions/9/x/OnlyVersioned.class", "x/", "x/Base.txt",
                "META-INF/versions/99/x/Future.txt");
    }

    private Path jar(String name, Manifest manifest, String... entries) throws IOException {
        Path jar = tmp.resolve(name);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            for (String entry : entries) {
                out.putNextEntry(new JarEntry(entry));
                if (!entry.endsWith("/")) {
                    out.write(entry.getBytes());
                }
                out.closeEntry();
            }
        }
        return jar;
    }

    private Path jarWithIndex(String name, String sections) throws IOException {
        Path jar = tmp.resolve(name);
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
            out.putNextEntry(new JarEntry("META-INF/INDEX.LIST"));
            out.write(("JarIndex-Version: 1.0\n\n" + sections).getBytes());
            out.closeEntry();
            out.putNextEntry(new JarEntry("a/B.txt"));
            out.closeEntry();
        }
        return jar;
    }

    private static List<String> entryNames(Path jar) throws IOException {
        List<String> names = new ArrayList<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            for (Enumeration<JarEntry> e = file.entries(); e.hasMoreElements(); ) {
                names.add(e.nextElement().getName());
            }
        }
        return names;
    }
}
