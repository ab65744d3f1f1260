package dev.cracdev.supervisor;

import dev.cracdev.Console;
import dev.cracdev.CracDevException;
import dev.cracdev.ExitCode;
import dev.cracdev.Version;
import dev.cracdev.control.ControlServer;
import dev.cracdev.engine.ChildProcess;
import dev.cracdev.engine.Engine;
import dev.cracdev.engine.Engines;
import dev.cracdev.engine.GenerationRequest;
import dev.cracdev.engine.LaunchConfig;
import dev.cracdev.image.ClassList;
import dev.cracdev.image.Fingerprint;
import dev.cracdev.image.ImageStore;
import dev.cracdev.image.ReadyKey;
import dev.cracdev.protocol.ChildProtocol;
import dev.cracdev.watch.ChangeSet;
import dev.cracdev.watch.SourceWatcher;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The fork loop. One thread (the caller of {@link #run()}) owns all state and handles events in order:
 * file changes, manual and control-socket restarts and resets become a new generation (stop the old one
 * completely, then ask the engine for the next); runtime events of the current generation drive
 * readiness, the fixture hook, the ready image and status lines; a generation that dies is reported and
 * the loop waits for the next change. The engine is recreated when the framework side (its
 * fingerprint) changed.
 */
public final class Supervisor {
    private sealed interface Event {
    }

    /** A new generation; {@code reply} (may be null) completes when it is ready. */
    private record Restart(ChangeSet changes, CompletableFuture<String> reply) implements Event {
    }

    /** Back to the ready image (or a fresh generation where there is none). */
    private record Reset(CompletableFuture<String> reply) implements Event {
    }

    private record AwaitReady(CompletableFuture<String> reply) implements Event {
    }

    private record FromChild(Generation generation, ChildProtocol.Message message) implements Event {
    }

    private record Ready(Generation generation) implements Event {
    }

    private record Stop() implements Event {
    }

    private final StartSettings settings;
    private final Console console;
    private final Engines.Choice choice;
    private final ImageStore store;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Object lifecycle = new Object();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CompletableFuture<String> firstReady = new CompletableFuture<>();
    private final List<CompletableFuture<String>> readyWaiters = new ArrayList<>();
    private volatile SupervisorState state = SupervisorState.STARTING;
    private volatile Generation current;
    private volatile String lastReadyImage = "none";
    private volatile String baseImage = "none";
    private boolean takeReadyImages;
    private boolean closed;
    private Engine engine;
    private Fingerprint fingerprint;
    private LaunchConfig launchConfig;
    private int generations;
    private SourceWatcher watcher;
    private ControlServer control;

    public Supervisor(StartSettings settings, Engines.Choice choice, Console console) {
        this.settings = settings;
        this.console = console;
        this.choice = choice;
        this.store = new ImageStore(settings.images());
        this.takeReadyImages = settings.readyImages() == ReadyImages.on || (settings.readyImages() == ReadyImages.auto
                && (!settings.fixtures().isEmpty() || settings.fixtureHook() != null));
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
            refreshEngine();
            startWatcher();
            if (settings.terminalCommands()) {
                startTerminalReader();
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

    /** Completes when the first generation is ready (and its ready image taken), or fails if it never is. */
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
            } catch (CracDevException ex) {
                if (generations <= 1 && current == null && ex.exitCode() != ExitCode.FAILURE) {
                    throw ex; // the very first start cannot work at all (no JDK, engine unusable)
                }
                report(ex.getMessage(), e);
            } catch (RuntimeException ex) {
                // a bug or an unexpected I/O failure: report it, keep supervising
                report("internal error: " + ex + " (run with --verbose for details)", e);
                if (console.verbose()) {
                    ex.printStackTrace();
                }
            }
        }
    }

    private void handle(Event e) throws CracDevException {
        if (e instanceof Restart r) {
            restart(coalesce(r));
        } else if (e instanceof Reset r) {
            reset(r.reply());
        } else if (e instanceof AwaitReady w) {
            Generation g = current;
            if (g != null && g.isSettled() && !g.hasExited()) {
                w.reply().complete(g.readySummary());
            } else {
                readyWaiters.add(w.reply());
            }
        } else if (e instanceof FromChild f && f.generation() == current) {
            onChildEvent(f.generation(), f.message());
        } else if (e instanceof Ready r && r.generation() == current) {
            onReady(r.generation());
        }
    }

    /** A failure while handling an event: said once, the event's requester told, the loop goes on. */
    private void report(String message, Event e) {
        console.error(message);
        String why = message;
        if (e instanceof Restart r) {
            fail(r.reply(), why);
        } else if (e instanceof Reset r) {
            fail(r.reply(), why);
        }
        firstReady.completeExceptionally(new IllegalStateException(why));
        if (current == null || current.hasExited()) {
            console.info("waiting for a change to try again");
            transition(SupervisorState.WAITING_FOR_CHANGE);
        }
    }

    /** Folds file-change restarts already queued behind this one into it: one restart per burst. */
    private Restart coalesce(Restart first) {
        ChangeSet merged = first.changes();
        while (first.reply() == null && events.peek() instanceof Restart next && next.reply() == null) {
            events.poll();
            if (merged.changes().isEmpty()) {
                merged = next.changes();
            } else {
                next.changes().changes().forEach(merged::add);
            }
        }
        return new Restart(merged, first.reply());
    }

    private void restart(Restart r) throws CracDevException {
        if (!r.changes().changes().isEmpty()
                && !Project.mainClassExists(settings.mainClass(), settings.appRoots(), settings.framework())) {
            // a build that deletes its output first (mvn compile, mvn clean): keep the running generation
            console.info(settings.mainClass() + " is missing from the app roots (a build in progress?): "
                    + "waiting for the next change");
            return;
        }
        transition(SupervisorState.RESTARTING);
        long t0 = System.nanoTime();
        long stopMs = stopCurrent(t0);
        refreshEngine();
        // the ready image's key is the code this generation starts with, not what is on disk once it is ready;
        // hashing the app roots costs a walk of them, so only when ready images are taken
        String key = takeReadyImages && engine.supportsReadyImages() ? readyKey() : null;
        int number = ++generations;
        Engine.Launched launched = engine.launch(new GenerationRequest(number, settings.mainClass(), settings.args(),
                launchConfig.recordedClassList()));
        adopt(new Generation(number, launched, r.changes(), stopMs, t0, settings.probe(), engine.frameworkBootMillis(),
                key, false), r.reply());
    }

    /** {@code crac-dev reset}: restore the ready image of the current code, else a fresh generation. */
    private void reset(CompletableFuture<String> reply) throws CracDevException {
        if (settings.readyImages() == ReadyImages.auto && !takeReadyImages && engine.supportsReadyImages()) {
            takeReadyImages = true;
            console.info("resets were asked for: from now on each ready generation is checkpointed for the next reset");
        }
        String key = readyKey();
        if (!engine.supportsReadyImages() || key == null || !engine.hasReadyImage(key)) {
            console.info("reset: " + (engine.supportsReadyImages() ? "no ready image of the current code and fixtures yet"
                    : "the " + engine.kind() + " engine cannot make ready images") + "; starting a fresh generation instead");
            restart(new Restart(ChangeSet.because("reset (fresh generation)"), reply));
            return;
        }
        transition(SupervisorState.RESTARTING);
        long t0 = System.nanoTime();
        long stopMs = stopCurrent(t0);
        Engine.Launched launched = engine.restoreReady(key, generations + 1);
        if (launched == null) {
            restart(new Restart(ChangeSet.because("reset (fresh generation: the ready image failed)"), reply));
            return;
        }
        adopt(new Generation(++generations, launched, ChangeSet.because("reset"), stopMs, t0, settings.probe(), -1, key, true),
                reply);
    }

    private long stopCurrent(long t0) {
        Generation g = current;
        if (g != null) {
            synchronized (lifecycle) {
                current = null; // its EXITED event (from being killed) is not news
            }
            g.stop();
            fail(g.takeWaiters(), "generation " + g.number() + " was replaced before it was ready");
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private void adopt(Generation gen, CompletableFuture<String> reply) {
        synchronized (lifecycle) {
            if (closed) {
                gen.child().kill();
                fail(reply, "crac-dev is stopping");
                return;
            }
            current = gen;
        }
        if (reply != null) {
            gen.addWaiter(reply);
        }
        readyWaiters.forEach(gen::addWaiter);
        readyWaiters.clear();
        gen.watch(message -> events.add(new FromChild(gen, message)), () -> events.add(new Ready(gen)));
        transition(SupervisorState.RUNNING);
    }

    private void onChildEvent(Generation gen, ChildProtocol.Message m) {
        switch (m.word()) {
            case ChildProtocol.STARTED -> gen.started();
            case ChildProtocol.MAIN_RETURNED -> gen.mainReturned();
            case ChildProtocol.CLASSLIST_SAVED -> mergeClassList();
            case ChildProtocol.FIXTURE_DONE -> takeReadyImage(gen);
            case ChildProtocol.FIXTURE_FAILED -> {
                console.error("gen " + gen.number() + ": the fixture hook " + settings.fixtureHook() + " failed ("
                        + m.get("message") + ", stack trace above); fix it and save: no ready image was taken");
                settle(gen);
            }
            case ChildProcess.EXITED -> {
                gen.exited();
                if (gen.isReady() && !gen.isSettled()) {
                    onReady(gen); // an app whose main returned and that then ended: its Ready event is still queued
                }
                int status = gen.exitStatus(Integer.parseInt(m.get("status")), engine.seesExitStatus());
                if (!gen.isReady()) {
                    firstReady.completeExceptionally(new IllegalStateException("generation " + gen.number() + " "
                            + ExitReason.describe(status) + " before it was ready"));
                }
                if (gen.isReady()) {
                    console.info("gen " + gen.number() + " " + ExitReason.describe(status)
                            + "; save a change (or type rs + Enter) to start the next one");
                } else {
                    console.error("gen " + gen.number() + " " + ExitReason.describe(status)
                            + " before it was ready (see its output above); fix it and save to try again");
                }
                fail(gen.takeWaiters(), "generation " + gen.number() + " " + ExitReason.describe(status)
                        + (gen.isReady() ? "" : " before it was ready"));
                transition(SupervisorState.WAITING_FOR_CHANGE);
                engine.generationReady(0);
            }
            default -> console.debug("gen " + gen.number() + " event " + m.word());
        }
    }

    private void onReady(Generation gen) {
        if (!gen.firstReport()) {
            return; // already handled (an app that ended right after becoming ready)
        }
        console.info(gen.statusLine());
        if (!(settings.probe() instanceof ReadinessProbe.MainReturned)) {
            gen.child().send(ChildProtocol.encode(ChildProtocol.SAVE_CLASSLIST, "path",
                    launchConfig.recordedClassList().toString()));
        } // else the runtime saved it when main returned
        if (gen.fromReadyImage() || !engine.supportsReadyImages() || !takeReadyImages) {
            settle(gen);
        } else if (settings.fixtureHook() != null) {
            gen.child().send(ChildProtocol.encode(ChildProtocol.FIXTURE, "class", settings.fixtureHook()));
        } else {
            takeReadyImage(gen);
        }
    }

    /** Checkpoints the ready generation (app up, fixture loaded) for {@code crac-dev reset}. */
    private void takeReadyImage(Generation gen) {
        String key = gen.readyKey();
        if (gen.hasExited()) {
            return;
        }
        if (key != null && !engine.hasReadyImage(key)) {
            try {
                String how = engine.checkpointReady(gen.child(), key);
                console.info("gen " + gen.number() + ": " + how + "; crac-dev reset restores this state");
            } catch (CracDevException e) {
                console.warn("no ready image: " + e.getMessage() + "; crac-dev reset will start fresh generations");
            }
        }
        if (key != null && engine.hasReadyImage(key)) {
            lastReadyImage = engine.readyImageDescription(key);
        }
        settle(gen);
    }

    /** The generation is as ready as it gets: answer everyone waiting for it. */
    private void settle(Generation gen) {
        gen.settle();
        firstReady.complete(gen.readySummary());
        gen.takeWaiters().forEach(w -> w.complete(gen.readySummary()));
    }

    private String readyKey() {
        try {
            return ReadyKey.of(settings.appRoots(), settings.fixtures());
        } catch (IOException e) {
            console.warn("cannot hash the app roots for the ready image: " + e.getMessage());
            return null;
        }
    }

    private static void fail(CompletableFuture<String> reply, String why) {
        if (reply != null) {
            reply.completeExceptionally(new IllegalStateException(why));
        }
    }

    private static void fail(List<CompletableFuture<String>> replies, String why) {
        replies.forEach(r -> fail(r, why));
    }

    private void mergeClassList() {
        try {
            int added = new ClassList(launchConfig.classList()).merge(launchConfig.recordedClassList());
            console.debug("class list: " + added + " new framework classes");
            engine.generationReady(added);
        } catch (IOException e) {
            console.warn("could not update the class list " + launchConfig.classList() + ": " + e.getMessage());
            engine.generationReady(0);
        }
    }

    /** Recomputes the fingerprint; on a change of the framework side, replaces the engine. */
    private void refreshEngine() throws CracDevException {
        Fingerprint fp;
        try {
            fp = Fingerprint.of(settings.java(), settings.javaVersion(), settings.jvmOptions(), settings.framework(),
                    settings.appRoots(), Version.get(), settings.runtimeJar(), choice.kind().name());
        } catch (IOException e) {
            throw new CracDevException(ExitCode.USAGE, "cannot read a framework class-path entry (" + e.getMessage()
                    + "); check --classpath");
        }
        if (fingerprint != null && fingerprint.id().equals(fp.id())) {
            return;
        }
        try {
            if (fingerprint != null) {
                console.info(Optional.ofNullable(fp.whatChangedSince(fingerprint.inputs())).orElse("the framework side changed")
                        + ": preparing a new " + choice.kind() + " template");
            } else {
                Optional<Map<String, String>> previous = store.previousInputs(fp);
                previous.map(fp::whatChangedSince).ifPresent(what ->
                        console.info(what + " since the last run: preparing a new " + choice.kind() + " template"));
            }
            var stateDir = store.open(fp);
            store.prune(fp);
            if (engine != null) {
                engine.close();
            }
            launchConfig = new LaunchConfig(settings.java(), settings.jvmOptions(), settings.framework(),
                    settings.appRoots(), settings.runtimeJar(), settings.workDir(), stateDir);
            fingerprint = fp;
            engine = Engines.create(choice.kind(), launchConfig, settings.restoreTimeout(), console);
        } catch (IOException e) {
            throw new CracDevException(ExitCode.FAILURE, "cannot use the image store " + store.root() + ": "
                    + e.getMessage() + "; check --images");
        }
        engine.prepare();
        baseImage = engine.imageDescription();
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

    private void startWatcher() throws CracDevException {
        try {
            // framework entries are watched too: a rebuilt dependency means a new template
            List<Path> paths = new ArrayList<>(settings.watch());
            paths.addAll(settings.framework());
            paths.addAll(settings.fixtures());
            watcher = new SourceWatcher(paths, settings.ignores(), settings.quietPeriod(),
                    changes -> events.add(new Restart(changes, null)));
            watcher.start();
        } catch (IOException e) {
            throw new CracDevException(ExitCode.FAILURE, "cannot watch " + settings.watch() + " (" + e.getMessage()
                    + "); check the paths, or raise fs.inotify.max_user_watches");
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
        if (watcher != null) {
            try {
                watcher.close();
            } catch (IOException e) {
                console.debug("closing the watcher: " + e.getMessage());
            }
        }
        Generation g = current;
        if (g != null) {
            g.stop();
        }
        if (engine != null) {
            engine.close();
        }
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
            Map<String, Object> s = new java.util.LinkedHashMap<>();
            s.put("engine", choice.kind().name());
            s.put("state", state.name());
            s.put("generation", g == null ? 0 : g.number());
            s.put("pid", g == null ? 0 : g.pid());
            s.put("ready", g != null && g.isReady());
            s.put("uptimeMs", g == null ? 0 : g.uptimeMillis());
            s.put("lastStatus", g == null ? "" : g.lastStatusLine());
            s.put("readyImage", lastReadyImage);
            s.put("baseImage", baseImage);
            s.put("project", settings.workDir().toString());
            s.put("socket", settings.controlSocket().toString());
            return Json.object(s);
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
