package dev.cracdev.supervisor;

import dev.cracdev.CracDevException;
import dev.cracdev.ExitCode;
import dev.cracdev.compile.CompileOnSave;
import dev.cracdev.compile.ModuleLayout;

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
 * (its wrapper first), cached by the poms' content hash, the app root {@code target/classes}, and the main
 * class from the pom ({@code start-class}, a plugin's {@code mainClass}, {@code exec.mainClass}) or the one
 * class under {@code src/main/java} with a {@code main} method. In a module of a multi-module build, the
 * sibling modules it depends on are app code too: their {@code target/classes} become app roots (a change
 * there is a new generation, not a new framework image) and their sources compile on save.
 */
public final class MavenProject {
    private static final Pattern[] MAIN_IN_POM = {
            Pattern.compile("<start-class>\\s*([\\w.$]+)\\s*</start-class>"),
            Pattern.compile("<exec.mainClass>\\s*([\\w.$]+)\\s*</exec.mainClass>"),
            Pattern.compile("<mainClass>\\s*([\\w.$]+)\\s*</mainClass>")};
    private static final Pattern MAIN_METHOD = Pattern.compile("public\\s+static\\s+void\\s+main\\s*\\(");
    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
    private static final Pattern MODULE = Pattern.compile("<module>\\s*([^<]+?)\\s*</module>");

    private static final Pattern[] RELEASE_IN_POM = {
            Pattern.compile("<maven.compiler.release>\\s*(\\d+)\\s*</maven.compiler.release>"),
            Pattern.compile("<release>\\s*(\\d+)\\s*</release>"),
            Pattern.compile("<java.version>\\s*(?:1\\.)?(\\d+)\\s*</java.version>"),
            Pattern.compile("<maven.compiler.target>\\s*(?:1\\.)?(\\d+)\\s*</maven.compiler.target>")};

    /**
     * What was found, and the lines that tell the user how. {@code appRoots} holds this module's classes
     * first, then its sibling modules'; {@code compile} is what compile on save needs.
     */
    public record Detected(List<Path> framework, List<Path> appRoots, String mainClass, CompileOnSave.Settings compile,
                           List<Path> poms, List<String> notes) {
    }

    /**
     * The build {@code module} belongs to: {@code root} is the top-most directory whose pom lists the one
     * below it as a module (the module itself when it stands alone); {@code modules} is every module of it.
     */
    record Reactor(Path root, Path module, List<Path> modules) {
        static Reactor of(Path dir) throws CracDevException {
            Path module = dir.toAbsolutePath().normalize();
            Path root = module;
            while (root.getParent() != null && Files.isRegularFile(root.getParent().resolve("pom.xml"))
                    && modulesOf(root.getParent()).contains(root)) {
                root = root.getParent();
            }
            List<Path> all = new ArrayList<>();
            collect(root, all);
            return new Reactor(root, module, List.copyOf(all));
        }

        private static void collect(Path dir, List<Path> into) throws CracDevException {
            if (!into.contains(dir) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                into.add(dir);
                for (Path m : modulesOf(dir)) {
                    collect(m, into);
                }
            }
        }

        private static List<Path> modulesOf(Path dir) throws CracDevException {
            List<Path> modules = new ArrayList<>();
            Matcher m = MODULE.matcher(read(dir.resolve("pom.xml")));
            while (m.find()) {
                Path p = dir.resolve(m.group(1)).normalize();
                modules.add(p.toString().endsWith(".xml") ? p.getParent() : p);
            }
            return modules;
        }

        boolean multiModule() {
            return modules.size() > 1;
        }

        /** A hash of every pom of the build: any of them changed means the class path may have. */
        String pomHash() throws CracDevException {
            StringBuilder all = new StringBuilder();
            for (Path m : modules) {
                all.append(read(m.resolve("pom.xml")));
            }
            return sha256(all.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 16);
        }

        /** A module's classes directory on a resolved class path is that module's, or null. */
        Path moduleOfClasses(Path entry) {
            Path e = entry.toAbsolutePath().normalize();
            return modules.stream().filter(m -> e.equals(m.resolve("target/classes"))).findFirst().orElse(null);
        }
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
        Reactor reactor = Reactor.of(dir);
        Path appRoot = reactor.module().resolve("target/classes");
        if (!Files.isDirectory(appRoot)) {
            throw new CracDevException(ExitCode.USAGE, "this Maven project has no target/classes yet: build it once"
                    + " (mvn compile) or let your IDE build it, then start crac-dev again");
        }
        List<Path> resolved = classPath(reactor, "runtime", notes);
        List<Path> appRoots = new ArrayList<>(List.of(appRoot));
        List<Path> siblings = new ArrayList<>();
        for (Path entry : resolved) {
            Path module = reactor.moduleOfClasses(entry);
            if (module != null && !module.equals(reactor.module())) {
                siblings.add(module);
                appRoots.add(module.resolve("target/classes"));
            }
        }
        List<Path> framework = resolved.stream().filter(e -> reactor.moduleOfClasses(e) == null).toList();
        String main = mainClass;
        if (main == null || main.isBlank()) {
            main = mainClass(dir, pom, notes);
        }
        if (siblings.isEmpty()) {
            notes.add("app root target/classes");
        } else {
            notes.add("app roots target/classes and, from the multi-module build at " + reactor.root() + ", "
                    + String.join(", ", siblings.stream().map(s -> dir.relativize(s.resolve("target/classes")).toString()).toList()));
        }
        List<ModuleLayout> modules = new ArrayList<>(List.of(ModuleLayout.maven(reactor.module())));
        siblings.forEach(s -> modules.add(ModuleLayout.maven(s)));
        return new Detected(framework, List.copyOf(appRoots), main, compileSettings(reactor, framework, modules),
                reactor.modules().stream().map(m -> m.resolve("pom.xml")).toList(), List.copyOf(notes));
    }

    /**
     * The modules' sources and resources into their target/classes. The compile class path is the runtime one,
     * plus the provided scope when the pom has it (a servlet API, Lombok), resolved and cached like it.
     */
    private static CompileOnSave.Settings compileSettings(Reactor reactor, List<Path> framework, List<ModuleLayout> modules)
            throws CracDevException {
        String text = read(reactor.module().resolve("pom.xml"));
        List<Path> classPath = framework;
        if (text.contains("<scope>provided</scope>")) {
            classPath = classPath(reactor, "compile", new ArrayList<>()).stream()
                    .filter(e -> reactor.moduleOfClasses(e) == null).toList();
        }
        Integer release = release(text);
        if (release == null && reactor.multiModule()) {
            release = release(read(reactor.root().resolve("pom.xml"))); // inherited from the build's parent
        }
        return new CompileOnSave.Settings(modules, classPath, release);
    }

    private static Integer release(String pom) {
        for (Pattern p : RELEASE_IN_POM) {
            Matcher m = p.matcher(pom);
            if (m.find()) {
                int r = Integer.parseInt(m.group(1));
                return r <= Runtime.version().feature() ? r : null; // a newer release than this JDK's: its own
            }
        }
        return null;
    }

    /** The class path of {@code scope}, from the cache while no pom of the build changed, else from Maven. */
    private static List<Path> classPath(Reactor reactor, String scope, List<String> notes) throws CracDevException {
        Path dir = reactor.module();
        String poms = reactor.multiModule() ? "a pom.xml of the build" : "pom.xml";
        Path cached = dir.resolve("target/crac-dev/" + (scope.equals("runtime") ? "" : scope + "-")
                + "classpath-" + reactor.pomHash() + ".txt");
        if (!Files.isRegularFile(cached)) {
            resolveWithMaven(reactor, cached, scope);
            notes.add("framework class path resolved by Maven (cached in " + dir.relativize(cached) + " until " + poms + " changes)");
        } else {
            notes.add("framework class path from " + dir.relativize(cached) + " (" + poms + " unchanged)");
        }
        List<Path> entries = Project.splitPaths(List.of(read(cached).strip())).stream()
                .filter(e -> Files.isDirectory(e) || reactor.moduleOfClasses(e) == null) // a module with no classes yet
                .toList();
        return Project.existingEntries(entries, "framework class-path entry", "pom.xml (delete " + cached + " to resolve again)");
    }

    private static String read(Path file) throws CracDevException {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new CracDevException(ExitCode.FAILURE, "cannot read " + file + ": " + e.getMessage());
        }
    }

    /**
     * Asks the build's Maven for the class path. In a module of a multi-module build it runs from the build's
     * root with {@code -pl MODULE -am compile}: only a build that compiles resolves a sibling module to its
     * target/classes (else Maven looks for it in the local repository); the module's own run writes last.
     */
    private static void resolveWithMaven(Reactor reactor, Path target, String scope) throws CracDevException {
        Path dir = reactor.module();
        Path wrapper = Files.isExecutable(dir.resolve("mvnw")) ? dir.resolve("mvnw") : reactor.root().resolve("mvnw");
        String mvn = Files.isExecutable(wrapper) ? wrapper.toString() : "mvn";
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Path log = target.resolveSibling("maven.log");
        List<String> command = new ArrayList<>(List.of(mvn, "-q", "-B", "-Dstyle.color=never"));
        if (reactor.multiModule()) {
            String module = reactor.root().relativize(dir).toString();
            command.addAll(List.of("-f", reactor.root().resolve("pom.xml").toString(), "-pl", module.isEmpty() ? "." : module,
                    "-am", "compile"));
        }
        command.addAll(List.of("dependency:build-classpath", "-Dmdep.includeScope=" + scope, "-Dmdep.outputFile=" + tmp));
        try {
            Files.createDirectories(target.getParent());
            Files.deleteIfExists(tmp);
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly().waitFor();
                throw new CracDevException(ExitCode.FAILURE, "Maven did not resolve the class path within 10 minutes;"
                        + " see " + log + ", or give -cp and --app");
            }
            if (p.exitValue() != 0 || !Files.isRegularFile(tmp)) {
                throw new CracDevException(ExitCode.FAILURE, mvn + " " + String.join(" ", command.subList(4, command.size() - 2))
                        + " failed (exit " + p.exitValue() + "); see " + log + ", fix the build, or give -cp and --app");
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
