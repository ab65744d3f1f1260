package dev.cracdev.supervisor;

import dev.cracdev.CracDevException;
import dev.cracdev.ExitCode;
import dev.cracdev.compile.CompileOnSave;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Zero configuration for a Maven project: {@code crac-dev start} in a directory with a {@code pom.xml}
 * and neither {@code -cp} nor {@code --app} takes the framework class path from the project's own Maven
 * (its wrapper first), cached by the pom's content hash, the app root {@code target/classes}, and the main
 * class from the pom ({@code start-class}, a plugin's {@code mainClass}, {@code exec.mainClass}) or the one
 * class under {@code src/main/java} with a {@code main} method.
 */
public final class MavenProject {
    private static final Pattern[] MAIN_IN_POM = {
            Pattern.compile("<start-class>\\s*([\\w.$]+)\\s*</start-class>"),
            Pattern.compile("<exec.mainClass>\\s*([\\w.$]+)\\s*</exec.mainClass>"),
            Pattern.compile("<mainClass>\\s*([\\w.$]+)\\s*</mainClass>")};
    private static final Pattern MAIN_METHOD = Pattern.compile("public\\s+static\\s+void\\s+main\\s*\\(");
    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);

    private static final Pattern[] RELEASE_IN_POM = {
            Pattern.compile("<maven.compiler.release>\\s*(\\d+)\\s*</maven.compiler.release>"),
            Pattern.compile("<release>\\s*(\\d+)\\s*</release>"),
            Pattern.compile("<java.version>\\s*(?:1\\.)?(\\d+)\\s*</java.version>"),
            Pattern.compile("<maven.compiler.target>\\s*(?:1\\.)?(\\d+)\\s*</maven.compiler.target>")};

    /**
     * What was found, and the lines that tell the user how. {@code compile} is what compile on save needs
     * (sources, resources, the compile class path, the pom's Java release).
     */
    public record Detected(List<Path> framework, Path appRoot, String mainClass, CompileOnSave.Settings compile,
                           List<String> notes) {
    }

    private MavenProject() {
    }

    /** The Maven project in {@code dir}, or null when there is no pom.xml. */
    public static Detected detect(Path dir, String mainClass) throws CracDevException {
        Path pom = dir.resolve("pom.xml");
        if (!Files.isRegularFile(pom)) {
            return null;
        }
        List<String> notes = new ArrayList<>();
        List<Path> framework = frameworkClassPath(dir, pom, notes);
        Path appRoot = dir.resolve("target/classes");
        if (!Files.isDirectory(appRoot)) {
            throw new CracDevException(ExitCode.USAGE, "this Maven project has no target/classes yet: build it once"
                    + " (mvn compile) or let your IDE build it, then start crac-dev again");
        }
        String main = mainClass;
        if (main == null || main.isBlank()) {
            main = mainClass(dir, pom, notes);
        }
        notes.add("app root target/classes");
        return new Detected(framework, appRoot, main, compileSettings(dir, pom, framework, appRoot), List.copyOf(notes));
    }

    /**
     * src/main/java and src/main/resources into target/classes. The compile class path is the runtime one,
     * plus the provided scope when the pom has it (a servlet API, Lombok), resolved and cached like it.
     */
    private static CompileOnSave.Settings compileSettings(Path dir, Path pom, List<Path> framework, Path appRoot)
            throws CracDevException {
        String text = read(pom);
        List<Path> classPath = framework;
        if (text.contains("<scope>provided</scope>")) {
            Path cached = dir.resolve("target/crac-dev/compile-classpath-" + sha256(text.getBytes(StandardCharsets.UTF_8)).substring(0, 16) + ".txt");
            if (!Files.isRegularFile(cached)) {
                resolveWithMaven(dir, cached, "compile");
            }
            classPath = entries(cached);
        }
        Integer release = null;
        for (Pattern p : RELEASE_IN_POM) {
            Matcher m = p.matcher(text);
            if (m.find()) {
                int r = Integer.parseInt(m.group(1));
                release = r <= Runtime.version().feature() ? r : null; // a newer release than this JDK's: its own
                break;
            }
        }
        return new CompileOnSave.Settings(List.of(dir.resolve("src/main/java")), List.of(dir.resolve("src/main/resources")),
                appRoot, classPath, release);
    }

    private static List<Path> frameworkClassPath(Path dir, Path pom, List<String> notes) throws CracDevException {
        String hash = sha256(read(pom).getBytes(StandardCharsets.UTF_8)).substring(0, 16);
        Path cached = dir.resolve("target/crac-dev/classpath-" + hash + ".txt");
        if (!Files.isRegularFile(cached)) {
            resolveWithMaven(dir, cached, "runtime");
            notes.add("framework class path resolved by Maven (cached in " + dir.relativize(cached) + " until pom.xml changes)");
        } else {
            notes.add("framework class path from " + dir.relativize(cached) + " (pom.xml unchanged)");
        }
        return entries(cached);
    }

    private static List<Path> entries(Path cached) throws CracDevException {
        return Project.existingEntries(Project.splitPaths(List.of(read(cached).strip())),
                "framework class-path entry", "pom.xml (delete " + cached + " to resolve again)");
    }

    private static String read(Path file) throws CracDevException {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new CracDevException(ExitCode.FAILURE, "cannot read " + file + ": " + e.getMessage());
        }
    }

    private static void resolveWithMaven(Path dir, Path target, String scope) throws CracDevException {
        Path wrapper = dir.resolve("mvnw");
        String mvn = Files.isExecutable(wrapper) ? wrapper.toString() : "mvn";
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Path log = target.resolveSibling("maven.log");
        try {
            Files.createDirectories(target.getParent());
            Process p = new ProcessBuilder(mvn, "-q", "-B", "-Dstyle.color=never", "dependency:build-classpath",
                    "-Dmdep.includeScope=" + scope, "-Dmdep.outputFile=" + tmp)
                    .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly().waitFor();
                throw new CracDevException(ExitCode.FAILURE, "Maven did not resolve the class path within 10 minutes;"
                        + " see " + log + ", or give -cp and --app");
            }
            if (p.exitValue() != 0 || !Files.isRegularFile(tmp)) {
                throw new CracDevException(ExitCode.FAILURE, mvn + " dependency:build-classpath failed (exit " + p.exitValue()
                        + "); see " + log + ", fix the build, or give -cp and --app");
            }
            Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new CracDevException(ExitCode.UNSUPPORTED, "cannot run " + mvn + " (" + e.getMessage()
                    + ") to resolve the class path; install Maven or give -cp and --app");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CracDevException(ExitCode.FAILURE, "interrupted while Maven resolved the class path");
        }
    }

    /** From the pom, else the one class with main under src/main/java (a @SpringBootApplication one first). */
    public static String mainClass(Path dir, Path pom, List<String> notes) throws CracDevException {
        try {
            String text = Files.readString(pom);
            for (Pattern p : MAIN_IN_POM) {
                Matcher m = p.matcher(text);
                if (m.find()) {
                    notes.add("main class " + m.group(1) + " (from pom.xml)");
                    return m.group(1);
                }
            }
            List<String> withMain = new ArrayList<>();
            List<String> springBoot = new ArrayList<>();
            Path sources = dir.resolve("src/main/java");
            if (Files.isDirectory(sources)) {
                try (Stream<Path> files = Files.walk(sources)) {
                    for (Path f : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                        String src = Files.readString(f, StandardCharsets.UTF_8);
                        if (MAIN_METHOD.matcher(src).find()) {
                            Matcher pkg = PACKAGE.matcher(src);
                            String simple = f.getFileName().toString().replaceFirst("\\.java$", "");
                            String name = pkg.find() ? pkg.group(1) + "." + simple : simple;
                            withMain.add(name);
                            if (src.contains("@SpringBootApplication")) {
                                springBoot.add(name);
                            }
                        }
                    }
                }
            }
            List<String> candidates = springBoot.size() == 1 ? springBoot : withMain;
            if (candidates.size() == 1) {
                notes.add("main class " + candidates.get(0) + " (the " + (candidates == springBoot
                        ? "@SpringBootApplication class" : "only class with main") + " in src/main/java)");
                return candidates.get(0);
            }
            throw new CracDevException(ExitCode.USAGE, candidates.isEmpty()
                    ? "no main class found (none in pom.xml, no class with main in src/main/java): give it as 'crac-dev start MAIN_CLASS'"
                    : "more than one class with main (" + String.join(", ", candidates) + "): give one as 'crac-dev start MAIN_CLASS'");
        } catch (IOException e) {
            throw new CracDevException(ExitCode.USAGE, "cannot read the project's sources to find its main class: " + e.getMessage());
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
