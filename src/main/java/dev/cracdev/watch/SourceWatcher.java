package dev.cracdev.watch;

import io.methvin.watcher.DirectoryChangeEvent;
import io.methvin.watcher.DirectoryWatcher;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Watches the source paths with directory-watcher and hands over one {@link ChangeSet} per burst: each
 * event restarts a quiet period, and only when no event came for that long is the batch delivered (a
 * build writing 200 class files is one restart). Editor droppings and VCS folders are ignored.
 * Knows nothing about engines or restarts.
 */
public final class SourceWatcher implements AutoCloseable {
    /** Ignored always: swap and backup files of common editors, and VCS metadata. */
    public static final List<String> DEFAULT_IGNORES = List.of(
            "**/.git/**", "**/.git", "**/.hg/**", "**/.svn/**", "**/*.swp", "**/*.swx", "**/*.swo", "**/*~",
            "**/.#*", "**/#*#", "**/4913", "**/.DS_Store", "**/*.tmp");

    private final DirectoryWatcher watcher;
    private final ScheduledExecutorService timer;
    private final Duration quietPeriod;
    private final Consumer<ChangeSet> onBatch;
    private final List<PathMatcher> ignores = new ArrayList<>();
    private final List<Path> watchedDirs = new ArrayList<>();
    private final java.util.Set<Path> watchedFiles = new java.util.HashSet<>();
    private ChangeSet pending = ChangeSet.files();
    private ScheduledFuture<?> flush;

    public SourceWatcher(List<Path> paths, List<String> extraIgnores, Duration quietPeriod,
                         Consumer<ChangeSet> onBatch) throws IOException {
        this.quietPeriod = quietPeriod;
        this.onBatch = onBatch;
        for (String glob : DEFAULT_IGNORES) {
            ignores.add(FileSystems.getDefault().getPathMatcher("glob:" + glob));
        }
        for (String glob : extraIgnores) {
            ignores.add(FileSystems.getDefault().getPathMatcher("glob:" + (glob.startsWith("**/") ? glob : "**/" + glob)));
        }
        // A file (a framework jar, a fixture) is watched through its folder, but only its own events count.
        java.util.Set<Path> roots = new java.util.LinkedHashSet<>();
        for (Path p : paths) {
            Path abs = p.toAbsolutePath().normalize();
            if (Files.isDirectory(abs)) {
                watchedDirs.add(abs);
                roots.add(abs);
            } else {
                watchedFiles.add(abs);
                roots.add(abs.getParent());
            }
        }
        List<Path> dirs = new ArrayList<>(roots);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "crac-dev-quiet-period"));
        this.watcher = DirectoryWatcher.builder()
                .paths(dirs)
                .fileHashing(false) // every write counts, like nodemon; hashing would also walk the tree first
                .listener(this::onEvent)
                .build();
    }

    /** Starts watching in the background. */
    public void start() {
        watcher.watchAsync(Executors.newSingleThreadExecutor(r -> daemon(r, "crac-dev-watch")));
    }

    private void onEvent(DirectoryChangeEvent event) {
        if (event.eventType() == DirectoryChangeEvent.EventType.OVERFLOW) {
            add(event.rootPath(), ChangeSet.Kind.MODIFIED); // lost events: treat as a change of the root
            return;
        }
        Path path = event.path();
        if (path == null || ignored(path) || event.isDirectory() || !wanted(path.toAbsolutePath().normalize())) {
            return;
        }
        add(path, switch (event.eventType()) {
            case CREATE -> ChangeSet.Kind.ADDED;
            case DELETE -> ChangeSet.Kind.DELETED;
            default -> ChangeSet.Kind.MODIFIED;
        });
    }

    private synchronized void add(Path path, ChangeSet.Kind kind) {
        pending.add(path, kind);
        if (flush != null) {
            flush.cancel(false);
        }
        flush = timer.schedule(this::deliver, quietPeriod.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void deliver() {
        ChangeSet batch;
        synchronized (this) {
            batch = pending;
            pending = ChangeSet.files();
            flush = null;
        }
        if (!batch.isEmpty()) {
            onBatch.accept(batch);
        }
    }

    private boolean wanted(Path path) {
        if (watchedFiles.contains(path)) {
            return true;
        }
        for (Path dir : watchedDirs) {
            if (path.startsWith(dir)) {
                return true;
            }
        }
        return false;
    }

    boolean ignored(Path path) {
        for (PathMatcher m : ignores) {
            if (m.matches(path)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        watcher.close();
        timer.shutdownNow();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
