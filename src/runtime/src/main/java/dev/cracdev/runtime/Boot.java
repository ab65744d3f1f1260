package dev.cracdev.runtime;

import dev.cracdev.protocol.ChildProtocol;
import dev.cracdev.api.CracDev;
import dev.cracdev.runtime.crac.Core;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;

/**
 * Main class of every generation JVM. The steps, numbered as in the README's "How it works":
 * <ol start="2">
 *   <li>(template) framework phase: preload the recorded framework classes, verify the boundary
 *       (no app class loaded), tell resources a checkpoint comes, print {@code boundary} and park.
 *       The supervisor then dumps this JVM (criu), keeps it as a standby, or checkpoints it (crac).</li>
 *   <li>(generation) read the {@code go} line — on a fresh stdin after a restore — learn the generation
 *       number, notify restored resources, and run the app phase: {@code MAIN.main(args)} with app
 *       classes loaded fresh from the app roots.</li>
 * </ol>
 * Depends on nothing but the JDK (a test enforces it): this is the only crac-dev code in the child.
 */
public final class Boot {
    /** System property: cold | standby | criu | crac. */
    static final String MODE_PROPERTY = "cracdev.mode";
    /** System property: the framework class list to preload. */
    static final String CLASSLIST_PROPERTY = "cracdev.classlist";
    /** System property: where to write the framework phase's read set at the boundary. */
    public static final String READ_SET_PROPERTY = "cracdev.readset";
    /** System property: "false" to preload without running any static initializer. */
    public static final String INITIALIZE_PROPERTY = "cracdev.preload.initialize";

    private static final PrintStream OUT = System.out;
    private static volatile boolean mainFailed;
    /** What proves an event is ours, not the app's (which shares stdout): this JVM's, then its generation's. */
    private static volatile String token;
    /** Counted down when the resources heard of the restore after a quiesce (see keepAliveUntilResumed). */
    private static volatile CountDownLatch resumed;

    private Boot() {
    }

    public static void main(String[] ignored) throws Exception {
        long t0 = System.nanoTime();
        takeToken();
        String mode = System.getProperty(MODE_PROPERTY, "cold");
        if (!(ClassLoader.getSystemClassLoader() instanceof CracDevClassLoader loader)) {
            System.err.println("[crac-dev] the runtime must run with -Djava.system.class.loader="
                    + CracDevClassLoader.class.getName());
            System.exit(2);
            return;
        }
        // Under CRaC the JDK swaps fds 0-2 at the checkpoint: read stdin only after the restore.
        ControlLine.CommandHandler commands = new ControlLine.CommandHandler() {
            @Override
            public void saveClassList(String path) {
                Boot.saveClassList(loader, path);
            }

            @Override
            public void runFixture(String className) {
                Boot.runFixture(loader, className);
            }

            @Override
            public void trimHeap() {
                emit(ChildProtocol.TRIMMED, "ms", Long.toString(HeapTrim.trim()));
            }

            @Override
            public void quiesce() {
                keepAliveUntilResumed();
                try {
                    Core.notifyBeforeCheckpoint();
                    emit(ChildProtocol.QUIESCED, "resources", Integer.toString(Core.registered()));
                } catch (dev.cracdev.runtime.crac.CheckpointException | RuntimeException | Error e) {
                    // an Error too: this thread must live on to read the resume (and the end of stdin)
                    emit(ChildProtocol.QUIESCED, "resources", Integer.toString(Core.registered()), "failed", causes(e));
                }
            }

            @Override
            public void resume() {
                // not on this daemon thread: threads the resources start (an app's server) inherit that, and would
                // not keep the JVM alive
                Thread restore = new Thread(Boot::notifyRestored, "crac-dev-restore");
                restore.setDaemon(false);
                restore.start();
                try {
                    restore.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                CountDownLatch held = resumed;
                if (held != null) {
                    held.countDown();
                }
                emit(ChildProtocol.RESUMED);
            }
        };
        ControlLine control = mode.equals("crac") ? null : ControlLine.start(commands);

        // STEP 2: the framework phase
        Set<String> failedInit = new TreeSet<>();
        FrameworkPhase.Result preload = mode.equals("cold")
                ? new FrameworkPhase.Result(0, 0)
                : FrameworkPhase.preload(pathOrNull(System.getProperty(CLASSLIST_PROPERTY)), loader,
                        !"false".equals(System.getProperty(INITIALIZE_PROPERTY)), failedInit);

        String noIndex = mode.equals("cold") ? "cold" : loader.indexFramework();
        Training.Result training = !mode.equals("cold") && Training.wanted()
                ? Training.run(loader, loader.appRoots()) : Training.Result.skipped("off");
        List<String> violations = loader.boundaryViolations();
        if (training.failed() != null || (training.millis() >= 0 && !violations.isEmpty())) {
            emit(ChildProtocol.UNTRAINED, "message", training.failed() != null ? training.failed()
                    : "the training run loaded app class " + violations.get(0) + " through the system class loader");
            System.exit(ChildProtocol.EXIT_UNTRAINED);
        }
        if (!violations.isEmpty()) {
            emit(ChildProtocol.REFUSED, "message", "the framework phase loaded app class " + violations.get(0)
                    + (violations.size() > 1 ? " and " + (violations.size() - 1) + " more" : "")
                    + "; app classes must load only after the boundary");
            System.exit(ChildProtocol.EXIT_REFUSED);
        }
        Set<String> tainted = new TreeSet<>(loader.taintedClasses());
        tainted.addAll(failedInit);
        if (!tainted.isEmpty() && !mode.equals("cold")) {
            emit(ChildProtocol.TAINTED, "classes", String.join(",", tainted));
            System.exit(ChildProtocol.EXIT_TAINTED);
        }
        String readSetFile = System.getProperty(READ_SET_PROPERTY);
        if (readSetFile != null && !mode.equals("cold")) {
            try {
                loader.readSet().write(Path.of(readSetFile)); // closed before the checkpoint, as every file must be
            } catch (IOException e) {
                emit(ChildProtocol.REFUSED, "message", "could not write the read set " + readSetFile + ": " + e.getMessage());
                System.exit(ChildProtocol.EXIT_REFUSED);
            }
        }
        String growth = "not checkpointed by CRIU";
        if (mode.equals("criu")) {
            growth = HeapGrowth.startCountAfresh().toString();
            try {
                Core.notifyBeforeCheckpoint();
            } catch (dev.cracdev.runtime.crac.CheckpointException e) {
                emit(ChildProtocol.REFUSED, "message", "an org.crac resource failed in beforeCheckpoint: " + causes(e));
                System.exit(ChildProtocol.EXIT_REFUSED);
            }
        }
        if (!mode.equals("cold")) { // a cold JVM has no framework phase, and its go line is already waiting
            emit(ChildProtocol.BOUNDARY, "ms", Long.toString((System.nanoTime() - t0) / 1_000_000),
                    "preloaded", Integer.toString(preload.preloaded()), "failed", Integer.toString(preload.failed()),
                    "reads", Integer.toString(loader.readSet().size()), "trained", Long.toString(training.millis()),
                    "runs", Integer.toString(training.runs()),
                "untrained", training.skipped() == null ? "" : training.skipped(), "index", noIndex == null ? "on" : noIndex,
                    "growth", growth);
        }

        // STEP 4: released into the app phase
        ChildProtocol.Message go;
        if (mode.equals("crac")) {
            go = CracCheckpoint.checkpointRestore(); // returns in each restored generation
            control = ControlLine.start(commands);
        } else {
            go = control.awaitGo();
        }
        if (go.get("token") != null) {
            token = go.get("token"); // the generation's own: the one before may be on our command line or in an image
        }
        boolean restored = Boolean.parseBoolean(go.get("restored"));
        System.setProperty(CracDev.GENERATION_PROPERTY, go.get("gen"));
        System.setProperty(CracDev.ENGINE_PROPERTY, mode);
        System.setProperty(CracDev.RESTORED_PROPERTY, Boolean.toString(restored));
        if (restored && !mode.equals("crac")) { // a CRaC JDK notifies its own resources
            notifyRestored();
        }
        markHooksPending(go.get("exitflag"));
        loader.enterAppPhase();
        emit(ChildProtocol.STARTED, "gen", go.get("gen"));
        runMain(loader, go.get("main"), go.all("arg").toArray(new String[0]));
        if (mainFailed) {
            return;
        }
        emit(ChildProtocol.MAIN_RETURNED, "gen", go.get("gen"));
        if (go.get("record") != null) {
            saveClassList(loader, go.get("record")); // an app whose main returns may exit right away
        }
    }

    /**
     * A non-daemon thread until the resources have heard of the restore: an app whose main has returned may have
     * no other once they stopped its server, and the JVM would end between the two (Spring keeps one of its own
     * for the same reason).
     */
    private static void keepAliveUntilResumed() {
        CountDownLatch held = resumed;
        if (held != null && held.getCount() > 0) {
            return; // quiesced already: one resume ends it
        }
        CountDownLatch latch = new CountDownLatch(1);
        resumed = latch;
        Thread t = new Thread(() -> {
            try {
                latch.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "crac-dev-quiesced");
        t.setDaemon(false);
        t.start();
    }

    private static void notifyRestored() {
        try {
            Core.notifyAfterRestore();
        } catch (dev.cracdev.runtime.crac.RestoreException | RuntimeException | Error e) {
            // as on a CRaC JDK, the generation goes on; the failures are the app's to see
            System.err.println("[crac-dev] an org.crac resource failed in afterRestore: " + causes(e));
        }
    }

    private static void runMain(ClassLoader loader, String mainClass, String[] args) {
        Thread.currentThread().setContextClassLoader(loader);
        Method main;
        try {
            main = Class.forName(mainClass, false, loader).getMethod("main", String[].class);
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            System.err.println("[crac-dev] main class " + mainClass
                    + " was not found in the app roots, or has no public static void main(String[])");
            exit(1);
            return;
        }
        if (!Modifier.isStatic(main.getModifiers())) {
            System.err.println("[crac-dev] " + mainClass + ".main(String[]) is not static");
            exit(1);
        }
        try {
            main.setAccessible(true); // the launcher accepts a public main in a non-public class: so do we
            main.invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            // As under plain java: the uncaught-exception handler reports it, the JVM lives on while other
            // non-daemon threads run, and ends with status 1 (said here, since criu hides the real status).
            Thread t = Thread.currentThread();
            Thread.UncaughtExceptionHandler handler = Thread.getDefaultUncaughtExceptionHandler();
            if (handler != null) {
                handler.uncaughtException(t, e.getCause());
            } else {
                System.err.print("Exception in thread \"main\" ");
                e.getCause().printStackTrace();
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> emit(ChildProtocol.EXITING, "status", "1")));
            emit(ChildProtocol.MAIN_THREW, "exception", e.getCause().getClass().getName());
            mainFailed = true;
        } catch (IllegalAccessException | RuntimeException e) {
            System.err.println("[crac-dev] cannot call " + mainClass + ".main: " + e.getMessage());
            exit(1);
        }
    }

    /**
     * The fixture hook: after the app is ready and before the ready image is taken, e.g. to load test
     * data. A {@link Runnable} with a public no-argument constructor, or a class with a static main.
     */
    private static void runFixture(ClassLoader loader, String className) {
        long t0 = System.nanoTime();
        try {
            Class<?> hook = Class.forName(className, true, loader);
            if (Runnable.class.isAssignableFrom(hook)) {
                ((Runnable) hook.getConstructor().newInstance()).run();
            } else {
                hook.getMethod("main", String[].class).invoke(null, (Object) new String[0]);
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            HeapTrim.trim(); // the ready image is taken next
            emit(ChildProtocol.FIXTURE_DONE, "ms", Long.toString(ms));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            Throwable cause = e instanceof InvocationTargetException ite ? ite.getCause() : e;
            cause.printStackTrace();
            emit(ChildProtocol.FIXTURE_FAILED, "message", cause.toString());
        }
    }

    private static synchronized void saveClassList(CracDevClassLoader loader, String path) {
        List<String> classes = loader.classListToSave();
        try {
            Path target = Path.of(path);
            Path tmp = target.resolveSibling(target.getFileName() + ".tmp" + System.nanoTime());
            Files.write(tmp, classes, StandardCharsets.UTF_8);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            emit(ChildProtocol.CLASSLIST_SAVED, "path", path, "count", Integer.toString(classes.size()));
        } catch (IOException | RuntimeException e) {
            System.err.println("[crac-dev] could not save the class list to " + path + ": " + e.getMessage());
            // answered all the same: the supervisor waits for it before it prepares the next generation
            emit(ChildProtocol.CLASSLIST_SAVED, "path", path, "count", "0", "error", String.valueOf(e.getMessage()));
        }
    }

    /** What failed: the resources' exceptions a Checkpoint/RestoreException collects, else the throwable itself. */
    private static String causes(Throwable e) {
        StringBuilder s = new StringBuilder();
        for (Throwable t : e.getSuppressed()) {
            s.append(s.length() == 0 ? "" : "; ").append(t);
        }
        return s.length() > 0 ? s.toString() : e.toString();
    }

    /** Exits, telling the supervisor the status first (a restored JVM's status does not reach it). */
    private static void exit(int status) {
        emit(ChildProtocol.EXITING, "status", Integer.toString(status));
        System.exit(status);
    }

    /**
     * Creates the file the supervisor watches while this generation stops: the JDK deletes it after every
     * application shutdown hook has run (deleteOnExit runs last), so the supervisor need not wait for the
     * JVM's own, sometimes slow, exit. Registered before the app runs: its own deleteOnExit files go first.
     */
    static void markHooksPending(String path) {
        if (path == null) {
            return;
        }
        try {
            Path flag = Path.of(path);
            Files.deleteIfExists(flag);
            Files.createFile(flag);
            flag.toFile().deleteOnExit();
        } catch (IOException | RuntimeException e) {
            // without it the supervisor waits for the JVM to end, as it would anyway
        }
    }

    /** First thing, before any framework or app code runs: the token must not be readable by them. */
    static void takeToken() {
        token = System.clearProperty(ChildProtocol.TOKEN_PROPERTY);
    }

    static void emit(String word, String... fields) {
        OUT.println(ChildProtocol.eventLine(token, word, fields));
        OUT.flush();
    }

    private static Path pathOrNull(String s) {
        return s == null || s.isBlank() ? null : Path.of(s);
    }
}
