package dev.cracdev.supervisor;

import dev.cracdev.CracDevException;
import dev.cracdev.ExitCode;
import dev.cracdev.Main;

import java.io.File;
import java.io.IOException;
import java.io.Reader;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipFile;

/** Resolves and checks what a project's start needs: the JDK, the class-path split, the main class. */
public final class Project {
    private static final Pattern LEADING_NUMBER = Pattern.compile("^(\\d+)");

    private Project() {
    }

    /** {@code --java} (a JDK home or a java executable), else $JAVA_HOME, else the JDK running crac-dev. */
    public static Path resolveJava(String given) throws CracDevException {
        String source;
        Path candidate;
        if (given != null && !given.isBlank()) {
            source = "--java";
            candidate = Path.of(given);
        } else if (System.getenv("JAVA_HOME") != null && !System.getenv("JAVA_HOME").isBlank()) {
            source = "JAVA_HOME";
            candidate = Path.of(System.getenv("JAVA_HOME"));
        } else {
            source = "the JDK running crac-dev";
            candidate = Path.of(System.getProperty("java.home"));
        }
        Path exe = Files.isDirectory(candidate) ? candidate.resolve("bin").resolve("java") : candidate;
        if (!Files.isExecutable(exe)) {
            throw new CracDevException(ExitCode.UNSUPPORTED, "no java executable at " + exe + " (from " + source
                    + "); point --java or JAVA_HOME at a JDK 17 or newer");
        }
        return exe.toAbsolutePath();
    }

    /** The JDK's version from its {@code release} file (no JVM start needed). */
    public static String javaVersion(Path javaExe) {
        Properties p = release(javaExe);
        if (p == null) {
            return "unknown version";
        }
        return (p.getProperty("IMPLEMENTOR", "") + " " + p.getProperty("JAVA_RUNTIME_VERSION", p.getProperty("JAVA_VERSION", "?")))
                .replace("\"", "").strip();
    }

    /** The JDK's feature version (17, 21, 25...) from its {@code release} file; 0 when it cannot be read. */
    public static int javaFeatureVersion(Path javaExe) {
        Properties p = release(javaExe);
        String v = p == null ? "" : p.getProperty("JAVA_VERSION", "").replace("\"", "").strip();
        Matcher m = LEADING_NUMBER.matcher(v);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    private static Properties release(Path javaExe) {
        Properties p = new Properties();
        // through links: /usr/bin/java (or JAVA_HOME=/usr) is the JDK's own bin/java behind two of them
        try (Reader r = Files.newBufferedReader(javaExe.toRealPath().getParent().getParent().resolve("release"))) {
            p.load(r);
            return p;
        } catch (IOException e) {
            return null;
        }
    }

    /** Splits path-separator lists (each option value may hold several paths). */
    public static List<Path> splitPaths(List<String> values) {
        List<Path> paths = new ArrayList<>();
        for (String v : values) {
            for (String p : v.split(File.pathSeparator)) {
                if (!p.isBlank()) {
                    paths.add(Path.of(p.strip()));
                }
            }
        }
        return paths;
    }

    public static List<Path> existingEntries(List<Path> entries, String what, String option) throws CracDevException {
        for (Path p : entries) {
            if (!Files.exists(p)) {
                throw new CracDevException(ExitCode.USAGE, what + " " + p + " does not exist; check " + option
                        + " (build the project first if it is a build output)");
            }
        }
        return entries.stream().map(Path::toAbsolutePath).toList();
    }

    /** The given app roots, or target/classes when none was given; each must be a directory. */
    public static List<Path> appRoots(List<Path> given, Path workDir) throws CracDevException {
        if (given.isEmpty()) {
            Path defaultRoot = workDir.resolve("target/classes");
            if (!Files.isDirectory(defaultRoot)) {
                throw new CracDevException(ExitCode.USAGE, "no app root: " + defaultRoot + " does not exist; "
                        + (Files.isRegularFile(workDir.resolve("pom.xml")) ? "compile the project first (mvn compile) or pass --app DIR"
                        : "this is not a Maven project (no pom.xml): start crac-dev in your project's directory, or pass"
                        + " -cp JARS --app DIR MAIN_CLASS"));
            }
            return List.of(defaultRoot);
        }
        for (Path p : given) {
            if (!Files.exists(p)) {
                throw new CracDevException(ExitCode.USAGE, "app root " + p + " does not exist; check --app"
                        + " (compile the project first if it is a build output)");
            }
            if (!Files.isDirectory(p)) {
                throw new CracDevException(ExitCode.USAGE, "app root " + p + " is not a directory; app roots are "
                        + "class directories such as target/classes (put jars on --classpath)");
            }
        }
        return given.stream().map(Path::toAbsolutePath).toList();
    }

    /** Checks that the main class's .class file exists in an app root or a framework entry. */
    public static void requireMainClass(String mainClass, List<Path> appRoots, List<Path> framework) throws CracDevException {
        if (mainClassExists(mainClass, appRoots, framework)) {
            return;
        }
        throw new CracDevException(ExitCode.USAGE, "main class " + mainClass + " was not found in the app roots "
                + appRoots + " or on the class path; check its name and that the project is compiled");
    }

    public static boolean mainClassExists(String mainClass, List<Path> appRoots, List<Path> framework) {
        String file = mainClass.replace('.', '/') + ".class";
        for (Path root : appRoots) {
            if (Files.isRegularFile(root.resolve(file))) {
                return true;
            }
        }
        for (Path entry : framework) {
            if (Files.isDirectory(entry) ? Files.isRegularFile(entry.resolve(file)) : jarContains(entry, file)) {
                return true;
            }
        }
        return false;
    }

    private static boolean jarContains(Path jar, String entry) {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            return zip.getEntry(entry) != null;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * crac-dev's in-child runtime jar: {@code -Dcracdev.runtime.jar} or {@code CRACDEV_RUNTIME_JAR}, else
     * {@code crac-dev-runtime.jar} next to crac-dev's own jar (or in {@code target/} when run from classes).
     */
    public static Path runtimeJar() throws CracDevException {
        String explicit = System.getProperty("cracdev.runtime.jar", System.getenv("CRACDEV_RUNTIME_JAR"));
        Path jar;
        if (explicit != null) {
            jar = Path.of(explicit);
        } else {
            try {
                Path self = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
                jar = self.getParent().resolve("crac-dev-runtime.jar"); // target/classes → target/, or the jar's folder
            } catch (URISyntaxException | RuntimeException e) {
                throw new CracDevException(ExitCode.INTERNAL, "cannot locate crac-dev's runtime jar: " + e.getMessage());
            }
        }
        if (!Files.isRegularFile(jar)) {
            throw new CracDevException(ExitCode.INTERNAL, "crac-dev's runtime jar is missing at " + jar
                    + "; rebuild crac-dev (mvn package), or point CRACDEV_RUNTIME_JAR at it");
        }
        return jar.toAbsolutePath();
    }
}
