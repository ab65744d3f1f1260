package dev.cracdev.engine.criu;

import dev.cracdev.Console;
import dev.cracdev.CracDevException;
import dev.cracdev.ExitCode;
import dev.cracdev.engine.ChildProcess;
import dev.cracdev.engine.Engine;
import dev.cracdev.engine.EngineKind;
import dev.cracdev.engine.GenerationRequest;
import dev.cracdev.engine.LaunchConfig;
import dev.cracdev.engine.TemplateBooter;
import dev.cracdev.image.ImageStore;
import dev.cracdev.runtime.ChildProtocol;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Checkpoint/restore of a stock JDK with CRIU, driven from outside the JVM (recipe measured in
 * shared/notes/criu-jvm.md).
 *
 * <ol>
 *   <li>Template: {@code unshare --pid --fork setsid java -XX:-UsePerfData ...}: the JVM is PID 1 of its own
 *       pid namespace and a session leader, with three pipes from us as stdin/stdout/stderr. It runs the
 *       framework phase, prints {@code boundary} and blocks reading stdin.</li>
 *   <li>Dump: {@code criu dump -t <jvm host pid>} into a fresh directory, which is renamed to
 *       {@code base} once complete; the pipe inodes of fds 0–2 go into {@code crac-dev.properties}.</li>
 *   <li>Each generation: {@code criu restore} with {@code --inherit-fd} mapping fresh pipes onto the
 *       template's fds 0–2. CRIU recreates the pid namespace, so restores never collide on PIDs. The
 *       restored JVM's blocked read continues on the new stdin: it reads its {@code go} line and runs the
 *       app phase. To stop it we SIGKILL the JVM (the namespace's init: all in it dies), then reap criu.</li>
 * </ol>
 * A restore that fails or does not release the app within the timeout means a bad image: it is
 * discarded, rebuilt, and the restore retried once.
 */
public final class CriuEngine implements Engine {
    private static final String IMAGE_META = "crac-dev.properties";

    private final LaunchConfig cfg;
    private final Console console;
    private final Duration restoreTimeout;
    private final Path criu;
    private final ReadWriteLock imageLock = new ReentrantReadWriteLock();
    private final ExecutorService background = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "crac-dev-criu-rebuild");
        t.setDaemon(true);
        return t;
    });
    private volatile ChildProcess building;
    private volatile boolean closed;

    public CriuEngine(LaunchConfig cfg, Console console, Duration restoreTimeout, Path criu) {
        this.cfg = cfg;
        this.console = console;
        this.restoreTimeout = restoreTimeout;
        this.criu = criu;
    }

    @Override
    public EngineKind kind() {
        return EngineKind.criu;
    }

    public Path baseImage() {
        return cfg.stateDir().resolve("base");
    }

    @Override
    public void prepare() throws CracDevException {
        if (readMeta(baseImage()) == null) {
            buildBase("no base image yet");
        } else {
            console.debug("reusing base image " + baseImage());
        }
    }

    @Override
    public Launched launch(GenerationRequest request) throws CracDevException {
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
                        + again.getMessage() + "); run with --verbose and see " + cfg.stateDir().resolve("work/restore.log"));
            }
        }
    }

    private Launched restore(GenerationRequest request) throws CracDevException, BadImage {
        imageLock.readLock().lock();
        try {
            Properties meta = readMeta(baseImage());
            if (meta == null) {
                throw new BadImage("its metadata is missing");
            }
            Path work = cfg.stateDir().resolve("work");
            ImageStore.secureDir(work);
            List<String> cmd = new ArrayList<>(List.of(criu.toString(), "restore", "-D", baseImage().toString(),
                    "-W", work.toString(), "-o", "restore.log", "-v2",
                    "--inherit-fd", "fd[0]:" + meta.getProperty("stdin"),
                    "--inherit-fd", "fd[1]:" + meta.getProperty("stdout"),
                    "--inherit-fd", "fd[2]:" + meta.getProperty("stderr")));
            long t0 = System.nanoTime();
            ChildProcess child = ChildProcess.start("gen-" + request.number(), cmd, cfg.workDir(), console, true);
            child.send(request.goLine(true)); // buffered in the pipe until the restored JVM reads it
            ChildProtocol.Message m = child.await(Set.of(ChildProtocol.STARTED), restoreTimeout);
            long millis = (System.nanoTime() - t0) / 1_000_000;
            if (m == null || !m.word().equals(ChildProtocol.STARTED)) {
                String why = m == null ? "no answer within " + restoreTimeout.toSeconds() + " s" : "criu exited with status " + m.get("status");
                child.kill();
                throw new BadImage(why + firstError(work.resolve("restore.log")));
            }
            return new Launched(child, "restore", millis);
        } catch (IOException e) {
            throw new CracDevException(ExitCode.FAILURE, "cannot restore from " + baseImage() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CracDevException(ExitCode.FAILURE, "interrupted while restoring");
        } finally {
            imageLock.readLock().unlock();
        }
    }

    @Override
    public void generationReady(int newFrameworkClasses) {
        // A rebuild competes with the running app for CPU: only when the list grew noticeably.
        Properties meta = readMeta(baseImage());
        int preloaded = meta == null ? 0 : Integer.parseInt(meta.getProperty("preloaded", "0"));
        boolean firstList = preloaded == 0 && newFrameworkClasses > 0;
        if ((firstList || newFrameworkClasses >= Math.max(50, preloaded / 20)) && !closed) {
            background.submit(() -> {
                try {
                    buildBase(newFrameworkClasses + " more framework classes were recorded");
                } catch (CracDevException e) {
                    if (!closed) {
                        console.warn("rebuilding the base image failed: " + e.getMessage());
                    }
                }
            });
        }
    }

    @Override
    public long frameworkBootMillis() {
        Properties meta = readMeta(baseImage());
        return meta == null ? -1 : Long.parseLong(meta.getProperty("frameworkMillis", "-1"));
    }

    /** Boots a template, dumps it into a fresh directory and publishes it as {@code base}. */
    void buildBase(String why) throws CracDevException {
        console.info("building the base image (" + why + ")...");
        long t0 = System.nanoTime();
        TemplateBooter.Template template = TemplateBooter.boot(cfg, "criu",
                List.of(Criu.which("unshare").toString(), "--pid", "--fork", Criu.which("setsid").toString()),
                List.of("-XX:-UsePerfData"), "template", console);
        building = template.child();
        Path dir = null;
        try {
            if (closed) {
                throw new CracDevException(ExitCode.FAILURE, "stopped");
            }
            long jvm = template.child().process().children().findFirst()
                    .orElseThrow(() -> new CracDevException(ExitCode.INTERNAL, "the template JVM vanished before the dump"))
                    .pid();
            Properties meta = new Properties();
            for (int fd = 0; fd <= 2; fd++) {
                meta.setProperty(List.of("stdin", "stdout", "stderr").get(fd),
                        Files.readSymbolicLink(Path.of("/proc/" + jvm + "/fd/" + fd)).toString());
            }
            dir = ImageStore.newBuildDir(baseImage());
            long d0 = System.nanoTime();
            Process dump = new ProcessBuilder(criu.toString(), "dump", "-t", Long.toString(jvm), "-D", dir.toString(),
                    "-o", "dump.log", "-v2").redirectErrorStream(true).redirectOutput(dir.resolve("dump.out").toFile()).start();
            dump.getOutputStream().close();
            if (!dump.waitFor(5, TimeUnit.MINUTES)) {
                dump.destroyForcibly().waitFor();
                throw new CracDevException(ExitCode.FAILURE, "criu dump did not finish within 5 minutes");
            }
            if (dump.exitValue() != 0) {
                throw new CracDevException(ExitCode.FAILURE, "criu could not checkpoint the framework phase"
                        + firstError(dir.resolve("dump.log")) + "; run with --engine standby meanwhile");
            }
            long dumpMillis = (System.nanoTime() - d0) / 1_000_000;
            meta.setProperty("frameworkMillis", Long.toString(template.bootMillis()));
            meta.setProperty("dumpMillis", Long.toString(dumpMillis));
            meta.setProperty("preloaded", Integer.toString(template.preloaded()));
            try (Writer w = Files.newBufferedWriter(dir.resolve(IMAGE_META), StandardCharsets.UTF_8)) {
                meta.store(w, "crac-dev base image: the template's pipes to map onto each generation's");
            }
            imageLock.writeLock().lock();
            try {
                ImageStore.publish(dir, baseImage());
                dir = null;
            } finally {
                imageLock.writeLock().unlock();
            }
            console.info(String.format("base image ready in %.1f s (framework phase %d ms, %d classes preloaded, dump %d ms, %d MB)",
                    (System.nanoTime() - t0) / 1e9, template.bootMillis(), template.preloaded(), dumpMillis,
                    sizeMb(baseImage())));
        } catch (IOException e) {
            throw new CracDevException(ExitCode.FAILURE, "could not write the base image: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CracDevException(ExitCode.FAILURE, "interrupted while dumping");
        } finally {
            template.child().kill(); // after a good dump CRIU already killed it; this reaps unshare
            building = null;
            if (dir != null) {
                try {
                    ImageStore.deleteTree(dir);
                } catch (IOException e) {
                    console.debug("could not delete " + dir + ": " + e.getMessage());
                }
            }
        }
    }

    private void discardBase() throws CracDevException {
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
        ChildProcess b = building;
        if (b != null) {
            b.kill();
        }
    }

    private static Properties readMeta(Path image) {
        Path file = image.resolve(IMAGE_META);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
            return p.getProperty("stdin") == null ? null : p;
        } catch (IOException e) {
            return null;
        }
    }

    /** "; criu: <first Error line>" from a CRIU log, or "". */
    static String firstError(Path log) {
        try {
            return Files.readAllLines(log, StandardCharsets.ISO_8859_1).stream()
                    .filter(l -> l.contains("Error") || l.contains("error"))
                    .findFirst()
                    .map(l -> "; criu: " + l.replaceFirst("^\\(\\s*[0-9.]+\\)\\s*", "").strip())
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
    private static final class BadImage extends Exception {
        BadImage(String message) {
            super(message, null, false, false);
        }
    }
}
