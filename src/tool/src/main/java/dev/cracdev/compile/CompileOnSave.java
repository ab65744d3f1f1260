package dev.cracdev.compile;

import dev.cracdev.Console;
import dev.cracdev.watch.ChangeSet;
import dev.cracdev.watch.SourceWatcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Watches a Maven project's sources and resources (its own and those of the sibling modules it depends
 * on) and brings each module's {@code target/classes} up to date on every save: Java sources through a warm {@link SourceCompiler}, resources copied. It only writes the classes
 * directory; the app-root watcher sees those writes and restarts, exactly as after an IDE's build.
 * A compile error is printed as {@code file:line: message}, and the running generation keeps serving.
 */
public final class CompileOnSave implements AutoCloseable {
    /**
     * What to compile: from the Maven project, its own module first. {@code release} may be null (this JDK's).
     */
    public record Settings(List<ModuleLayout> modules, List<Path> classPath, Integer release) {
    }

    private static final int MAX_ERRORS_SHOWN = 10;

    private final Settings settings;
    private final Console console;
    private final SourceCompiler compiler;
    private final SourceWatcher watcher;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "crac-dev-compile");
        t.setDaemon(true);
        return t;
    });

    public CompileOnSave(Settings settings, Duration quietPeriod, List<String> ignores, Console console) throws IOException {
        this.settings = settings;
        this.console = console;
        this.compiler = new SourceCompiler(settings.modules(), settings.classPath(), settings.release());
        List<Path> roots = new ArrayList<>();
        settings.modules().forEach(m -> {
            roots.addAll(m.sources());
            roots.addAll(m.resources());
        });
        List<Path> existing = roots.stream().filter(Files::isDirectory).toList();
        this.watcher = existing.isEmpty() ? null : new SourceWatcher(existing, ignores, quietPeriod,
                changes -> worker.execute(() -> onSave(changes)));
    }

    /**
     * Compiles the sources saved while nothing watched them (newer than their class), then watches.
     * Returns whether the classes are now up to date (false: a compile error, already printed).
     */
    public boolean start() throws IOException {
        List<Path> stale = compiler.staleSources();
        boolean ok = true;
        if (!stale.isEmpty()) {
            ok = report(compiler.compile(stale, List.of()), "newer than their classes", false);
        } else {
            worker.execute(() -> {
                try {
                    compiler.warmUp();
                } catch (IOException | RuntimeException e) {
                    console.debug("warming the compiler up: " + e);
                }
            });
        }
        if (watcher != null) {
            watcher.start();
        }
        return ok;
    }

    private void onSave(ChangeSet changes) {
        List<Path> sources = new ArrayList<>();
        List<Path> deletedSources = new ArrayList<>();
        try {
            for (Map.Entry<Path, ChangeSet.Kind> c : changes.changes().entrySet()) {
                Path path = c.getKey();
                boolean deleted = c.getValue() == ChangeSet.Kind.DELETED;
                if (compiler.isSource(path)) {
                    (deleted ? deletedSources : sources).add(path);
                } else {
                    copyResource(path, deleted);
                }
            }
            if (!sources.isEmpty() || !deletedSources.isEmpty()) {
                SourceCompiler.Result result = compiler.compile(sources, deletedSources);
                if (result != null && result.ok() && result.sources() == 0) { // deletions alone, nobody used them
                    console.info("removed the classes of " + deletedSources.size() + " deleted source"
                            + (deletedSources.size() == 1 ? "" : "s"));
                } else {
                    report(result, null, !deletedSources.isEmpty());
                }
            }
        } catch (IOException | RuntimeException e) {
            console.error("compile on save failed: " + e.getMessage() + "; save again to retry");
        }
    }

    /** Mirrors a resource under a module's resource root into its classes directory (no Maven filtering). */
    private void copyResource(Path path, boolean deleted) throws IOException {
        Path abs = path.toAbsolutePath().normalize();
        for (ModuleLayout module : settings.modules()) {
            Path r = module.resources().stream().filter(root -> abs.startsWith(root) && !abs.equals(root)).findFirst().orElse(null);
            if (r == null) {
                continue;
            }
            Path target = module.classes().resolve(r.relativize(abs).toString());
            if (deleted) {
                Files.deleteIfExists(target);
            } else if (Files.isRegularFile(abs)) {
                Files.createDirectories(target.getParent());
                Files.copy(abs, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return;
        }
    }

    /** {@code deleted}: deleted sources took their classes with them before the compile (javac must not see them). */
    private boolean report(SourceCompiler.Result result, String why, boolean deleted) {
        if (result == null) {
            return true;
        }
        String what = result.sources() + (result.sources() == 1 ? " source" : " sources") + (why == null ? "" : " " + why);
        if (result.ok()) {
            console.info("compiled " + what + " in " + result.millis() + " ms");
            return true;
        }
        console.error("compile error in " + what + " (" + result.errors().size() + " error"
                + (result.errors().size() == 1 ? "" : "s") + "):");
        result.errors().stream().limit(MAX_ERRORS_SHOWN).forEach(e -> console.error("  " + e.replace("\n", "\n    ")));
        console.error(deleted ? "the deleted sources' classes are gone, nothing else was written: the next generation runs"
                + " without them; fix it and save again" : "nothing was written: the running generation keeps serving; fix it and save again");
        return false;
    }

    @Override
    public void close() throws IOException {
        if (watcher != null) {
            watcher.close();
        }
        worker.shutdownNow();
        compiler.close();
    }
}
