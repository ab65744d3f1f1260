package dev.cracdev.supervisor;

import dev.cracdev.Console;
import dev.cracdev.CracDevException;
import dev.cracdev.ExitCode;
import dev.cracdev.Version;
import dev.cracdev.engine.ChildProcess;
import dev.cracdev.engine.Engine;
import dev.cracdev.engine.Engines;
import dev.cracdev.engine.GenerationRequest;
import dev.cracdev.engine.LaunchConfig;
import dev.cracdev.image.ClassList;
import dev.cracdev.image.Fingerprint;
import dev.cracdev.image.ImageStore;
import dev.cracdev.runtime.ChildProtocol;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The fork loop. One thread (the caller of {@link #run()}) owns all state and handles events in order:
 * file changes and manual restarts become a new generation (stop the old one completely, then ask the
 * engine for the next); runtime events of the current generation drive readiness and status lines; a
 * generation that dies is reported and the loop waits for the next change. The engine is recreated when
 * the framework side (its fingerprint) changed.
 */
public final class Supervisor {
    private sealed interface Event {
    }

    private record Restart(ChangeSet changes) implements Event {
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
    private volatile SupervisorState state = SupervisorState.STARTING;
    private boolean closed;
    private Engine engine;
    private Fingerprint fingerprint;
    private LaunchConfig launchConfig;
    private Generation current;
    private int generations;
    private SourceWatcher watcher;

    public Supervisor(StartSettings settings, Engines.Choice choice, Console console) {
        this.settings = settings;
        this.console = console;
        this.choice = choice;
        this.store = new ImageStore(settings.images());
    }

    /** Runs until stopped (SIGINT/SIGTERM or {@link #stop()}); returns the exit code. */
    public int run() throws CracDevException {
        Thread hook = new Thread(this::shutdown, "crac-dev-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            console.info("engine " + choice.kind() + ": " + choice.reason());
            refreshEngine();
            startWatcher();
            if (settings.terminalCommands()) {
                startTerminalReader();
            }
            events.add(new Restart(ChangeSet.because("start")));
            loop();
            return ExitCode.OK.code;
        } finally {
            shutdown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down: the hook is running
            }
        }
    }

    /** Asks the loop to end; used by the control channel and tests. */
    public void stop() {
        events.add(new Stop());
    }

    public SupervisorState state() {
        return state;
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
            } else if (e instanceof Restart r) {
                restart(coalesce(r.changes()));
            } else if (e instanceof FromChild f && f.generation() == current) {
                onChildEvent(f.generation(), f.message());
            } else if (e instanceof Ready r && r.generation() == current) {
                onReady(r.generation());
            }
        }
    }

    /** Folds restarts already queued behind this one into it: one restart per burst. */
    private ChangeSet coalesce(ChangeSet first) {
        ChangeSet merged = first;
        while (events.peek() instanceof Restart next) {
            events.poll();
            if (merged.changes().isEmpty()) {
                merged = next.changes();
            } else {
                next.changes().changes().forEach(merged::add);
            }
        }
        return merged;
    }

    private void restart(ChangeSet changes) throws CracDevException {
        transition(SupervisorState.RESTARTING);
        long t0 = System.nanoTime();
        if (current != null) {
            current.stop();
        }
        long stopMs = (System.nanoTime() - t0) / 1_000_000;
        try {
            refreshEngine();
            int number = ++generations;
            Engine.Launched launched = engine.launch(new GenerationRequest(number, settings.mainClass(), settings.args(),
                    launchConfig.recordedClassList()));
            Generation gen = new Generation(number, launched, changes, stopMs, t0, settings.probe(), engine.frameworkBootMillis());
            synchronized (lifecycle) {
                if (closed) {
                    launched.child().kill();
                    return;
                }
                current = gen;
            }
            gen.watch(message -> events.add(new FromChild(gen, message)), () -> events.add(new Ready(gen)));
            transition(SupervisorState.RUNNING);
        } catch (CracDevException e) {
            if (current == null && generations <= 1 && e.exitCode() != ExitCode.FAILURE) {
                throw e; // the very first start cannot work at all (no JDK, engine unusable)
            }
            console.error(e.getMessage());
            console.info("waiting for a change to try again");
            transition(SupervisorState.WAITING_FOR_CHANGE);
        }
    }

    private void onChildEvent(Generation gen, ChildProtocol.Message m) {
        switch (m.word()) {
            case ChildProtocol.STARTED -> gen.started();
            case ChildProtocol.MAIN_RETURNED -> gen.mainReturned();
            case ChildProtocol.CLASSLIST_SAVED -> mergeClassList();
            case ChildProcess.EXITED -> {
                int status = gen.exitStatus(Integer.parseInt(m.get("status")));
                if (gen.isReady()) {
                    console.info("gen " + gen.number() + " " + ExitReason.describe(status)
                            + "; save a change (or type rs + Enter) to start the next one");
                } else {
                    console.error("gen " + gen.number() + " " + ExitReason.describe(status)
                            + " before it was ready (see its output above); fix it and save to try again");
                }
                transition(SupervisorState.WAITING_FOR_CHANGE);
                engine.generationReady(0);
            }
            default -> console.debug("gen " + gen.number() + " event " + m.word());
        }
    }

    private void onReady(Generation gen) {
        console.info(gen.statusLine());
        if (!(settings.probe() instanceof ReadinessProbe.MainReturned)) {
            gen.child().send(ChildProtocol.encode(ChildProtocol.SAVE_CLASSLIST, "path",
                    launchConfig.recordedClassList().toString()));
        } // else the runtime saved it when main returned
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
    }

    private void startWatcher() throws CracDevException {
        try {
            // framework entries are watched too: a rebuilt dependency means a new template
            List<Path> paths = new ArrayList<>(settings.watch());
            paths.addAll(settings.framework());
            watcher = new SourceWatcher(paths, settings.ignores(), settings.quietPeriod(),
                    changes -> events.add(new Restart(changes)));
            watcher.start();
        } catch (IOException e) {
            throw new CracDevException(ExitCode.FAILURE, "cannot watch " + settings.watch() + ": " + e.getMessage());
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
                        events.add(new Restart(ChangeSet.because("manual restart")));
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
        if (current != null) {
            current.stop();
        }
        if (engine != null) {
            engine.close();
        }
        stopped.countDown();
    }

    /** For tests and the control channel: waits until everything is stopped. */
    public boolean awaitStopped(long millis) throws InterruptedException {
        return stopped.await(millis, TimeUnit.MILLISECONDS);
    }

    ChildProcess currentChild() {
        Generation g = current;
        return g == null ? null : g.child();
    }
}
