package dev.cracdev.it;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * A small project made on disk for a test: a "framework" jar and an app root, compiled for real.
 *
 * <ul>
 *   <li>{@code fw.Framework}: its static initializer sets a random token (framework-phase state) and
 *       appends a line to {@code framework-runs.txt} (how often the framework phase ran).</li>
 *   <li>{@code fw.FwConfig}: its static initializer reads the class-path resource {@code fw.conf}, which
 *       exists only in the app root (like logback.xml).</li>
 *   <li>{@code app.Main}: prints {@code hello <version> token=... conf=... counter=... gen=...} and stays
 *       up (a non-daemon thread), like a server.</li>
 * </ul>
 */
public final class TestProject {
    public final Path dir;
    public final Path frameworkJar;
    public final Path appRoot;
    public final Path runsFile;

    private TestProject(Path dir) {
        this.dir = dir;
        this.frameworkJar = dir.resolve("lib/fw.jar");
        this.appRoot = dir.resolve("target/classes");
        this.runsFile = dir.resolve("framework-runs.txt");
    }

    public static TestProject create(Path dir) throws IOException {
        TestProject p = new TestProject(dir);
        p.writeFrameworkJar("");
        Files.createDirectories(p.appRoot);
        Files.writeString(p.appRoot.resolve("fw.conf"), "conf-1");
        p.writeApp("v1", "");
        return p;
    }

    /** (Re)builds the framework jar; {@code extra} changes its content. */
    public void writeFrameworkJar(String extra) throws IOException {
        writeFrameworkJar(extra, List.of());
    }

    /**
     * Adds {@code fw.CracHooks}, a framework class that registers an org.crac resource in its static
     * initializer (as Spring's lifecycle processor does): beforeCheckpoint appends to
     * {@code before-checkpoint.txt}, afterRestore prints {@code afterRestore gen=N}.
     */
    public void addOrgCracHooks(Path orgCracJar) throws IOException {
        write(dir.resolve("fw-src/fw/CracHooks.java"), """
                package fw;
                public class CracHooks {
                    static final org.crac.Resource RESOURCE = new org.crac.Resource() {
                        public void beforeCheckpoint(org.crac.Context<? extends org.crac.Resource> c) throws Exception {
                            java.nio.file.Files.writeString(java.nio.file.Path.of(System.getProperty("user.dir"), "before-checkpoint.txt"),
                                "before\\n", java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                        }
                        public void afterRestore(org.crac.Context<? extends org.crac.Resource> c) {
                            System.out.println("afterRestore gen=" + System.getProperty("cracdev.generation"));
                        }
                    };
                    static { org.crac.Core.getGlobalContext().register(RESOURCE); }
                    public static void touch() { }
                }
                """);
        writeFrameworkJar("", List.of(orgCracJar));
        writeApp("v1", "fw.CracHooks.touch();");
    }

    /**
     * Adds {@code fw.Optional}, a framework class whose static initializer fails (as one needing an optional
     * dependency that is not there does): an app may load it, but must never initialize it.
     */
    public void addFrameworkClassWithAFailingInitializer() throws IOException {
        write(dir.resolve("fw-src/fw/Optional.java"), """
                package fw;
                public class Optional {
                    static {
                        if (!Boolean.getBoolean("fw.optional.present")) throw new IllegalStateException("optional dependency missing");
                    }
                }
                """);
        writeFrameworkJar("");
    }

    /**
     * Adds {@code fw.Slow}, a framework class whose static initializer, when it runs in a framework phase (no
     * generation yet), waits while {@code hold} exists: a framework phase that takes as long as a test wants.
     */
    public void addSlowFrameworkClass(Path hold) throws IOException {
        write(dir.resolve("fw-src/fw/Slow.java"), """
                package fw;
                public class Slow {
                    static {
                        java.nio.file.Path hold = java.nio.file.Path.of("%s");
                        while (System.getProperty("cracdev.generation") == null && java.nio.file.Files.exists(hold)) {
                            try { Thread.sleep(20); } catch (InterruptedException e) { break; }
                        }
                    }
                    public static void touch() { }
                }
                """.formatted(hold.toAbsolutePath().toString().replace("\\", "/")));
        writeFrameworkJar("");
    }

    private void writeFrameworkJar(String extra, List<Path> classpath) throws IOException {
        Path src = dir.resolve("fw-src");
        write(src.resolve("fw/Framework.java"), """
                package fw;
                public class Framework {
                    public static final String TOKEN = Long.toHexString(new java.util.Random().nextLong());
                    static {
                        try {
                            java.nio.file.Files.writeString(java.nio.file.Path.of(System.getProperty("user.dir"), "framework-runs.txt"),
                                "run\\n", java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                        } catch (java.io.IOException e) { throw new RuntimeException(e); }
                    }
                    public static String token() { return TOKEN; }
                    public static String extra() { return "%s"; }
                }
                """.formatted(extra));
        write(src.resolve("fw/FwConfig.java"), """
                package fw;
                public class FwConfig {
                    public static final String VALUE;
                    static {
                        String v = "none";
                        try (java.io.InputStream in = ClassLoader.getSystemResourceAsStream("fw.conf")) {
                            if (in != null) v = new String(in.readAllBytes()).trim();
                        } catch (java.io.IOException e) { v = "error"; }
                        VALUE = v;
                    }
                }
                """);
        Path classes = dir.resolve("fw-classes");
        compile(src, classes, classpath);
        Files.createDirectories(frameworkJar.getParent());
        Path tmp = frameworkJar.resolveSibling("fw.jar.tmp");
        try (OutputStream out = Files.newOutputStream(tmp); JarOutputStream jar = new JarOutputStream(out);
             Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                jar.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                jar.write(Files.readAllBytes(f));
                jar.closeEntry();
            }
        }
        Files.move(tmp, frameworkJar, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** (Re)compiles app.Main; {@code bootCode} runs at the start of main (e.g. a throw). */
    public void writeApp(String version, String bootCode) throws IOException {
        writeMain("""
                package app;
                public class Main {
                    static int counter;
                    public static void main(String[] args) throws Exception {
                        %s
                        counter++;
                        System.out.println("hello %s token=" + fw.Framework.token() + " conf=" + fw.FwConfig.VALUE
                            + " counter=" + counter + " gen=" + System.getProperty("cracdev.generation")
                            + " pid=" + ProcessHandle.current().pid());
                        System.err.println("stderr %s gen=" + System.getProperty("cracdev.generation"));
                        Thread server = new Thread(() -> {
                            try { new java.util.concurrent.CountDownLatch(1).await(); } catch (InterruptedException e) { }
                        }, "server");
                        server.start();
                    }
                }
                """.formatted(bootCode, version, version));
    }

    /** Replaces app.Main with the given source. */
    public void writeMain(String source) throws IOException {
        Path src = dir.resolve("app-src");
        write(src.resolve("app/Main.java"), source);
        compile(src, appRoot, List.of(frameworkJar));
    }

    public List<String> frameworkRuns() throws IOException {
        return Files.exists(runsFile) ? Files.readAllLines(runsFile) : List.of();
    }

    static void write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    static void compile(Path srcDir, Path out, List<Path> classpath) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<String> args = new ArrayList<>(List.of("-d", out.toString(), "--release", "17"));
        if (!classpath.isEmpty()) {
            args.add("-cp");
            args.add(classpath.stream().map(Path::toString).reduce((a, b) -> a + java.io.File.pathSeparator + b).orElseThrow());
        }
        try (Stream<Path> files = Files.walk(srcDir)) {
            files.filter(f -> f.toString().endsWith(".java")).forEach(f -> args.add(f.toString()));
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = javac.run(null, null, err, args.toArray(new String[0]));
        if (rc != 0) {
            throw new IOException("test project does not compile: " + err.toString(StandardCharsets.UTF_8));
        }
    }
}
