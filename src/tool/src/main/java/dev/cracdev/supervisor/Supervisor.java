package dev.cracdev.supervisor;

import dev.cracdev.Console;
import dev.cracdev.CracDevException;
import dev.cracdev.ExitCode;
import dev.cracdev.control.ControlServer;
import dev.cracdev.engine.ChildProcess;
import dev.cracdev.engine.Engine;
import dev.cracdev.engine.Engines;
import dev.cracdev.engine.GenerationRequest;
import dev.cracdev.image.ClassList;
import dev.cracdev.protocol.ChildProtocol;
import dev.cracdev.compile.CompileOnSave;
import dev.cracdev.watch.ChangeSet;
import dev.cracdev.watch.PolledFiles;
import dev.cracdev.watch.SourceWatcher;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The fork loop. One thread (the caller of {@link #run()}) owns all state and handles events in order:
 * file changes, manual and control-socket restarts and resets become a new generation (stop the old one — for a
 * file change already while its quiet period runs — then ask the engine for the next); what the current {@link Generation} reports
 * ({@link GenerationEvent}) drives the fixture hook, the ready image and the status line; a generation that
 * dies is reported and the loop waits for the next change.
 */
public final class Supervisor {
    private sealed interface Event {
    }

    /** A new generation; {@code reply} (may be null) completes when the app is ready. */
    private record Restart(ChangeSet changes, CompletableFuture<String> reply) implements Event {
    }

    /** Back to the ready image (or a fresh generation where there is none). */
    private record Reset(CompletableFuture<String> reply) implements Event {
    }

    private record AwaitReady(CompletableFuture<String> reply) implements Event {
    }

    private record FromGeneration(GenerationEvent event) implements Event {
    }

    private record Stop() implements Event {
    }

    /** The build wrote into an app root: the running generation will be replaced once the quiet period ends. */
    private record StopAhead() implements Event {
    }

    /** A pom of the build was saved. */
    private record BuildChanged(Path file) implements Event {
    }

    /** Resolves the start settings again from the build (zero configuration), after one of its poms changed. */
    @FunctionalInterface
    public interface Reloader {
        StartSettings resolveAgain() throws CracDevException;
    }

    private final StartSettings settings;
    private final Console console;
    private final Engines.Choice choice;
    private final EngineKeeper engines;
    private final PortGate gate;
    private final ReadyImagePolicy readyImages;
    private final ReadyWaiters waiters = new ReadyWaiters();
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Object lifecycle = new Object();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CompletableFuture<String> firstReady = new CompletableFuture<>();
    /** Someone types here and has not been told how to restart by hand yet (said once, at the first ready). */
    private boolean terminalHintDue;
    private volatile SupervisorState state = SupervisorState.STARTING;
    private volatile Generation current;
    /** Why the last generation ended before it was ready; null while one is starting or ran fine. */
    private String lastFailure;
    private int newFrameworkClasses;
    private boolean closed;
    private int generations;
    private SourceWatcher watcher;
    private CompileOnSave compiler;
    /** Asked for by the first change of a batch (see {@link #changeSeen}); cleared when any restart is handled. */
    private final AtomicBoolean stopAheadAsked = new AtomicBoolean();
    /** How long the stop of the generation that the coming batch replaces took, if it stopped ahead; else -1. */
    private long stoppedAheadMs = -1;
    /** Said that the main class is missing, and it still is: a build in progress says so once, not per batch. */
    private boolean mainMissingSaid;
    /** File changes held back until the trigger file is touched (only with --trigger-file). */
    private ChangeSet heldForTrigger;
    private ControlServer control;
    private final Reloader reloader;
    private PolledFiles buildFiles;
    /** Set when a pom change gave a new class path: {@link #run()} returns and the caller starts over with them. */
    private StartSettings reloaded;

    public Supervisor(StartSettings settings, Engines.Choice choice, Console console) {
        this(settings, choice, console, null);
    }

    /** @param reloader null: the build's poms are not watched (the class path was given, not detected) */
    public Supervisor(StartSettings settings, Engines.Choice choice, Console console, Reloader reloader) {
        this.settings = settings;
        this.console = console;
        this.choice = choice;
        this.reloader = reloader;
        this.engines = new EngineKeeper(settings, choice, console);
        this.gate = PortGate.onThisMachine();
        this.readyImages = new ReadyImagePolicy(settings, console, gate);
        waiters.add(firstReady);
    }

    /** Runs until stopped (SIGINT/SIGTERM, {@code crac-dev stop} or {@link #stop()}); returns the exit code. */
    public int run() throws CracDevException {
        // Ctrl-C / SIGTERM: let the loop finish what it is doing and stop in order; clean up directly if it is stuck
        Thread hook = new Thread(() -> {
            events.add(new Stop());
            try {
                awaitStopped(3_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            shutdown();
        }, "crac-dev-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            console.info("engine " + choice.kind() + ": " + choice.reason());
            startControl();
            engines.current();
            startCompiler();
            startWatcher();
            if (reloader != null && !settings.buildFiles().isEmpty()) {
                buildFiles = new PolledFiles(settings.buildFiles(), file -> events.add(new BuildChanged(file)));
                buildFiles.start(500);
            }
            if (settings.terminalCommands()) {
                startTerminalReader();
                terminalHintDue = onATerminal(); // a script's output stays as it was
            }
            events.add(new Restart(ChangeSet.because("start"), null));
            loop();
            return ExitCode.OK.code;
        } catch (CracDevException e) {
            firstReady.completeExceptionally(e);
            throw e;
        } finally {
            shutdown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down: the hook is running
            }
        }
    }

    /** Asks the loop to end. */
    public void stop() {
        events.add(new Stop());
    }

    /** After {@link #run()} returned: the settings of a changed build to start over with, else null. */
    public StartSettings reloadedSettings() {
        return reloaded;
    }

    /** Completes when the first generation is ready (its ready image taken), or fails if it ends before. */
    public CompletableFuture<String> firstReady() {
        return firstReady;
    }

    public Path controlSocket() {
        return settings.controlSocket();
    }

    private void loop() throws CracDevException {
        while (true) {
            Event e;
            try {
                e = events.take();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            }
            if (e instanceof Stop) {
                return;
            }
            try {
                handle(e);
                if (reloaded != null) {
                    return;
                }
            } catch (CracDevException ex) {
                if (generations <= 1 && current == null && ex.exitCode() != ExitCode.FAILURE) {
                    throw ex; // the very first start cannot work at all (no JDK, engine unusable)
                }
                report(ex.getMessage());
            } catch (RuntimeException ex) {
                // a bug or an unexpected I/O failure: report it, keep supervising
                report("internal error: " + ex + " (run with --verbose for details)");
                if (console.verbose()) {
                    ex.printStackTrace();
                }
            }
        }
    }

    private void handle(Event e) throws CracDevException {
        if (e instanceof Restart r) {
            stopAheadAsked.set(false);
            waiters.add(r.reply()); // answered by whichever generation is ready next, or failed with the reason
            ChangeSet changes = awaitingTrigger(coalesce(r));
            if (changes != null) {
                restart(changes);
            }
        } else if (e instanceof Reset r) {
            waiters.add(r.reply());
            reset();
        } else if (e instanceof StopAhead) {
            stopAhead();
        } else if (e instanceof AwaitReady w) {
            awaitReady(w.reply());
        } else if (e instanceof BuildChanged b) {
            buildChanged(b.file());
        } else if (e instanceof FromGeneration f && f.event().generation() == current) {
            onGenerationEvent(f.event());
        }
    }

    /** A failure while handling an event: said once, everyone waiting told, the loop goes on. */
    private void report(String message) {
        console.error(message);
        if (current == null || current.hasExited()) {
            lastFailure = message;
            waiters.fail(message);
            console.info("waiting for a change to try again");
            transition(SupervisorState.WAITING_FOR_CHANGE);
        }
    }

    /**
     * A pom of the build changed: resolve the class path again (the running generation serves meanwhile). A new
     * class path, main class or compile setting ends this supervisor so that its caller starts over with them:
     * a new template and images for the new framework. A pom that does not resolve changes nothing.
     */
    private void buildChanged(Path file) {
        console.info(settings.workDir().relativize(file) + " changed: resolving the class path again");
        StartSettings next;
        try {
            next = reloader.resolveAgain();
        } catch (CracDevException ex) {
            console.error(ex.getMessage() + " (the running generation keeps serving)");
            return;
        }
        if (next.framework().equals(settings.framework()) && next.appRoots().equals(settings.appRoots())
                && next.mainClass().equals(settings.mainClass()) && Objects.equals(next.compile(), settings.compile())) {
            console.info("the class path and main class are unchanged: nothing to do");
            return;
        }
        console.info("the class path changed: starting over on it");
        reloaded = next;
    }

    /** {@code crac-dev wait}: answered now when the app is ready or has failed to start, else once it is ready. */
    private void awaitReady(CompletableFuture<String> reply) {
        Generation g = current;
        if (g != null && g.isSettled() && !g.hasExited()) {
            reply.complete(g.readySummary());
        } else if (lastFailure != null && (g == null || g.hasExited())) {
            reply.completeExceptionally(new IllegalStateException(lastFailure));
        } else {
            waiters.add(reply);
        }
    }

    /** The changes of this restart and of file-change restarts queued behind it: one restart per burst. */
    private ChangeSet coalesce(Restart first) {
        ChangeSet merged = first.changes();
        while (first.reply() == null && events.peek() instanceof Restart next && next.reply() == null) {
            events.poll();
            if (merged.changes().isEmpty()) {
                merged = next.changes();
            } else {
                next.changes().changes().forEach(merged::add);
            }
        }
        return merged;
    }

    /**
     * With --trigger-file, file changes wait for the trigger file and then restart all at once; a manual or
     * control-socket restart takes what was held too. Returns null when this burst is held.
     */
    private ChangeSet awaitingTrigger(ChangeSet changes) {
        Path trigger = settings.triggerFile();
        if (trigger == null) {
            return changes;
        }
        boolean fileChanges = !changes.changes().isEmpty();
        if (heldForTrigger != null) {
            heldForTrigger.changes().forEach((path, kind) -> {
                if (!changes.changes().containsKey(path)) {
                    changes.add(path, kind);
                }
            });
        }
        if (fileChanges && !changes.changes().containsKey(trigger)) {
            heldForTrigger = changes;
            console.debug(changes.summary() + " held until " + trigger + " is touched");
            return null;
        }
        heldForTrigger = null;
        return changes;
    }

    private void restart(ChangeSet changes) throws CracDevException {
        if (!changes.changes().isEmpty()
                && !Project.mainClassExists(settings.mainClass(), settings.appRoots(), settings.framework())) {
            // a build that deletes its output first (mvn compile, mvn clean): keep the running generation
            if (!mainMissingSaid) {
                console.info(settings.mainClass() + " is missing from the app roots (a build in progress?): "
                        + "waiting for the next change");
                mainMissingSaid = true;
            }
            if (current == null) { // it stopped ahead of this batch: no generation runs now
                stoppedAheadMs = -1;
                transition(SupervisorState.WAITING_FOR_CHANGE);
            }
            return;
        }
        mainMissingSaid = false;
        transition(SupervisorState.RESTARTING);
        long t0 = System.nanoTime();
        boolean stoppedAhead = current == null && stoppedAheadMs >= 0;
        long stopMs = stoppedAhead ? stoppedAheadMs : stopCurrent(t0, false);
        stoppedAheadMs = -1;
        Engine engine = engines.current();
        String key = readyImages.keyForLaunch(engine);
        readyImages.beforeLaunch(key, engine);
        int number = ++generations;
        Engine.Launched launched = engine.launch(new GenerationRequest(number, settings.mainClass(), settings.args(),
                engines.launchConfig().recordedClassList()));
        adopt(new Generation(number, launched, changes, new Generation.Stop(stopMs, stoppedAhead), t0, settings.probe(),
                engine.frameworkBootMillis(), key, false, engine.seesExitStatus()));
    }

    /** {@code crac-dev reset}: restore the ready image of the current code, else a fresh generation. */
    private void reset() throws CracDevException {
        Engine engine = engines.current();
        readyImages.resetAsked(engine);
        String key = readyImages.currentKey();
        if (!engine.supportsReadyImages() || key == null || !engine.hasReadyImage(key)) {
            console.info("reset: " + (engine.supportsReadyImages() ? "no ready image of the current code and fixtures yet"
                    : "the " + engine.kind() + " engine cannot make ready images") + "; starting a fresh generation instead");
            restart(ChangeSet.because("reset (fresh generation)"));
            return;
        }
        transition(SupervisorState.RESTARTING);
        long t0 = System.nanoTime();
        long stopMs = stopCurrent(t0, true);
        stoppedAheadMs = -1;
        Engine.Launched launched = engine.restoreReady(key, generations + 1);
        if (launched == null) {
            restart(ChangeSet.because("reset (fresh generation: the ready image failed)"));
            return;
        }
        adopt(new Generation(++generations, launched, ChangeSet.because("reset"), new Generation.Stop(stopMs, false), t0,
                settings.probe(), -1, key, true, engine.seesExitStatus()));
    }

    /**
     * Stops the current generation (its waiters stay: the next one answers them): until its shutdown hooks are
     * done, or for a reset (its state is thrown away) only until its port is closed.
     */
    private long stopCurrent(long t0, boolean forReset) {
        Generation g = current;
        if (g != null) {
            synchronized (lifecycle) {
                current = null; // its Exited event (from being stopped) is not news
            }
            if (!g.isSettled()) { // else it would vanish from the log: its number is skipped by the next status line
                console.info("gen " + g.number() + " stopped before it was ready: " + (forReset ? "a reset replaces it"
                        : "the next generation replaces it"));
            }
            if (forReset) {
                g.stopForReset(settings.stopGrace());
            } else {
                g.stop(settings.stopGrace());
            }
            readyImages.release();
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /**
     * Stops the running generation while the quiet period of the change that replaces it runs, so that its
     * shutdown hooks (~40-100 ms for a Spring app) overlap the wait instead of following it. Only for a class or
     * resource written into an app root (see {@link #changeSeen}) while the main class is there: a build that
     * deletes its output first keeps the app running until it is back (see {@link #restart}). A build that writes
     * a class and only then deletes the main class (one that failed to compile) leaves no app running until the
     * main class is back.
     */
    private void stopAhead() {
        Generation g = current;
        if (g == null || !Project.mainClassExists(settings.mainClass(), settings.appRoots(), settings.framework())) {
            return;
        }
        transition(SupervisorState.RESTARTING);
        stoppedAheadMs = stopCurrent(System.nanoTime(), false);
        console.debug("gen " + g.number() + " stopped in " + stoppedAheadMs + " ms, while the quiet period of the change"
                + " that replaces it runs");
    }

    /**
     * On the watcher's thread, for each change as it comes: the first class or resource of a batch written into an
     * app root asks for {@link #stopAhead}. Not with a trigger file (changes wait for it), nor for deletions.
     */
    private void changeSeen(Path path, ChangeSet.Kind kind) {
        Path file = path.toAbsolutePath().normalize();
        if (kind != ChangeSet.Kind.DELETED && settings.triggerFile() == null
                && settings.appRoots().stream().anyMatch(root -> file.startsWith(root.toAbsolutePath().normalize()))
                && !stopAheadAsked.getAndSet(true)) {
            events.add(new StopAhead());
        }
    }

    private void adopt(Generation gen) {
        synchronized (lifecycle) {
            if (closed) {
                gen.child().kill();
                waiters.fail("crac-dev is stopping");
                return;
            }
            current = gen;
        }
        lastFailure = null;
        newFrameworkClasses = 0;
        gen.watch(event -> events.add(new FromGeneration(event)));
        transition(SupervisorState.RUNNING);
    }

    private void onGenerationEvent(GenerationEvent event) {
        Generation gen = event.generation();
        if (event instanceof GenerationEvent.Ready r) {
            onReady(gen, r.signal());
        } else if (event instanceof GenerationEvent.FixtureDone || event instanceof GenerationEvent.Trimmed) {
            settle(gen, readyImages.take(gen, engines.engine()));
        } else if (event instanceof GenerationEvent.NotReadyYet n) {
            console.warn("gen " + gen.number() + " is still not ready " + Generation.NOT_READY_HINT.toSeconds()
                    + " s after its start (crac-dev keeps waiting): " + n.hint());
        } else if (event instanceof GenerationEvent.FixtureFailed f) {
            console.error("gen " + gen.number() + ": the fixture hook " + settings.fixtureHook() + " failed ("
                    + f.message() + ", stack trace above); fix it and save: no ready image was taken"
                    + (f.message().contains("Connection refused") ? " (until the image is taken, the app's port refuses"
                    + " everyone but the readiness probe: load fixture data in-process, not through the app's port)" : ""));
            settle(gen, -1);
        } else if (event instanceof GenerationEvent.ClassListSaved) {
            mergeClassList(gen);
        } else if (event instanceof GenerationEvent.Exited x) {
            onExited(gen, x.status());
        } else {
            console.debug("gen " + gen.number() + ": " + event.getClass().getSimpleName().toLowerCase());
        }
    }

    /**
     * The probe passed: record the class list, then fixture hook and ready image, then it counts as ready.
     * Before a ready image the generation collects and shrinks its heap (the fixture hook's run ends with
     * that too): a restore costs per page, and the heap is mostly garbage at this point.
     */
    private void onReady(Generation gen, String signal) {
        readyImages.ready(gen);
        if (!gen.fromReadyImage()) {
            gen.awaitClassList();
        }
        if (!signal.equals(Generation.MAIN_RETURNED) && !gen.fromReadyImage()) {
            gen.child().send(ChildProtocol.encode(ChildProtocol.SAVE_CLASSLIST, "path",
                    engines.launchConfig().recordedClassList().toString()));
        } // else the runtime saved it when main returned
        if (gen.readyKey() == null || gen.fromReadyImage()) {
            settle(gen, -1);
        } else if (settings.fixtureHook() != null) {
            gen.child().send(ChildProtocol.encode(ChildProtocol.FIXTURE, "class", settings.fixtureHook()));
        } else if (engines.engine().hasReadyImage(gen.readyKey())) {
            settle(gen, readyImages.take(gen, engines.engine())); // nothing to dump: no trim either
        } else {
            gen.child().send(ChildProtocol.encode(ChildProtocol.TRIM));
        }
    }

    /** The generation is as ready as it gets: say so, answer everyone waiting, let the engine prepare the next. */
    private void settle(Generation gen, long readyImageMs) {
        if (gen.hasExited()) {
            return; // its Exited event follows and says what happened
        }
        gen.settle();
        readyImages.release(); // before anyone hears "ready": the port is open by then
        console.info(gen.statusLine(readyImageMs));
        if (terminalHintDue) {
            terminalHintDue = onATerminal();
            console.info("type rs + Enter to restart by hand, Ctrl-C to stop crac-dev");
        }
        waiters.ready(gen.readySummary());
        if (!gen.awaitsClassList()) {
            prepareNext(0);
        } // else once the class list is in: a standby or base image booted before it would preload too little
        readyImages.prepareReset(gen, engines.engine());
        gen.noteListeners();
    }

    /** Lets the engine prepare the next generation (boot a standby, restore ahead) while nothing is starting. */
    private void prepareNext(int justAdded) {
        engines.engine().idle(newFrameworkClasses + justAdded);
        newFrameworkClasses = 0;
    }

    private void onExited(Generation gen, int status) {
        readyImages.release();
        String what = "gen " + gen.number() + " " + ExitReason.describe(status);
        if (gen.isSettled()) {
            console.info(what + "; save a change (or type rs + Enter) to start the next one");
        } else {
            lastFailure = "generation " + gen.number() + " " + ExitReason.describe(status) + " before it was ready";
            console.error(what + " before it was ready (see its output above); fix it and save to try again");
            waiters.fail(lastFailure);
        }
        transition(SupervisorState.WAITING_FOR_CHANGE);
        prepareNext(0);
    }

    private void mergeClassList(Generation gen) {
        var cfg = engines.launchConfig();
        int added = 0;
        try {
            added = new ClassList(cfg.classList()).merge(cfg.recordedClassList());
            console.debug("class list: " + added + " new framework classes");
        } catch (IOException e) {
            console.warn("could not update the class list " + cfg.classList() + ": " + e.getMessage());
        }
        gen.classListArrived();
        if (gen.isSettled()) {
            prepareNext(added);
        } else {
            newFrameworkClasses += added; // told to the engine once the generation is ready
        }
    }

    private void startControl() throws CracDevException {
        try {
            control = ControlServer.start(settings.controlSocket(), new ControlHandler());
            console.debug("control socket " + control.socket());
        } catch (IOException e) {
            throw new CracDevException(ExitCode.FAILURE, e.getMessage().startsWith("another crac-dev") ? e.getMessage()
                    : "cannot open the control socket " + settings.controlSocket() + ": " + e.getMessage());
        }
    }

    /** Compile on save (a Maven project): the sources saved while crac-dev was not running first. */
    private void startCompiler() throws CracDevException {
        if (settings.compile() == null) {
            return;
        }
        try {
            compiler = new CompileOnSave(settings.compile(), settings.quietPeriod(), settings.ignores(), console);
            compiler.start();
        } catch (IOException | IllegalStateException e) {
            throw new CracDevException(ExitCode.FAILURE, "cannot compile on save (" + e.getMessage()
                    + "); start with --no-compile and let your IDE or Maven build target/classes");
        }
    }

    private void startWatcher() throws CracDevException {
        try {
            // framework entries are watched too: a rebuilt dependency means a new template
            List<Path> paths = new ArrayList<>(settings.watch());
            paths.addAll(settings.framework());
            paths.addAll(settings.fixtures());
            watcher = new SourceWatcher(paths, settings.ignores(), settings.quietPeriod(),
                    changes -> events.add(new Restart(changes, null)));
            watcher.onEachChange(this::changeSeen);
            watcher.start();
        } catch (IOException e) {
            throw new CracDevException(ExitCode.FAILURE, "cannot watch " + settings.watch() + " (" + e.getMessage()
                    + "); check the paths, or raise fs.inotify.max_user_watches");
        }
    }

    /** Whether someone types here: stdin and stdout are a terminal (on JDK 22–24 a console exists without one). */
    private static boolean onATerminal() {
        java.io.Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return true; // JDK 17–21: a console exists only on a terminal
        }
    }

    /** Enter or "rs" + Enter on the terminal restarts by hand (as in nodemon). */
    private void startTerminalReader() {
        Thread t = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    String cmd = line.strip();
                    if (cmd.isEmpty() || cmd.equals("rs")) {
                        events.add(new Restart(ChangeSet.because("manual restart"), null));
                    }
                }
            } catch (IOException e) {
                // no terminal: nothing to read
            }
        }, "crac-dev-terminal");
        t.setDaemon(true);
        t.start();
    }

    private void transition(SupervisorState next) {
        if (state != next) {
            console.debug("[supervisor] " + state + " -> " + next);
            state = next;
        }
    }

    /** Ends every process we started (generation, standby, template). Runs once; also from the shutdown hook. */
    private void shutdown() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            transition(SupervisorState.STOPPING);
        }
        if (buildFiles != null) {
            buildFiles.close();
        }
        if (compiler != null) {
            try {
                compiler.close();
            } catch (IOException e) {
                console.debug("closing the compiler: " + e.getMessage());
            }
        }
        if (watcher != null) {
            try {
                watcher.close();
            } catch (IOException e) {
                console.debug("closing the watcher: " + e.getMessage());
            }
        }
        Generation g = current;
        if (g != null) {
            g.stop(settings.stopGrace());
        }
        gate.close();
        engines.close();
        ChildProcess.awaitEndings(Duration.ofSeconds(15)); // generations stopped earlier may still be ending
        if (control != null) {
            control.close(); // last: a vanished socket tells 'crac-dev stop' that everything is gone
        }
        firstReady.completeExceptionally(new IllegalStateException("crac-dev stopped before the app was ready"));
        stopped.countDown();
    }

    /** Waits until everything is stopped. */
    public boolean awaitStopped(long millis) throws InterruptedException {
        return stopped.await(millis, TimeUnit.MILLISECONDS);
    }

    /** Answers the control socket; everything that changes the app goes through the event loop. */
    private final class ControlHandler implements ControlServer.Handler {
        @Override
        public String statusJson() {
            Generation g = current;
            Engine engine = engines.engine();
            return StatusReport.json(choice.kind().name(), state.name(), g == null ? null : new StatusReport.Gen(
                    g.number(), g.pid(), g.isSettled() && !g.hasExited(), g.uptimeMillis(), g.lastStatusLine()),
                    readyImages.lastImage(), engines.baseImage(), engine == null ? "none" : engine.nextGeneration(),
                    settings.workDir(), settings.controlSocket());
        }

        @Override
        public CompletableFuture<String> restart() {
            CompletableFuture<String> reply = new CompletableFuture<>();
            events.add(new Restart(ChangeSet.because("restart (control socket)"), reply));
            return reply;
        }

        @Override
        public CompletableFuture<String> reset() {
            CompletableFuture<String> reply = new CompletableFuture<>();
            events.add(new Reset(reply));
            return reply;
        }

        @Override
        public CompletableFuture<String> awaitReady() {
            CompletableFuture<String> reply = new CompletableFuture<>();
            events.add(new AwaitReady(reply));
            return reply;
        }

        @Override
        public void stop() {
            Supervisor.this.stop();
        }
    }
}
