package dev.cracdev.engine;

import dev.cracdev.Console;
import dev.cracdev.CracDevException;
import dev.cracdev.ExitCode;
import dev.cracdev.PrivateDirectories;
import dev.cracdev.image.ImageStore;
import dev.cracdev.protocol.ChildProtocol;
import dev.cracdev.protocol.ReadSet;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * What the checkpoint engines ({@code criu}, {@code crac}) share: a base image in the store, built into a
 * fresh directory and published by rename; one restore per generation, which must release the app
 * within the restore timeout; a restore that fails or hangs means a bad image, which is discarded,
 * rebuilt, and the restore retried once; a background rebuild when generations recorded noticeably
 * more framework classes. An image is valid only while its {@link ReadSet} matches the app roots: when a
 * file the framework phase read changed, that generation starts in a fresh JVM and the image is rebuilt
 * in the background. Subclasses say how to build an image and how to restore one.
 */
public abstract class ImageEngine implements Engine {
    /** Written into an image once it is complete: what restores need, and numbers for the user. */
    protected static final String IMAGE_META = "crac-dev.properties";
    /** Image metadata: the token of the JVM that was checkpointed, which its restores use until a go line. */
    protected static final String TOKEN = "token";
    /** Image metadata: how long the framework phase trained the app (-1: untrained). */
    protected static final String TRAINED = "trainedMillis";
    /** Image file: what the framework phase read from the app roots (see {@link ReadSet}). */
    protected static final String READ_SET = "readset";
    private static final long REBUILD_DELAY_MS = 1500;

    protected final LaunchConfig cfg;
    protected final Console console;
    private final Duration restoreTimeout;
    private final ReadWriteLock imageLock = new ReentrantReadWriteLock();
    private final ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "crac-dev-image-rebuild");
        t.setDaemon(true);
        return t;
    });
    /**
     * The generation restored ahead of the next change (engines with the go line on stdin): in flight, or
     * done and parked at the boundary (null when it failed or went stale). A change waits for one in flight
     * instead of starting a second, concurrent restore.
     */
    private final ParkedSlot<Long> ahead = new ParkedSlot<>(); // tagged with the image version
    /** Restores not yet handed over: {@link #close()} ends them. */
    private final Set<ChildProcess> restoring = ConcurrentHashMap.newKeySet();
    /** Bumped whenever a new base image is published: a parked generation of an older one is discarded. */
    private final AtomicLong imageVersion = new AtomicLong();
    /** Classes recorded since the last rebuild was scheduled; > 0 while one is pending. */
    private final AtomicInteger pendingNewClasses = new AtomicInteger();
    /** The published base image's metadata (null: none), read once instead of on every restore. */
    private volatile Properties baseMeta;
    /** What the published base image's framework phase read: it is valid only while this matches. */
    private volatile ReadSet baseReadSet;
    /** A rebuild for a stale read set is scheduled or running. */
    private final AtomicBoolean staleRebuild = new AtomicBoolean();
    private volatile ChildProcess building;
    private volatile boolean closed;

    protected ImageEngine(LaunchConfig cfg, Console console, Duration restoreTimeout) {
        this.cfg = cfg;
        this.console = console;
        this.restoreTimeout = restoreTimeout;
        this.baseMeta = readMeta(baseImage());
        this.baseReadSet = readReadSet(baseImage());
    }

    /**
     * Boots a template and checkpoints it into {@code dir} (fresh, private). Returns what restores need
     * (stored in the image) plus {@code frameworkMillis}, {@code preloaded} and {@code dumpMillis}.
     * {@link #building(ChildProcess)} must be told the template so {@link #close()} can end it.
     */
    protected abstract Properties checkpointInto(Path dir) throws CracDevException, IOException, InterruptedException;

    /** How a generation is restored from {@code image}, whose metadata is {@code meta}. */
    protected abstract RestoreCommand restoreCommand(Path image, Properties meta, GenerationRequest request, Path work)
            throws CracDevException;

    /**
     * A restore command; when it is a faster way that may fail where the plain one would not (a lazy CRIU
     * restore), {@code kind} names it, it gets {@code timeout} at most, and {@code orElse} is tried next.
     */
    public record RestoreCommand(List<String> command, String kind, Duration timeout, List<String> orElse) {
        public static RestoreCommand plain(List<String> command) {
            return new RestoreCommand(command, null, null, null);
        }
    }

    /** True when the go line travels on the restored JVM's stdin, false when it is in the restore command. */
    protected abstract boolean goOnStdin();

    /** Where restore logs go, for the user's error message. */
    protected abstract String restoreLogHint(Path work);

    /** The first error line of the restore log in {@code work}, as "; engine: ...", or "". */
    protected abstract String restoreError(Path work);

    public Path baseImage() {
        return cfg.stateDir().resolve("base");
    }

    @Override
    public boolean hasBaseImage() {
        return baseMeta != null;
    }

    @Override
    public String imageDescription() {
        return baseMeta == null ? "none yet" : baseImage().toString();
    }

    protected Path work() {
        return cfg.stateDir().resolve("work");
    }

    /** Tells the engine the template being booted (from its start on), so {@link #close()} can end it. */
    protected void building(ChildProcess template) {
        building = template;
        if (closed && template != null) {
            template.kill();
        }
    }

    protected boolean closed() {
        return closed;
    }

    /** How long a restore may take to answer (--restore-timeout). */
    protected Duration restoreTimeout() {
        return restoreTimeout;
    }

    @Override
    public void prepare() throws CracDevException {
        List<String> changed = staleFiles();
        if (baseMeta == null) {
            buildBase("no base image yet");
        } else if (!changed.isEmpty()) {
            buildBase(ReadSet.describe(changed) + " since the framework phase read it");
        } else {
            console.debug("reusing base image " + baseImage());
        }
    }

    @Override
    public Launched launch(GenerationRequest request) throws CracDevException {
        List<String> changed = staleFiles();
        if (!changed.isEmpty()) {
            // the image holds what framework initializers made of the old files: never serve that
            discardParked();
            rebuildStale(changed);
            console.info(ReadSet.describe(changed) + " (read by the framework phase): gen " + request.number()
                    + " starts in a fresh JVM while the base image is rebuilt");
            return FreshJvm.launch(cfg, console, request, "fresh JVM");
        }
        Launched ahead = releaseParked(request);
        if (ahead != null) {
            return ahead;
        }
        try {
            return restore(request);
        } catch (BadImage e) {
            console.warn("the base image " + baseImage() + " failed to restore (" + e.getMessage()
                    + "); discarding and rebuilding it");
            discardBase();
            buildBase("the previous image was bad");
            try {
                return restore(request);
            } catch (BadImage again) {
                throw new CracDevException(ExitCode.FAILURE, "a freshly built base image failed to restore too ("
                        + again.getMessage() + "); run with --verbose and see " + restoreLogHint(work()));
            }
        }
    }

    private Launched restore(GenerationRequest request) throws CracDevException, BadImage {
        imageLock.readLock().lock();
        try {
            Properties meta = baseMeta;
            if (meta == null) {
                throw new BadImage("its metadata is missing");
            }
            // the go line waits in the pipe until the restored JVM reads it; its first event (started) carries its token
            Restored r = startRestore("gen-" + request.number(), restoreCommand(baseImage(), meta, request, work()), true,
                    goOnStdin() ? request.goLine(true) : null, ChildProtocol.STARTED, request.token());
            if (r.failure() != null) {
                throw new BadImage(r.failure() + restoreError(work()));
            }
            r.child().expectExitFlag(request.exitFlag());
            return new Launched(r.child(), "restore");
        } finally {
            imageLock.readLock().unlock();
        }
    }

    /**
     * Releases the generation restored ahead, if there is a current one (waiting for it if its restore is
     * still in flight): the restore is then off the critical path of a change (what remains is stopping
     * the old generation and the app's own start).
     */
    private Launched releaseParked(GenerationRequest request) {
        ParkedSlot.Parked<Long> p = ahead.take(restoreTimeout);
        if (p == null) {
            return null;
        }
        if (p.tag() == imageVersion.get() && p.child().isAlive()) {
            p.child().forwardOutput();
            p.child().release(request, true);
            try {
                ChildProtocol.Message m = p.child().await(Set.of(ChildProtocol.STARTED), restoreTimeout);
                if (m != null && m.word().equals(ChildProtocol.STARTED)) {
                    return new Launched(p.child(), "release restored-ahead");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        p.child().kill();
        return null;
    }

    /** The files the base image's framework phase read that have changed since (empty: none, or no image). */
    private List<String> staleFiles() {
        return baseMeta == null ? List.of() : baseReadSet.changed(cfg.appRoots());
    }

    private void rebuildStale(List<String> changed) {
        if (closed || !staleRebuild.compareAndSet(false, true)) {
            return;
        }
        try {
            background.schedule(() -> {
                try {
                    if (!staleFiles().isEmpty()) { // a rebuild for new classes may have come first
                        buildBase(ReadSet.describe(changed) + " since the framework phase read it");
                        restoreAhead();
                    }
                } catch (CracDevException e) {
                    if (!closed) {
                        console.warn("rebuilding the base image failed: " + e.getMessage());
                    }
                } finally {
                    staleRebuild.set(false);
                }
            }, REBUILD_DELAY_MS, TimeUnit.MILLISECONDS); // the fresh generation starts first
        } catch (java.util.concurrent.RejectedExecutionException e) {
            staleRebuild.set(false); // closed meanwhile
        }
    }

    /** Restores the next generation now and parks it (background thread). */
    private void restoreAhead() {
        Properties meta = baseMeta;
        if (closed || !goOnStdin() || meta == null || !staleFiles().isEmpty()) {
            return;
        }
        CompletableFuture<ParkedSlot.Parked<Long>> next = ahead.claim();
        if (next == null) {
            return; // one is parked or on its way
        }
        long version = imageVersion.get();
        ParkedSlot.Parked<Long> parked = null;
        try {
            // a ping is answered once the JVM is restored and reading its stdin, with the template's token
            Restored r = startRestore("gen-next", restoreCommand(baseImage(), meta, null, work()), false,
                    ChildProtocol.PING, ChildProtocol.PONG, meta.getProperty(TOKEN));
            if (r.failure() != null) {
                console.debug("restoring ahead failed: " + r.failure());
            } else if (closed || version != imageVersion.get()) {
                r.child().kill(); // stale: a change restores the usual way
            } else {
                parked = new ParkedSlot.Parked<>(r.child(), version);
                console.debug("next generation restored ahead and parked (pid " + r.child().jvmPid() + ")");
                // it reads its memory once while it waits (a restored JVM's first touches are slow on some VMs);
                // its answer shows in --verbose as a "prefaulted" event
                r.child().send(ChildProtocol.encode(ChildProtocol.PREFAULT));
            }
        } catch (CracDevException e) {
            console.debug("restoring ahead failed: " + e.getMessage());
        } finally {
            ahead.fill(next, parked);
        }
    }

    private void discardParked() {
        ahead.discard(); // now, or when its restore is done
    }

    @Override
    public String nextGeneration() {
        CompletableFuture<ParkedSlot.Parked<Long>> next = ahead.peek();
        if (next == null) {
            return "none";
        }
        if (!next.isDone()) {
            return "restoring ahead";
        }
        ParkedSlot.Parked<Long> p = next.join();
        if (p == null) {
            return "none";
        }
        // prepared once it has read its memory too (a change before that releases it all the same)
        return p.child().lastEvent(ChildProtocol.PREFAULTED) != null ? "restored ahead" : "restoring ahead";
    }

    @Override
    public void idle(int newFrameworkClasses) {
        try {
            scheduleBackgroundWork(newFrameworkClasses);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed meanwhile: nothing to prepare
        }
    }

    private void scheduleBackgroundWork(int newFrameworkClasses) {
        if (!closed) {
            background.execute(this::restoreAhead); // queued behind a rebuild, which would discard it anyway
        }
        Properties meta = baseMeta;
        int preloaded = meta == null ? 0 : Integer.parseInt(meta.getProperty("preloaded", "0"));
        if (Engine.worthRebuilding(preloaded, newFrameworkClasses) && !closed
                && pendingNewClasses.getAndAdd(newFrameworkClasses) == 0) {
            // a little later, so the lists a generation saves right after another (main returned, then
            // ready) make one rebuild, and the generation's own start is not slowed down by it
            background.schedule(() -> {
                int classes = pendingNewClasses.getAndSet(0);
                try {
                    buildBase(classes + " more framework classes were recorded");
                    restoreAhead(); // the one parked from the previous image was discarded
                } catch (CracDevException e) {
                    if (!closed) {
                        console.warn("rebuilding the base image failed: " + e.getMessage());
                    }
                }
            }, REBUILD_DELAY_MS, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public long frameworkBootMillis() {
        Properties meta = baseMeta;
        return meta == null ? -1 : Long.parseLong(meta.getProperty("frameworkMillis", "-1"));
    }

    /** Builds a new base image and publishes it; the previous one serves restores until then. */
    protected synchronized void buildBase(String why) throws CracDevException { // one build at a time
        console.info("building the base image (" + why + ")...");
        long t0 = System.nanoTime();
        try {
            Properties meta = buildImage(baseImage(), "base image", this::checkpointInto, () -> {
                imageLock.writeLock().lock(); // no restore reads the image while it is replaced
                return imageLock.writeLock()::unlock;
            });
            baseReadSet = readReadSet(baseImage());
            baseMeta = meta;
            imageVersion.incrementAndGet();
            discardParked(); // restored from the previous image
            long trained = Long.parseLong(meta.getProperty(TRAINED, "-1"));
            console.info(String.format("base image ready in %.1f s (framework phase %s ms, %s classes preloaded, %sdump %s ms, %d MB)",
                    (System.nanoTime() - t0) / 1e9, meta.getProperty("frameworkMillis"), meta.getProperty("preloaded"),
                    trained >= 0 ? "app trained in " + trained + " ms, " : "", meta.getProperty("dumpMillis"), sizeMb(baseImage())));
        } catch (IOException e) {
            throw new CracDevException(ExitCode.FAILURE, "could not measure the base image: " + e.getMessage());
        } finally {
            building(null);
        }
    }

    /** Fills a fresh, private directory with an image and returns the image's metadata. */
    protected interface ImageWriter {
        Properties writeInto(Path dir) throws CracDevException, IOException, InterruptedException;
    }

    /** Takes a lock around the moment an image is replaced; returns how to release it. */
    protected interface PublishLock {
        Runnable acquire();
    }

    /**
     * Builds an image the one way crac-dev builds images: into a fresh private directory, metadata written
     * last, then renamed into place ({@code target}); a failed build leaves nothing behind.
     */
    protected Properties buildImage(Path target, String what, ImageWriter writer, PublishLock lock) throws CracDevException {
        Path dir = null;
        try {
            dir = ImageStore.newBuildDir(target);
            Properties meta = writer.writeInto(dir);
            writeMeta(dir, meta);
            Runnable unlock = lock.acquire();
            try {
                ImageStore.publish(dir, target);
                dir = null;
            } finally {
                unlock.run();
            }
            return meta;
        } catch (IOException e) {
            throw new CracDevException(ExitCode.FAILURE, "could not write the " + what + " (" + e.getMessage()
                    + "); check free space and permissions of the image store (--images)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CracDevException(ExitCode.FAILURE, "interrupted while writing the " + what);
        } finally {
            if (dir != null) {
                deleteQuietly(dir);
            }
        }
    }

    /** A restore that was started, given its first line and awaited: the child, or why it failed (then it is gone). */
    protected record Restored(ChildProcess child, String failure) {
    }

    /**
     * Starts a restore, writes {@code firstLine} (if any) to its stdin and waits for the runtime event
     * {@code word} carrying {@code token}; on timeout or exit the restore is killed and the failure described.
     */
    protected Restored startRestore(String name, RestoreCommand command, boolean forwardOutput, String firstLine, String word,
                                    String token) throws CracDevException {
        if (command.orElse() == null) {
            return startRestore(name, command.command(), restoreTimeout, forwardOutput, firstLine, word, token);
        }
        Duration first = command.timeout().compareTo(restoreTimeout) < 0 ? command.timeout() : restoreTimeout;
        Restored r = startRestore(name, command.command(), first, forwardOutput, firstLine, word, token);
        if (r.failure() == null) {
            return r;
        }
        console.warn(name + ": the " + command.kind() + " failed (" + r.failure() + "); restoring it the plain way");
        return startRestore(name, command.orElse(), restoreTimeout, forwardOutput, firstLine, word, token);
    }

    private Restored startRestore(String name, List<String> command, Duration timeout, boolean forwardOutput, String firstLine,
                                  String word, String token) throws CracDevException {
        try {
            PrivateDirectories.createMissing(work());
            ChildProcess child = ChildProcess.start(name, command, cfg.workDir(), console, forwardOutput, token);
            child.markRestore();
            restoring.add(child);
            ChildProtocol.Message m;
            try {
                if (closed) {
                    child.kill();
                }
                if (firstLine != null) {
                    child.send(firstLine);
                }
                m = child.await(Set.of(word), timeout);
            } catch (InterruptedException e) {
                child.kill(); // a restore nobody waits for must not live on
                throw e;
            } finally {
                restoring.remove(child);
            }
            if (m != null && m.word().equals(word) && !closed) {
                return new Restored(child, null);
            }
            child.kill();
            if (closed) {
                throw new CracDevException(ExitCode.FAILURE, "crac-dev is stopping: the restore was ended");
            }
            return new Restored(null, m == null ? "no answer within " + (timeout.toMillis() < 1000
                    ? timeout.toMillis() + " ms" : timeout.toSeconds() + " s")
                    : "the restore exited with status " + m.get("status"));
        } catch (IOException e) {
            throw new CracDevException(ExitCode.FAILURE, "cannot start the restore (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CracDevException(ExitCode.FAILURE, "interrupted while restoring");
        }
    }

    private void discardBase() throws CracDevException {
        baseMeta = null;
        imageVersion.incrementAndGet();
        discardParked();
        imageLock.writeLock().lock();
        try {
            ImageStore.discard(baseImage());
        } catch (IOException e) {
            throw new CracDevException(ExitCode.FAILURE, "cannot delete the bad image " + baseImage() + ": " + e.getMessage());
        } finally {
            imageLock.writeLock().unlock();
        }
    }

    @Override
    public void close() {
        closed = true;
        background.shutdownNow();
        discardParked();
        restoring.forEach(ChildProcess::kill);
        ChildProcess b = building;
        if (b != null) {
            b.kill();
        }
        // a restore or build the background thread started may be ending itself right now (a kill holds a
        // restore stopped until its tree is killed): a supervisor that exits before that is done leaves it
        // stopped for ever, parented to init
        try {
            if (!background.awaitTermination(20, TimeUnit.SECONDS)) {
                console.warn("background work did not end within 20 s of stopping; check for leftover processes with ps");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writes the metadata that marks an image complete (last, before the image is published). */
    protected static void writeMeta(Path dir, Properties meta) throws IOException {
        try (Writer w = Files.newBufferedWriter(dir.resolve(IMAGE_META), StandardCharsets.UTF_8)) {
            meta.store(w, "crac-dev image");
        }
    }

    protected void deleteQuietly(Path dir) {
        try {
            ImageStore.deleteTree(dir);
        } catch (IOException e) {
            console.debug("could not delete " + dir + ": " + e.getMessage());
        }
    }

    /** Stores what the template's framework phase read into its image, and whether it trained the app. */
    protected static void saveReadSet(TemplateBooter.Template template, Path dir, Properties meta) throws IOException {
        template.readSet().write(dir.resolve(READ_SET));
        meta.setProperty(TRAINED, Long.toString(template.trainedMillis()));
    }

    private static ReadSet readReadSet(Path image) {
        try {
            return ReadSet.read(image.resolve(READ_SET));
        } catch (IOException e) {
            return ReadSet.empty(); // unreadable: the image's metadata is checked on restore anyway
        }
    }

    /** The image's metadata, or null when the image is missing or incomplete. */
    protected static Properties readMeta(Path image) {
        Path file = image.resolve(IMAGE_META);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
            return p;
        } catch (IOException e) {
            return null;
        }
    }

    /** "; what: <first line with 'Error'>" from a log file, or "". */
    protected static String firstError(Path log, String what) {
        try {
            return Files.readAllLines(log, StandardCharsets.ISO_8859_1).stream()
                    .filter(l -> l.contains("Error") || l.contains("error"))
                    .findFirst()
                    .map(l -> "; " + what + ": " + l.replaceFirst("^\\(\\s*[0-9.]+\\)\\s*", "").strip())
                    .orElse("");
        } catch (IOException e) {
            return "";
        }
    }

    private static long sizeMb(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum() / (1024 * 1024);
        }
    }

    /** The image could not be restored: it is discarded and rebuilt. */
    protected static final class BadImage extends Exception {
        public BadImage(String message) {
            super(message, null, false, false);
        }
    }
}
