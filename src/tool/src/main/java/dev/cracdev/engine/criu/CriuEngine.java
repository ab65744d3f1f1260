package dev.cracdev.engine.criu;

import dev.cracdev.Console;
import dev.cracdev.CracDevException;
import dev.cracdev.ExitCode;
import dev.cracdev.PrivateDirectories;
import dev.cracdev.engine.EngineKind;
import dev.cracdev.engine.GenerationRequest;
import dev.cracdev.engine.ImageEngine;
import dev.cracdev.engine.LaunchConfig;
import dev.cracdev.engine.ParkedSlot;
import dev.cracdev.engine.ChildProcess;
import dev.cracdev.engine.TemplateBooter;
import dev.cracdev.image.ImageStore;
import dev.cracdev.protocol.ChildProtocol;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Checkpoint/restore of a stock JDK with CRIU, driven from outside the JVM (recipe measured in
 * shared/notes/criu-jvm.md).
 *
 * <ol>
 *   <li>Template: {@code unshare --pid --fork setsid java -XX:-UsePerfData ...}: the JVM is PID 1 of its own
 *       pid namespace and a session leader, with three pipes from us as stdin/stdout/stderr. It runs the
 *       framework phase, prints {@code boundary} and blocks reading stdin.</li>
 *   <li>Dump: {@code criu dump -t <jvm host pid>} into a fresh directory, which is renamed to
 *       {@code base} once complete; the pipe inodes of fds 0–2 go into the image's metadata.</li>
 *   <li>Each generation: {@code criu restore} with {@code --inherit-fd} mapping fresh pipes onto the
 *       template's fds 0–2. CRIU recreates the pid namespace, so restores never collide on PIDs. The
 *       restored JVM's blocked read continues on the new stdin: it reads its {@code go} line and runs the
 *       app phase. To stop it we SIGKILL the JVM (the namespace's init: all in it dies), then reap criu.</li>
 *   <li>Where the kernel has userfaultfd, restores are lazy: a {@code criu lazy-pages} server copies the
 *       image's memory in while the JVM already runs. Filling a fresh process page by page costs a fault per
 *       page (~15 µs here: ~0.7 s for the example's 180 MB ready image); the server's large copies take a
 *       fraction of it (~0.3 s). A lazy restore that does not answer in time is ended and the plain one
 *       runs instead. {@code CRACDEV_CRIU_LAZY=off} turns them off.</li>
 *   <li>A generation restored ahead is asked to read its memory once while it is parked (the runtime's
 *       {@code Prefault}): on a VM with shadow page tables a restored JVM's first touch of each page is slow.</li>
 * </ol>
 */
public final class CriuEngine extends ImageEngine {
    private static final List<String> STDIO = List.of("stdin", "stdout", "stderr");
    private static final Duration DUMP_TIMEOUT = Duration.ofMinutes(5);

    /** Ready image metadata: whether it can be restored while another generation runs (see checkpointReady). */
    private static final String AHEAD = "restorableAhead";

    private final Path criu;
    private final boolean lazyPages;
    /** The ready image restored ahead of the next reset, tagged with its key. */
    private final ParkedSlot<String> readyAhead = new ParkedSlot<>();
    private final ExecutorService readyBackground = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "crac-dev-ready-ahead");
        t.setDaemon(true);
        return t;
    });


    public CriuEngine(LaunchConfig cfg, Console console, Duration restoreTimeout, Path criu) {
        super(cfg, console, restoreTimeout);
        this.criu = criu;
        this.lazyPages = Criu.lazyPages(criu);
    }

    @Override
    public EngineKind kind() {
        return EngineKind.criu;
    }

    @Override
    protected Properties checkpointInto(Path dir) throws CracDevException, IOException, InterruptedException {
        TemplateBooter.Template template = TemplateBooter.boot(cfg, "criu",
                List.of(Criu.which("unshare").toString(), "--pid", "--fork", Criu.which("setsid").toString()),
                List.of("-XX:-UsePerfData"), "template", console, this::building);
        try {
            if (closed()) {
                throw new CracDevException(ExitCode.FAILURE, "crac-dev is stopping: the base image was not built");
            }
            long jvm = template.child().process().children().findFirst()
                    .orElseThrow(() -> new CracDevException(ExitCode.INTERNAL, "the template JVM vanished before the dump"))
                    .pid();
            Properties meta = stdio(jvm);
            long dumpMillis;
            try {
                dumpMillis = dump(jvm, dir, List.of());
            } catch (CracDevException e) {
                throw new CracDevException(ExitCode.FAILURE, e.getMessage() + " (the framework phase); use --engine standby meanwhile");
            }
            meta.setProperty("frameworkMillis", Long.toString(template.bootMillis()));
            meta.setProperty("dumpMillis", Long.toString(dumpMillis));
            meta.setProperty("preloaded", Integer.toString(template.preloaded()));
            meta.setProperty(TOKEN, template.token());
            saveReadSet(template, dir, meta);
            return meta;
        } finally {
            template.child().kill(); // after a good dump CRIU already killed the JVM; this reaps unshare
        }
    }

    @Override
    protected RestoreCommand restoreCommand(Path image, Properties meta, GenerationRequest request, Path work)
            throws CracDevException {
        return restore(image, meta, work, "restore.log", List.of());
    }

    /** A lazy restore where the kernel allows, with the plain one to fall back on; else the plain one. */
    private RestoreCommand restore(Path image, Properties meta, Path work, String log, List<String> extra)
            throws CracDevException {
        List<String> plain = restore(image, meta, work, work, log, extra);
        if (!lazyPages) {
            return RestoreCommand.plain(plain);
        }
        Path dir = lazyDirectory(work);
        return new RestoreCommand(lazy(restore(image, meta, work, dir, log, extra), image, dir, work.resolve(log)),
                "lazy restore", Criu.lazyRestoreTimeout(), plain);
    }

    private List<String> restore(Path image, Properties meta, Path work, Path dir, String log, List<String> extra) {
        List<String> cmd = new ArrayList<>(List.of(criu.toString(), "restore", "-D", image.toString(), "-W", dir.toString(),
                "-o", work.resolve(log).toString(), "-v2",
                "--inherit-fd", "fd[0]:" + meta.getProperty("stdin"),
                "--inherit-fd", "fd[1]:" + meta.getProperty("stdout"),
                "--inherit-fd", "fd[2]:" + meta.getProperty("stderr")));
        cmd.addAll(extra);
        return cmd;
    }

    private List<String> lazy(List<String> cmd, Path image, Path dir, Path log) {
        // The page server starts first (the restore connects to the socket it makes in the work directory), in a
        // subshell, a child of the restore, that outlives the server by 2 s: criu takes any child's exit during
        // a restore for a restored task's death, and the server may end (every page copied in) just before
        // criu's last restore step. Everything stays in the restore's process tree and ends with it; the server
        // ends by itself (or after a minute without a restore to serve). If it does not come up, the restore
        // fills the memory itself. The subshell holds none of the restore's pipes: the supervisor reads them to
        // their end when the generation exits, and would wait out the 2 s (an app that died looked alive that long).
        String script = """
                (timeout 60 "$0" lazy-pages -D "$1" -W "$2" -o "$3" -v2; sleep 2) </dev/null >/dev/null 2>&1 &
                n=0
                while [ ! -S "$2/lazy-pages.socket" ] && [ $n -lt 2500 ]; do sleep 0.002; n=$((n + 1)); done
                dir="$2"
                shift 3
                if [ -S "$dir/lazy-pages.socket" ]; then exec "$@" --lazy-pages; else exec "$@"; fi
                """;
        List<String> wrapped = new ArrayList<>(List.of("sh", "-c", script, criu.toString(), image.toString(), dir.toString(),
                log.resolveSibling(log.getFileName().toString().replace(".log", "-pages.log")).toString()));
        wrapped.addAll(cmd);
        return wrapped;
    }

    /**
     * A fresh directory for one lazy restore (its page server's socket; two restores may overlap) — the older
     * ones are deleted: a restore needs its directory only until its page server has connected.
     */
    private Path lazyDirectory(Path work) throws CracDevException {
        try {
            PrivateDirectories.createMissing(work);
            try (Stream<Path> old = Files.list(work)) {
                List<Path> done = old.filter(p -> p.getFileName().toString().startsWith("lazy-"))
                        .sorted(Comparator.comparing((Path p) -> p.toFile().lastModified()).reversed()).skip(3).toList();
                for (Path p : done) {
                    ImageStore.deleteTree(p);
                }
            }
            return Files.createTempDirectory(work, "lazy-");
        } catch (IOException e) {
            throw new CracDevException(ExitCode.FAILURE, "cannot prepare the restore in " + work + ": " + e.getMessage());
        }
    }

    /** The pipe inodes of a process's fds 0–2, which a restore maps onto fresh pipes. */
    private static Properties stdio(long pid) throws IOException {
        Properties meta = new Properties();
        for (int fd = 0; fd <= 2; fd++) {
            meta.setProperty(STDIO.get(fd), Files.readSymbolicLink(Path.of("/proc/" + pid + "/fd/" + fd)).toString());
        }
        return meta;
    }

    /**
     * Waits for a dump to end, even when interrupted (closing, a framework change): criu unfreezes the
     * process and lifts its network lock only when it ends by itself. The interrupt is kept for the caller.
     */
    private static boolean awaitDump(Process dump) {
        long deadline = System.nanoTime() + DUMP_TIMEOUT.toNanos();
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return dump.waitFor(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Runs {@code criu dump} into {@code dir}; returns its duration in ms. */
    private long dump(long pid, Path dir, List<String> extra) throws CracDevException, IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(criu.toString(), "dump", "-t", Long.toString(pid), "-D", dir.toString(),
                "-o", "dump.log", "-v2"));
        cmd.addAll(extra);
        long d0 = System.nanoTime();
        Process dump = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("dump.out").toFile()).start();
        dump.getOutputStream().close();
        if (!awaitDump(dump)) {
            // only now: a criu killed mid-dump can leave its network lock (and the process frozen) behind
            dump.destroyForcibly().waitFor();
            throw new CracDevException(ExitCode.FAILURE, "criu dump did not finish within " + DUMP_TIMEOUT.toMinutes()
                    + " minutes; if the app's port stays blocked, a reboot clears criu's network lock");
        }
        if (dump.exitValue() != 0) {
            throw new CracDevException(ExitCode.FAILURE, "criu could not checkpoint process " + pid
                    + firstError(dir.resolve("dump.log"), "criu"));
        }
        return (System.nanoTime() - d0) / 1_000_000;
    }

    // ---- ready images: a checkpoint of a running, ready generation, restored by `crac-dev reset` ----

    private Path readyImage(String key) {
        return cfg.stateDir().resolve("ready-" + key);
    }

    @Override
    public boolean supportsReadyImages() {
        return true;
    }

    /** Only images that say whether they can be restored ahead: older ones were taken without quiescing. */
    @Override
    public boolean hasReadyImage(String key) {
        Properties meta = readMeta(readyImage(key));
        return meta != null && meta.getProperty(AHEAD) != null;
    }

    /**
     * Dumps the generation with {@code --leave-running} (it keeps serving). Its client connections (a
     * browser's, the readiness probe's) are dumped too, under an nftables network lock, and come back
     * closed on restore ({@code --tcp-close}); a listening socket comes back open.
     */
    @Override
    public String checkpointReady(ChildProcess generation, String key, boolean restorableAhead) throws CracDevException {
        Path target = readyImage(key);
        Properties meta = buildImage(target, "ready image", dir -> {
            long pid = generation.jvmPid();
            Properties m = stdio(pid);
            m.setProperty(TOKEN, generation.token()); // a restored ready image is that generation, token included
            m.setProperty(AHEAD, Boolean.toString(restorableAhead));
            m.setProperty("dumpMillis", Long.toString(dump(pid, dir,
                    List.of("--leave-running", "--tcp-established", "--network-lock", "nftables"))));
            return m;
        }, () -> () -> { }); // a ready image is never restored while it is written
        try {
            pruneReadyImages(target);
        } catch (IOException e) {
            console.debug("could not prune old ready images: " + e.getMessage());
        }
        return "ready image taken in " + meta.getProperty("dumpMillis") + " ms";
    }

    @Override
    public String readyImageDescription(String key) {
        return readyImage(key).toString();
    }

    @Override
    public Launched restoreReady(String key, int number) throws CracDevException {
        ChildProcess child = parkedReady(key);
        String how = "ready image restored ahead";
        if (child == null) {
            Restored r = restoreReadyImage(key, "gen-" + number, true, "restore-ready.log");
            if (r == null) {
                return null;
            }
            child = r.child();
            how = "restore ready image";
        } else {
            child.forwardOutput();
        }
        // its resources hear of the restore (a Spring app opens its port again), after its runtime made this
        // generation's own exit flag (each restore of one image needs its own: they share the deleteOnExit list)
        Path exitFlag = GenerationRequest.exitFlag(cfg.stateDir(), number);
        ChildProtocol.Message m;
        try {
            m = child.ask(ChildProtocol.encode(ChildProtocol.RESUME, "exitflag", exitFlag.toString()), ChildProtocol.RESUMED,
                    restoreTimeout());
        } catch (InterruptedException e) {
            child.kill();
            Thread.currentThread().interrupt();
            throw new CracDevException(ExitCode.FAILURE, "interrupted while the ready image resumed");
        }
        if (m == null || !m.word().equals(ChildProtocol.RESUMED)) {
            child.kill();
            console.warn("the app restored from the ready image did not resume (" + (m == null ? "no answer within "
                    + restoreTimeout().toSeconds() + " s" : "it exited") + "); see its output above");
            return null;
        }
        child.expectExitFlag(exitFlag);
        return new Launched(child, how);
    }

    /**
     * Restores the ready image for {@code key} until its runtime answers a ping (its resources not yet told);
     * null when there is no image, or it failed to restore: then, for a reset (logging to restore-ready.log), it
     * is discarded, said once. A restore ahead that fails (a busy machine, past the restore timeout) leaves the
     * image to the reset, which restores it on demand and judges it.
     */
    private Restored restoreReadyImage(String key, String name, boolean forReset, String log) throws CracDevException {
        Path image = readyImage(key);
        Properties meta = readMeta(image);
        if (meta == null) {
            return null;
        }
        Restored r = startRestore(name, restore(image, meta, work(), log, List.of("--tcp-close")),
                forReset, ChildProtocol.PING, ChildProtocol.PONG, meta.getProperty(TOKEN));
        if (r.failure() == null) {
            return r;
        }
        if (!forReset) {
            console.debug("restoring the ready image ahead failed (" + r.failure() + ")" + firstError(work().resolve(log), "criu"));
            return null;
        }
        console.warn("the ready image " + image + " failed to restore (" + r.failure() + ")"
                + firstError(work().resolve("restore-ready.log"), "criu") + "; discarding it");
        try {
            ImageStore.discard(image);
        } catch (IOException e) {
            throw new CracDevException(ExitCode.FAILURE, "cannot delete the bad ready image " + image + ": " + e.getMessage());
        }
        return null;
    }

    /**
     * Restores the ready image now and parks it, when the app stopped its work and closed its ports when told of
     * the checkpoint (as Spring does with org.crac on its class path): such a restore neither clashes with the
     * running generation's port nor does anything while it waits. The parked JVM reads its memory once; a reset
     * then stops the running generation until its port is closed and only resumes this one.
     */
    @Override
    public void prepareReset(String key) {
        CompletableFuture<ParkedSlot.Parked<String>> current = readyAhead.peek();
        if (current != null && (!current.isDone() || current.join() != null && current.join().tag().equals(key))) {
            return; // on its way, or parked for this code
        }
        readyAhead.discard(current); // of older code: never resumed, whatever comes next
        Properties meta = readMeta(readyImage(key));
        if (closed() || meta == null || !Boolean.parseBoolean(meta.getProperty(AHEAD))) {
            return;
        }
        CompletableFuture<ParkedSlot.Parked<String>> next = readyAhead.claim();
        if (next == null) {
            return;
        }
        try {
            readyBackground.execute(() -> {
                ParkedSlot.Parked<String> parked = null;
                try {
                    Restored r = closed() ? null : restoreReadyImage(key, "reset-next", false, "restore-ready-ahead.log");
                    if (r != null) {
                        parked = new ParkedSlot.Parked<>(r.child(), key);
                        r.child().send(ChildProtocol.encode(ChildProtocol.PREFAULT));
                        console.debug("ready image restored ahead of the next reset and parked (pid " + r.child().jvmPid() + ")");
                    }
                } catch (CracDevException e) {
                    console.debug("restoring the ready image ahead failed: " + e.getMessage());
                } finally {
                    readyAhead.fill(next, parked);
                }
            });
        } catch (RejectedExecutionException e) {
            readyAhead.fill(next, null); // closed meanwhile
        }
    }

    /** The ready image of {@code key} restored ahead (waiting for its restore if it is on its way), or null. */
    private ChildProcess parkedReady(String key) {
        ParkedSlot.Parked<String> p = readyAhead.take(restoreTimeout());
        if (p == null) {
            return null;
        }
        if (p.tag().equals(key) && p.child().isAlive()) {
            return p.child();
        }
        p.child().kill();
        return null;
    }

    @Override
    public void close() {
        readyBackground.shutdownNow();
        super.close(); // marks the engine closed and ends the restores in flight
        readyAhead.discard();
        try {
            readyBackground.awaitTermination(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Keeps the newest ready image besides {@code current} (undo of one code change), deletes the rest. */
    private void pruneReadyImages(Path current) throws IOException {
        List<Path> others;
        try (Stream<Path> list = Files.list(cfg.stateDir())) {
            others = list.filter(p -> p.getFileName().toString().startsWith("ready-") && !p.equals(current)
                            && Files.isDirectory(p) && !p.getFileName().toString().contains("."))
                    .sorted(Comparator.comparing((Path p) -> p.toFile().lastModified()).reversed())
                    .toList();
        }
        for (Path old : others.subList(Math.min(1, others.size()), others.size())) {
            ImageStore.deleteTree(old);
        }
    }

    @Override
    protected boolean goOnStdin() {
        return true;
    }

    /** {@code criu restore} exits 0 whatever the restored JVM did. */
    @Override
    public boolean seesExitStatus() {
        return false;
    }

    @Override
    protected String restoreLogHint(Path work) {
        return work.resolve("restore.log").toString();
    }

    @Override
    protected String restoreError(Path work) {
        return firstError(work.resolve("restore.log"), "criu");
    }
}
