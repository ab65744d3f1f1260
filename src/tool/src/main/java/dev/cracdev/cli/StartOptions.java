package dev.cracdev.cli;

import dev.cracdev.CracDevException;
import dev.cracdev.ExitCode;
import dev.cracdev.control.ControlAddress;
import dev.cracdev.engine.EngineKind;
import dev.cracdev.supervisor.ReadinessProbe;
import dev.cracdev.supervisor.ReadyImages;
import dev.cracdev.supervisor.StartSettings;
import dev.cracdev.runtime.Training;
import dev.cracdev.compile.CompileOnSave;
import dev.cracdev.compile.ModuleLayout;
import dev.cracdev.supervisor.MavenProject;
import dev.cracdev.runtime.InitializationState;
import dev.cracdev.supervisor.Project;
import picocli.CommandLine.Option;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** The options of {@code start} and {@code run}; each can also come from crac-dev.properties. */
public final class StartOptions {
    @Option(names = {"-cp", "--classpath"}, descriptionKey = "classpath", paramLabel = "PATHS",
            description = "Framework class path: dependency jars and directories that are not your own code "
                    + "(path-separator list, repeatable).")
    List<String> classpath = new ArrayList<>();

    @Option(names = "--app", descriptionKey = "app", paramLabel = "DIRS",
            description = "App roots: directories with your own compiled classes, loaded fresh in each generation "
                    + "(default: target/classes when it exists).")
    List<String> app = new ArrayList<>();

    @Option(names = "--watch", descriptionKey = "watch", paramLabel = "PATHS",
            description = "Paths whose changes start a new generation (default: the app roots).")
    List<String> watch = new ArrayList<>();

    @Option(names = "--ignore", descriptionKey = "ignore", paramLabel = "GLOB",
            description = "Extra ignore patterns for the watcher (editor swap files and .git are always ignored).")
    List<String> ignore = new ArrayList<>();

    @Option(names = "--engine", descriptionKey = "engine", defaultValue = "auto", paramLabel = "ENGINE",
            description = "How generations are made: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    EngineKind engine;

    @Option(names = "--java", descriptionKey = "java", paramLabel = "JAVA",
            description = "The JDK generations run on: its home or its java executable (default: $JAVA_HOME, else "
                    + "the JDK running crac-dev).")
    String java;

    @Option(names = "--jvm-opt", descriptionKey = "jvm-opt", paramLabel = "OPTION",
            description = "A JVM option for the generations (repeatable); part of the image fingerprint.")
    List<String> jvmOptions = new ArrayList<>();

    @Option(names = "--fast-jit", negatable = true, defaultValue = "true", fallbackValue = "true", descriptionKey = "fast-jit",
            description = "Run generations with the C1 JIT only (-XX:TieredStopAtLevel=1), as Spring Boot's optimized launch "
                    + "does: apps start much faster, peak speed is lower. On unless your --jvm-opt sets the JIT; "
                    + "--no-fast-jit for the full JIT.")
    boolean fastJit;

    @Option(names = "--warm", descriptionKey = "warm", defaultValue = "auto", paramLabel = "WHEN",
            description = "auto (default): the framework phase trains a Spring Boot 3 app (starts it five times, the first "
                    + "with a few hundred requests, and stops it) and keeps the warm JIT and framework caches if it can "
                    + "prove the app gone; off: never.")
    String warm;

    @Option(names = "--compile", negatable = true, defaultValue = "true", fallbackValue = "true", descriptionKey = "compile",
            description = "In a Maven project: compile src/main/java and copy src/main/resources into target/classes "
                    + "on every save (on by default; --no-compile when your IDE builds).")
    boolean compile;

    @Option(names = "--source", descriptionKey = "source", paramLabel = "DIR",
            description = "Compile on save where the class path is given (-cp/--app, the Maven plugin, other builds): "
                    + "Java sources under DIR are compiled into the first app root on every save; repeatable.")
    List<Path> sourceDirs = new ArrayList<>();

    @Option(names = "--resources", descriptionKey = "resources", paramLabel = "DIR",
            description = "With --source: files saved under DIR are copied into the first app root; repeatable.")
    List<Path> resourceDirs = new ArrayList<>();

    @Option(names = "--compile-classpath", descriptionKey = "compile-classpath", paramLabel = "PATHS",
            description = "With --source: entries the compiler needs beyond the class path (provided scope: a servlet API, Lombok).")
    List<String> compileClasspath = new ArrayList<>();

    @Option(names = "--release", descriptionKey = "release", paramLabel = "N",
            description = "With --source: the Java release to compile for (default: the JDK's own).")
    Integer release;

    @Option(names = "--trigger-file", descriptionKey = "trigger-file", paramLabel = "FILE",
            description = "Restart only when this file is touched (changes before it are kept for that restart): "
                    + "for IDEs that write a build in many steps.")
    Path triggerFile;

    @Option(names = "--quiet-period", descriptionKey = "quiet-period", defaultValue = "100", paramLabel = "MS",
            description = "Milliseconds without file events before a burst of changes restarts (default: ${DEFAULT-VALUE}).")
    long quietPeriodMs;

    @Option(names = "--ready-url", descriptionKey = "ready-url", paramLabel = "URL",
            description = "The generation is ready when an HTTP GET of URL answers (status < 500).")
    URI readyUrl;

    @Option(names = "--ready-port", descriptionKey = "ready-port", paramLabel = "PORT",
            description = "The generation is ready when localhost:PORT accepts a connection.")
    Integer readyPort;

    @Option(names = "--ready-log", descriptionKey = "ready-log", paramLabel = "REGEX",
            description = "The generation is ready when a line of its output matches REGEX. Without any --ready-* "
                    + "option, ready is the first of: the JVM listening on a TCP port, main() returning, or its output "
                    + "quiet for 1.5 s while it idles.")
    String readyLog;

    @Option(names = "--images", descriptionKey = "images", defaultValue = "checkpoints", paramLabel = "DIR",
            description = "Image store directory (default: ${DEFAULT-VALUE}); images contain process memory: never commit them.")
    Path images;

    @Option(names = "--restore-timeout", descriptionKey = "restore-timeout", defaultValue = "20", paramLabel = "SECONDS",
            description = "A restore that has not released the app within this many seconds is ended and its image "
                    + "rebuilt (default: ${DEFAULT-VALUE}).")
    long restoreTimeoutSeconds;

    @Option(names = "--stop-grace", descriptionKey = "stop-grace", defaultValue = "2000", paramLabel = "MS",
            description = "How long a generation may take to end after SIGTERM (shutdown hooks run) before it and "
                    + "everything it started are killed (default: ${DEFAULT-VALUE} ms; 0 kills at once).")
    long stopGraceMs;

    @Option(names = "--fixture", descriptionKey = "fixture", paramLabel = "PATH",
            description = "A fixture file or directory the app loads at start (repeatable): watched, and part of the "
                    + "ready image's key, so a change gives a new generation and a new ready image.")
    List<String> fixtures = new ArrayList<>();

    @Option(names = "--fixture-hook", descriptionKey = "fixture-hook", paramLabel = "CLASS",
            description = "A class of yours (a Runnable, or with a static main) run in each generation once it is "
                    + "ready, before the ready image is taken (e.g. to load test data).")
    String fixtureHook;

    @Option(names = "--ready-image", descriptionKey = "ready-image", defaultValue = "auto", paramLabel = "WHEN",
            description = "When to checkpoint a ready generation for 'crac-dev reset': ${COMPLETION-CANDIDATES} (default: "
                    + "${DEFAULT-VALUE}: with --fixture or --fixture-hook, under 'run', or after the first reset).")
    ReadyImages readyImages;

    @Option(names = "--socket", descriptionKey = "socket", paramLabel = "PATH",
            description = "The control socket (default: per project under $XDG_RUNTIME_DIR or /tmp; or $CRACDEV_SOCKET).")
    Path socket;

    /** What zero configuration found (one line each), for the user; empty when options said it all. */
    List<String> detected = List.of();

    /** --source and friends where given, else what the Maven project says, else nothing to compile. */
    private CompileOnSave.Settings compileSettings(MavenProject.Detected maven, List<Path> framework, List<Path> appRoots)
            throws CracDevException {
        if (sourceDirs.isEmpty()) {
            if (!resourceDirs.isEmpty() || !compileClasspath.isEmpty() || release != null) {
                throw new CracDevException(ExitCode.USAGE, "--resources, --compile-classpath and --release go with --source DIR"
                        + " (the Java sources to compile on save)");
            }
            return maven == null ? null : maven.compile();
        }
        for (Path dir : sourceDirs) {
            if (!Files.isDirectory(dir)) {
                throw new CracDevException(ExitCode.USAGE, "--source " + dir + " is not a directory; give the root of your"
                        + " Java sources (such as src/main/java)");
            }
        }
        if (release != null && (release < 8 || release > Runtime.version().feature())) {
            throw new CracDevException(ExitCode.USAGE, "--release " + release + " is not one this JDK compiles for (8 to "
                    + Runtime.version().feature() + ")");
        }
        List<Path> classPath = new ArrayList<>(framework);
        classPath.addAll(Project.existingEntries(Project.splitPaths(compileClasspath), "compile class-path entry", "--compile-classpath"));
        return new CompileOnSave.Settings(List.of(new ModuleLayout(sourceDirs, resourceDirs, appRoots.get(0))), classPath, release);
    }

    /** Validates the options and resolves defaults; every problem is one sentence and exit code 2 or 3. */
    StartSettings resolve(String mainClass, List<String> args, boolean terminalCommands) throws CracDevException {
        Path workDir = Path.of("").toAbsolutePath();
        Path javaExe = Project.resolveJava(java);
        // zero configuration: neither -cp nor --app in a Maven project's directory
        MavenProject.Detected maven = classpath.isEmpty() && app.isEmpty() ? MavenProject.detect(workDir, mainClass) : null;
        detected = maven == null ? List.of() : maven.notes();
        List<Path> framework = maven != null ? maven.framework()
                : Project.existingEntries(Project.splitPaths(classpath), "framework class-path entry", "--classpath");
        List<Path> appRoots = maven != null ? maven.appRoots() : Project.appRoots(Project.splitPaths(app), workDir);
        if (maven != null) {
            mainClass = maven.mainClass();
        }
        if (mainClass == null || mainClass.isBlank()) {
            throw new CracDevException(ExitCode.USAGE, "missing main class: give it as 'crac-dev start [options] MAIN_CLASS'"
                    + " (or 'crac-dev run --main CLASS'), or set main= in crac-dev.properties");
        }
        Project.requireMainClass(mainClass, appRoots, framework);
        List<Path> watched = new ArrayList<>(watch.isEmpty() ? appRoots : Project.splitPaths(watch));
        Path trigger = triggerFile == null ? null : triggerFile.toAbsolutePath().normalize();
        if (trigger != null) {
            if (!Files.isDirectory(trigger.getParent())) {
                throw new CracDevException(ExitCode.USAGE, "--trigger-file " + triggerFile + ": its directory does not exist");
            }
            watched.add(trigger);
        }
        if (quietPeriodMs < 0) {
            throw new CracDevException(ExitCode.USAGE, "--quiet-period must be 0 or more milliseconds, was " + quietPeriodMs);
        }
        if (stopGraceMs < 0) {
            throw new CracDevException(ExitCode.USAGE, "--stop-grace must be 0 or more milliseconds, was " + stopGraceMs);
        }
        List<String> options = new ArrayList<>(jvmOptions);
        boolean userSetJit = options.stream().anyMatch(o -> o.startsWith("-XX:TieredStopAtLevel") || o.contains("TieredCompilation"));
        if (fastJit && !userSetJit) {
            options.add("-XX:TieredStopAtLevel=1");
        }
        options.addAll(trainingOptions(mainClass, options));
        if (Project.javaFeatureVersion(javaExe) >= 22 && !options.contains(InitializationState.EXPORT)) {
            // sun.misc.Unsafe.shouldBeInitialized is gone: without it the recorded class list cannot mark the
            // classes your app only loaded, and the framework phase would run their initializers
            options.add(InitializationState.EXPORT);
        }
        return new StartSettings(javaExe, Project.javaVersion(javaExe), List.copyOf(options), framework, appRoots,
                mainClass, List.copyOf(args), List.copyOf(watched), List.copyOf(ignore), Duration.ofMillis(quietPeriodMs),
                probe(), engine, images, Project.runtimeJar(), workDir, Duration.ofSeconds(restoreTimeoutSeconds),
                Project.existingEntries(Project.splitPaths(fixtures), "fixture", "--fixture"), fixtureHook, readyImages,
                socket != null ? socket.toAbsolutePath() : ControlAddress.forProject(workDir), terminalCommands,
                Duration.ofMillis(stopGraceMs), compile ? compileSettings(maven, framework, appRoots) : null, trigger,
                maven != null ? maven.poms() : List.of());
    }

    /**
     * What the runtime needs to train the app in the framework phase (part of the fingerprint: a trained
     * image belongs to its main class). Soft references must clear at every collection, or the proof that
     * the training app is gone would wait for memory pressure.
     */
    private List<String> trainingOptions(String mainClass, List<String> options) throws CracDevException {
        if (warm.equals("off")) {
            return List.of();
        }
        if (!warm.equals("auto")) {
            throw new CracDevException(ExitCode.USAGE, "--warm must be auto or off, was " + warm);
        }
        List<String> training = new ArrayList<>(List.of("-D" + Training.MAIN_PROPERTY + "=" + mainClass));
        if (readyUrl != null && readyUrl.getRawPath() != null && !readyUrl.getRawPath().isEmpty()) {
            training.add("-D" + Training.PATH_PROPERTY + "=" + readyUrl.getRawPath()
                    + (readyUrl.getRawQuery() != null ? "?" + readyUrl.getRawQuery() : ""));
        }
        if (options.stream().noneMatch(o -> o.startsWith("-XX:SoftRefLRUPolicyMSPerMB"))) {
            training.add("-XX:SoftRefLRUPolicyMSPerMB=0");
        }
        return training;
    }

    private ReadinessProbe probe() throws CracDevException {
        int given = (readyUrl != null ? 1 : 0) + (readyPort != null ? 1 : 0) + (readyLog != null ? 1 : 0);
        if (given > 1) {
            throw new CracDevException(ExitCode.USAGE, "use only one of --ready-url, --ready-port and --ready-log");
        }
        if (readyUrl != null) {
            if (!("http".equalsIgnoreCase(readyUrl.getScheme()) || "https".equalsIgnoreCase(readyUrl.getScheme()))
                    || readyUrl.getHost() == null) {
                throw new CracDevException(ExitCode.USAGE, "--ready-url " + readyUrl + " is not an http:// or https:// URL with a"
                        + " host (e.g. http://localhost:8080/actuator/health)");
            }
            return new ReadinessProbe.Url(readyUrl);
        }
        if (readyPort != null) {
            return new ReadinessProbe.Port(readyPort);
        }
        if (readyLog != null) {
            try {
                return new ReadinessProbe.LogLine(Pattern.compile(readyLog));
            } catch (PatternSyntaxException e) {
                throw new CracDevException(ExitCode.USAGE, "--ready-log is not a valid regular expression: " + e.getDescription());
            }
        }
        return new ReadinessProbe.Auto();
    }
}
