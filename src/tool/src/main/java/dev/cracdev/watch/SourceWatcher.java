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
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Watches the source paths with directory-watcher and hands over one {@link ChangeSet} per burst: each
 * event restarts a quiet period, and only when no event came for that long is the batch delivered (a
 * build writing 200 class files is one restart). Editor droppings and VCS folders are ignored.
 * Knows nothing about engines or restarts.
 */
public final class SourceWatcher implements AutoCloseable {
    /**
     * Ignored always: swap and backup files of common editors, VCS metadata, and the {@code proc.crtools}
     * directory CRIU's dump makes for a moment in the dumped JVM's working directory (the project's).
     */
    public static final List<String> DEFAULT_IGNORES = List.of(
            "**/.git/**", "**/.git", "**/.hg/**", "**/.svn/**", "**/*.swp", "**/*.swx", "**/*.swo", "**/*~",
            "**/.#*", "**/#*#", "**/4913", "**/.DS_Store", "**/*.tmp", "**/proc.crtools", "**/proc.crtools/**");

    private final List<Path> roots;
    private volatile DirectoryWatcher watcher;
    private Map<Path, Object> rootIdentities = Map.of();
    private final java.util.Set<Path> missingRoots = new java.util.HashSet<>();
    private final ScheduledExecutorService timer;
    private final Duration quietPeriod;
    private final Consumer<ChangeSet> onBatch;
    private final List<PathMatcher> ignores = new ArrayList<>();
    private final List<Path> watchedDirs = new ArrayList<>();
    private final java.util.Set<Path> watchedFiles = new java.util.HashSet<>();
    private ChangeSet pending = ChangeSet.files();
    private ScheduledFuture<?> flush;
    private volatile BiConsumer<Path, ChangeSet.Kind> onChange = (path, kind) -> { };

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
        this.roots = new ArrayList<>(roots);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "crac-dev-quiet-period"));
    }

    /**
     * Also tells {@code listener} of each change as it comes (on the watcher's thread), before the change joins its
     * batch: whatever the listener hands on is ahead of that batch's delivery.
     */
    public void onEachChange(BiConsumer<Path, ChangeSet.Kind> listener) {
        this.onChange = listener;
    }

    /** Starts watching in the background. */
    public void start() throws IOException {
        watch();
        // `mvn clean` deletes target/classes and the next build makes a new directory that an inotify watch
        // on the old one never sees: notice a root that was replaced, and watch the new one
        timer.scheduleWithFixedDelay(this::rewatchReplacedRoots, 200, 200, TimeUnit.MILLISECONDS);
    }

    private synchronized void watch() throws IOException {
        rootIdentities = identities();
        List<Path> existing = roots.stream().filter(Files::isDirectory).toList();
        watcher = DirectoryWatcher.builder()
                .paths(existing)
                .fileHashing(false) // every write counts, like nodemon; hashing would also walk the tree first
                .listener(this::onEvent)
                .build();
        watcher.watchAsync(Executors.newSingleThreadExecutor(r -> daemon(r, "crac-dev-watch")));
    }

    private void rewatchReplacedRoots() {
        try {
            Map<Path, Object> now = identities();
            Path replaced = null;
            for (Path root : roots) {
                Object id = now.get(root);
                if (id.equals("missing")) {
                    missingRoots.add(root); // its inode may be reused: "it was gone" is the reliable sign
                } else if (missingRoots.remove(root) || !id.equals(rootIdentities.get(root))) {
                    replaced = root;
                }
            }
            if (replaced == null) {
                return;
            }
            synchronized (this) {
                watcher.close();
                watch();
            }
            add(replaced, ChangeSet.Kind.MODIFIED); // the new directory is a change in itself
        } catch (IOException | RuntimeException e) {
            // try again on the next tick
        }
    }

    /** Which directory each root is right now (its inode), or "missing". */
    private Map<Path, Object> identities() {
        Map<Path, Object> ids = new HashMap<>();
        for (Path root : roots) {
            try {
                Object key = Files.readAttributes(root, BasicFileAttributes.class).fileKey();
                ids.put(root, key == null ? "present" : key);
            } catch (IOException e) {
                ids.put(root, "missing");
            }
        }
        return ids;
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
        ChangeSet.Kind kind = switch (event.eventType()) {
            case CREATE -> ChangeSet.Kind.ADDED;
            case DELETE -> ChangeSet.Kind.DELETED;
            default -> ChangeSet.Kind.MODIFIED;
        };
        onChange.accept(path, kind); // first: what it starts must come before the batch this change ends up in
        add(path, kind);
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
        timer.shutdownNow();
        synchronized (this) {
            watcher.close();
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
