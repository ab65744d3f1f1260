package dev.cracdev.compile;

import javax.tools.Diagnostic;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Compiles saved Java sources into the app's classes directories with the JDK's compiler API, in this
 * process, so the compiler and its view of the class path stay warm between saves. A save recompiles
 * the changed sources and the sources that name a type declared in them (a changed signature, or a
 * constant the compiler copied into its users), across the modules of a multi-module build: one javac
 * run, each class written for the module whose source produced it. Output goes to a staging directory
 * first and moves into place only when the whole set compiled: a broken save leaves the classes — and
 * the running generation — as they were, and its sources are compiled again with the next save.
 */
public final class SourceCompiler implements AutoCloseable {
    /** One compile: how many sources, how long, and the errors as {@code file:line: message}. */
    public record Result(int sources, long millis, List<String> errors) {
        public boolean ok() {
            return errors.isEmpty();
        }
    }

    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);

    private final List<ModuleLayout> modules;
    private final List<String> options;
    private final JavaCompiler compiler;
    private final StandardJavaFileManager files;
    /** Sources saved since the last good compile (a failed compile keeps them for the next save). */
    private final Set<Path> pending = new LinkedHashSet<>();

    /**
     * @param modules the app's module first, then the sibling modules it depends on
     * @param release the {@code --release} to compile for (null: this JDK's), so classes fit the app's JVM
     */
    public SourceCompiler(List<ModuleLayout> modules, List<Path> classPath, Integer release) {
        this.compiler = ToolProvider.getSystemJavaCompiler();
        if (compiler == null) {
            throw new IllegalStateException("compile on save needs a JDK (this Java has no compiler)");
        }
        this.modules = List.copyOf(modules);
        this.files = compiler.getStandardFileManager(null, Locale.ROOT, StandardCharsets.UTF_8);
        List<String> cp = new ArrayList<>();
        modules.forEach(m -> cp.add(m.classes().toString()));
        classPath.forEach(p -> cp.add(p.toString()));
        this.options = new ArrayList<>(List.of("-g", "-parameters", "-encoding", "UTF-8", "-implicit:none",
                "-sourcepath", "", "-classpath", String.join(java.io.File.pathSeparator, cp)));
        if (release != null) {
            options.addAll(List.of("--release", release.toString()));
        }
    }

    /** Whether {@code path} is a Java source under one of the source roots. */
    public boolean isSource(Path path) {
        return path.toString().endsWith(".java") && moduleOf(path) != null;
    }

    /** The module whose source root holds {@code path}, or null. */
    private ModuleLayout moduleOf(Path path) {
        return modules.stream().filter(m -> m.sourceRootOf(path) != null).findFirst().orElse(null);
    }

    /** Sources newer than their class file (edited while nothing was compiling them), oldest builds first. */
    public List<Path> staleSources() throws IOException {
        List<Path> stale = new ArrayList<>();
        for (Path src : allSources()) {
            Path cls = classFile(src);
            if (cls == null || !Files.exists(cls)
                    || Files.getLastModifiedTime(src).compareTo(Files.getLastModifiedTime(cls)) > 0) {
                stale.add(src);
            }
        }
        return stale;
    }

    private List<Path> allSources() throws IOException {
        List<Path> all = new ArrayList<>();
        for (ModuleLayout m : modules) {
            for (Path root : m.sources()) {
                if (Files.isDirectory(root)) {
                    try (Stream<Path> walk = Files.walk(root)) {
                        walk.filter(p -> p.toString().endsWith(".java") && Files.isRegularFile(p)).forEach(all::add);
                    }
                }
            }
        }
        return all;
    }

    /**
     * Compiles one of the project's sources into a throwaway directory, so that the first save finds the
     * compiler loaded, JIT-compiled and its class-path index built (a cold compile takes ~1 s).
     */
    public synchronized void warmUp() throws IOException {
        List<Path> all = allSources();
        if (all.isEmpty()) {
            return;
        }
        Path any = all.get(0);
        Path scratch = Files.createTempDirectory(moduleOf(any).classes().getParent(), ".crac-dev-warm-");
        try {
            List<String> opts = new ArrayList<>(options);
            opts.addAll(List.of("-d", scratch.toString()));
            compiler.getTask(null, files, new DiagnosticCollector<>(), opts, null, files.getJavaFileObjectsFromPaths(List.of(any))).call();
        } finally {
            deleteTree(scratch);
        }
    }

    /**
     * Compiles what changed. Deleted sources take their classes with them; nothing is written when any
     * source fails. Returns null when there was nothing to compile.
     */
    public synchronized Result compile(Collection<Path> changed, Collection<Path> deleted) throws IOException {
        long t0 = System.nanoTime();
        for (Path gone : deleted) {
            Path src = gone.toAbsolutePath().normalize();
            pending.remove(src);
            deleteClassesOf(src);
        }
        changed.stream().map(p -> p.toAbsolutePath().normalize()).filter(Files::isRegularFile).forEach(pending::add);
        pending.removeIf(p -> !Files.isRegularFile(p));
        Set<Path> sources = new LinkedHashSet<>(pending);
        sources.addAll(dependents(pending, deleted)); // users of a deleted type too: they no longer compile
        if (sources.isEmpty()) {
            return deleted.isEmpty() ? null : new Result(0, millisSince(t0), List.of());
        }

        Path staging = Files.createTempDirectory(modules.get(0).classes().getParent(), ".crac-dev-compile-");
        try {
            DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
            List<String> opts = new ArrayList<>(options);
            opts.addAll(List.of("-d", staging.resolve("0").toString()));
            boolean ok = compiler.getTask(null, new PerModuleOutput(staging), diagnostics, opts, null,
                    files.getJavaFileObjectsFromPaths(sources)).call();
            List<String> errors = diagnostics.getDiagnostics().stream()
                    .filter(d -> d.getKind() == Diagnostic.Kind.ERROR).map(this::describe).toList();
            if (!ok) {
                return new Result(sources.size(), millisSince(t0), errors.isEmpty() ? List.of("the compiler failed") : errors);
            }
            for (Path src : sources) {
                deleteClassesOf(src); // a nested class the new source no longer has must not linger
            }
            for (int i = 0; i < modules.size(); i++) {
                moveInto(staging.resolve(Integer.toString(i)), modules.get(i).classes());
            }
            pending.clear();
            return new Result(sources.size(), millisSince(t0), List.of());
        } finally {
            deleteTree(staging);
        }
    }

    /**
     * Sources that name a type declared in a changed or deleted source: they may call a changed
     * signature or hold a copy of a changed constant. A text search, so it errs on the side of more.
     */
    private Set<Path> dependents(Collection<Path> changed, Collection<Path> deleted) throws IOException {
        List<Pattern> names = new ArrayList<>();
        Stream.concat(changed.stream(), deleted.stream()).map(SourceCompiler::typeName).distinct()
                .forEach(n -> names.add(Pattern.compile("\\b" + Pattern.quote(n) + "\\b")));
        Set<Path> found = new LinkedHashSet<>();
        for (Path src : allSources()) {
            Path abs = src.toAbsolutePath().normalize();
            if (!changed.contains(abs) && mentions(abs, names)) {
                found.add(abs);
            }
        }
        return found;
    }

    private static boolean mentions(Path src, List<Pattern> names) {
        try {
            String text = Files.readString(src, StandardCharsets.UTF_8);
            return names.stream().anyMatch(n -> n.matcher(text).find());
        } catch (IOException | UncheckedIOException e) {
            return false; // unreadable or mid-write: the watcher brings it again
        }
    }

    private static String typeName(Path src) {
        String file = src.getFileName().toString();
        return file.substring(0, file.length() - ".java".length());
    }

    /** {@code src/main/java/a/b/C.java → target/classes/a/b/C.class}, from its package line; null if unreadable. */
    private Path classFile(Path src) {
        Path dir = packageDir(src);
        return dir == null ? null : dir.resolve(typeName(src) + ".class");
    }

    private Path packageDir(Path src) {
        ModuleLayout module = moduleOf(src);
        if (module == null) {
            return null;
        }
        Path output = module.classes();
        String pkg = "";
        try {
            var m = PACKAGE.matcher(Files.readString(src, StandardCharsets.UTF_8));
            if (m.find()) {
                pkg = m.group(1);
            }
        } catch (IOException | UncheckedIOException e) {
            // deleted or unreadable: fall back to where it sits under its source root
            Path abs = src.toAbsolutePath().normalize();
            return abs.getParent() == null ? null : output.resolve(module.sourceRootOf(abs).relativize(abs.getParent()).toString());
        }
        return pkg.isEmpty() ? output : output.resolve(pkg.replace('.', '/'));
    }

    /** The class files a source produced: {@code C.class} and {@code C$*.class} beside it. */
    private void deleteClassesOf(Path src) throws IOException {
        Path dir = packageDir(src);
        if (dir == null || !Files.isDirectory(dir)) {
            return;
        }
        String name = typeName(src);
        try (Stream<Path> list = Files.list(dir)) {
            for (Path cls : list.toList()) {
                String f = cls.getFileName().toString();
                if (f.equals(name + ".class") || (f.startsWith(name + "$") && f.endsWith(".class"))) {
                    Files.deleteIfExists(cls);
                }
            }
        }
    }

    /**
     * Writes each class into the staging directory of the module whose source produced it
     * ({@code staging/<module index>}), so one javac run serves every module.
     */
    private final class PerModuleOutput extends ForwardingJavaFileManager<StandardJavaFileManager> {
        private final Path staging;

        PerModuleOutput(Path staging) {
            super(files);
            this.staging = staging;
        }

        @Override
        public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind,
                                                   FileObject sibling) throws IOException {
            ModuleLayout module = sibling == null || location != StandardLocation.CLASS_OUTPUT ? null
                    : moduleOf(Path.of(sibling.toUri()));
            if (module == null) {
                return super.getJavaFileForOutput(location, className, kind, sibling);
            }
            Path target = staging.resolve(Integer.toString(modules.indexOf(module)))
                    .resolve(className.replace('.', '/') + kind.extension);
            return fileManager.getJavaFileObjects(target).iterator().next();
        }
    }

    private static void moveInto(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                Files.createDirectories(target.getParent());
                Files.move(p, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** {@code src/main/java/demo/Hello.java:12: ';' expected}, relative to the working directory where it can be. */
    private String describe(Diagnostic<? extends JavaFileObject> d) {
        String where = "";
        if (d.getSource() != null) {
            Path p = Path.of(d.getSource().toUri());
            Path cwd = Path.of("").toAbsolutePath();
            where = (p.startsWith(cwd) ? cwd.relativize(p) : p) + ":" + d.getLineNumber() + ": ";
        }
        return where + d.getMessage(Locale.ROOT);
    }

    private static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    @Override
    public void close() throws IOException {
        files.close();
    }
}
