package dev.cracdev.supervisor;

import dev.cracdev.engine.ChildProcess;
import dev.cracdev.engine.Engine;
import dev.cracdev.protocol.ChildProtocol;
import dev.cracdev.watch.ChangeSet;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * One generation: its process, why it was started, its way to ready and the timings of it. It owns its
 * child's side of the protocol and its readiness probe, and reports what happened as
 * {@link GenerationEvent}s, in order, to the supervisor's loop.
 *
 * <p>"Ready" for the user is {@link #isSettled() settled}: the probe passed and whatever the supervisor
 * does right after (fixture hook, ready image) is done. Until then nothing says ready.
 */
final class Generation {
    private static final long POLL_MS = 20;
    /** Not ready this long after its start: one line says what the probe sees (see {@link ReadinessProbe#notReadyHint}). */
    static final Duration NOT_READY_HINT = Duration.ofSeconds(15);
    /** The ready signal when {@code main} returned (the runtime then saved the class list itself). */
    static final String MAIN_RETURNED = "main returned";

    private final int number;
    private final Engine.Launched launched;
    private final ChangeSet changes;
    private final Stop stop;
    private final long t0;
    private final ReadinessProbe probe;
    private final long frameworkBootMs;
    private final String readyKey;
    private final boolean fromReadyImage;
    private final boolean processStatusIsTheJvms;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean ready = new AtomicBoolean();
    private volatile boolean exited;
    /** Its main threw: only a port it listens on makes it ready (as under java, its other threads keep it running). */
    private volatile boolean mainThrew;
    /** Its runtime said it is ending the JVM: never ready from now on, though the process may take a while to go. */
    private volatile boolean ending;
    /** The runtime was asked to save the class list (or does so when main returns) and has not said it did. */
    private volatile boolean classListAwaited;
    private volatile long startedAt;
    private volatile long readyAt;
    private volatile long settledAt;
    /** The listening sockets it held once settled; null until noted. */
    private volatile List<ListeningPorts.Listener> listenersWhenSettled;
    private volatile long jvmPid;
    private volatile String statusLine = "";
    private volatile String readySignal = "";
    private volatile long lastOutputAt;
    /** The JVM's CPU time at a moment (the automatic probe's idleness test). */
    private record CpuSample(long atNanos, long cpuMillis) {
    }

    /** Samples over the last {@link ReadinessProbe.Auto#QUIET}, the oldest at least one quiet window back. */
    private final Deque<CpuSample> cpuSamples = new ArrayDeque<>();
    private volatile Consumer<GenerationEvent> sink = e -> { };

    /**
     * How long the previous generation took to stop; {@code ahead}: it stopped while the quiet period of this
     * generation's change ran, before {@code t0} (not part of "ready in").
     */
    record Stop(long ms, boolean ahead) {
    }

    /**
     * @param fromReadyImage restored from a ready image: already running (no STARTED comes), so only a
     *                       polled probe is worth waiting for
     * @param processStatusIsTheJvms false when the process is a parent that hides the JVM's status (criu restore)
     */
    Generation(int number, Engine.Launched launched, ChangeSet changes, Stop stop, long t0, ReadinessProbe probe,
               long frameworkBootMs, String readyKey, boolean fromReadyImage, boolean processStatusIsTheJvms) {
        this.number = number;
        this.launched = launched;
        this.changes = changes;
        this.stop = stop;
        this.t0 = t0;
        this.probe = probe;
        this.frameworkBootMs = frameworkBootMs;
        this.readyKey = readyKey;
        this.fromReadyImage = fromReadyImage;
        this.processStatusIsTheJvms = processStatusIsTheJvms;
    }

    /** Starts reporting: events the child sent so far first, then each as it comes (on the child's threads). */
    void watch(Consumer<GenerationEvent> sink) {
        this.sink = sink;
        if (probe instanceof ReadinessProbe.LogLine log) {
            child().onLine(line -> {
                if (log.pattern().matcher(line).find()) {
                    markReady("log line");
                }
            });
        } else if (probe instanceof ReadinessProbe.Auto) {
            child().onLine(line -> lastOutputAt = System.nanoTime());
        }
        child().onEvent(this::onMessage);
        if (fromReadyImage) {
            onStarted(); // it is running already: no STARTED will come
        }
    }

    private void onMessage(ChildProtocol.Message m) {
        switch (m.word()) {
            case ChildProtocol.STARTED -> onStarted();
            case ChildProtocol.MAIN_RETURNED -> {
                if (probe instanceof ReadinessProbe.Auto) {
                    markReady(MAIN_RETURNED);
                }
            }
            case ChildProtocol.MAIN_THREW -> mainThrew = true;
            case ChildProtocol.EXITING -> ending = true;
            case ChildProtocol.CLASSLIST_SAVED -> sink.accept(new GenerationEvent.ClassListSaved(this));
            case ChildProtocol.FIXTURE_DONE -> sink.accept(new GenerationEvent.FixtureDone(this));
            case ChildProtocol.TRIMMED -> sink.accept(new GenerationEvent.Trimmed(this));
            case ChildProtocol.FIXTURE_FAILED -> sink.accept(new GenerationEvent.FixtureFailed(this, m.get("message")));
            case ChildProcess.EXITED -> {
                exited = true;
                sink.accept(new GenerationEvent.Exited(this, exitStatus(m.getInt("status", ExitReason.UNKNOWN))));
            }
            default -> { } // events of the framework phase (boundary, pong): not about this generation's app
        }
    }

    private void onStarted() {
        if (!started.compareAndSet(false, true)) {
            return;
        }
        long seen = child().seenAt(ChildProtocol.STARTED);
        startedAt = seen > 0 ? seen : System.nanoTime();
        jvmPid = child().jvmPid(); // the JVM surely exists once its runtime spoke
        sink.accept(new GenerationEvent.Started(this));
        if (!probe.polled() && fromReadyImage) {
            markReady("ready image"); // a log line or main's return will not come again
            return;
        }
        Thread poller = new Thread(this::pollUntilReady, "crac-dev-probe-gen-" + number);
        poller.setDaemon(true);
        poller.start();
    }

    /** Polls a polled probe; for any probe, says once why it is not ready {@link #NOT_READY_HINT} after the start. */
    private void pollUntilReady() {
        boolean hinted = false;
        while (!ready.get() && !exited && !ending && child().isAlive()) {
            String signal = !probe.polled() ? null : probe instanceof ReadinessProbe.Auto ? autoSignal()
                    : probe.poll() ? (probe instanceof ReadinessProbe.Url ? "url" : "port") : null;
            if (signal != null) {
                markReady(signal);
                return;
            }
            if (!hinted && System.nanoTime() - startedAt > NOT_READY_HINT.toNanos()) {
                hinted = true;
                String hint = probe.notReadyHint(pid());
                if (mainThrew) { // the automatic probe has nothing to say of its own then
                    hint = "its main threw (stack trace above) and other threads keep the JVM running"
                            + (hint == null ? ", listening on no port: fix it and save" : "; " + hint);
                }
                if (hint != null && !ready.get()) {
                    sink.accept(new GenerationEvent.NotReadyYet(this, hint));
                }
            }
            try {
                Thread.sleep(probe.polled() ? POLL_MS : 10 * POLL_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * The automatic probe's signal now, or null: a listening port, else (unless main threw) output quiet since start
     * while the JVM idled. Called every {@link #POLL_MS} by the poller thread alone.
     */
    private String autoSignal() {
        String listening = ReadinessProbe.Auto.listening(pid());
        if (listening != null || mainThrew) {
            return listening;
        }
        long now = System.nanoTime();
        long cpu = ReadinessProbe.Auto.cpuMillis(pid());
        cpuSamples.addLast(new CpuSample(now, cpu));
        long window = ReadinessProbe.Auto.QUIET.toNanos();
        CpuSample first;
        while ((first = cpuSamples.pollFirst()) != null) { // keep the newest sample at least a window old
            CpuSample next = cpuSamples.peekFirst();
            if (next == null || now - next.atNanos() < window) {
                cpuSamples.addFirst(first);
                break;
            }
        }
        long quietFor = now - Math.max(startedAt, lastOutputAt);
        if (quietFor >= ReadinessProbe.Auto.QUIET_BUSY.toNanos()) {
            return "output quiet";
        }
        if (quietFor < window) {
            return null;
        }
        CpuSample oldest = cpuSamples.getFirst();
        if (cpu < 0 || oldest.cpuMillis() < 0) {
            return "output quiet"; // CPU time unknown here: quiet output alone
        }
        long span = now - oldest.atNanos();
        boolean idle = span >= window && cpu - oldest.cpuMillis() <= ReadinessProbe.Auto.IDLE_CPU_SHARE * span / 1_000_000;
        return idle ? "output quiet" : null;
    }

    private void markReady(String signal) {
        if (!exited && !ending && ready.compareAndSet(false, true)) {
            readySignal = signal;
            readyAt = System.nanoTime();
            if (startedAt == 0) {
                startedAt = readyAt;
            }
            sink.accept(new GenerationEvent.Ready(this, signal));
        }
    }

    /**
     * The status the runtime reported before exiting, else the process's own, or {@link ExitReason#UNKNOWN}
     * when the process is a parent that hides it (criu restore).
     */
    private int exitStatus(int processStatus) {
        ChildProtocol.Message exiting = child().lastEvent(ChildProtocol.EXITING);
        if (exiting != null) {
            return exiting.getInt("status", processStatus);
        }
        return processStatusIsTheJvms ? processStatus : ExitReason.UNKNOWN;
    }

    /** Ready and done with what follows ready (fixture hook, ready image): what the user may rely on now. */
    void settle() {
        settledAt = System.nanoTime();
    }

    /** The class list this generation records is on its way: the engine prepares the next one once it is in. */
    void awaitClassList() {
        classListAwaited = true;
    }

    void classListArrived() {
        classListAwaited = false;
    }

    boolean awaitsClassList() {
        return classListAwaited;
    }

    boolean isReady() {
        return ready.get();
    }

    /** Was ready for the user (it may have exited since). */
    boolean isSettled() {
        return settledAt != 0;
    }

    boolean hasExited() {
        return exited;
    }

    boolean fromReadyImage() {
        return fromReadyImage;
    }

    /** The key (code and fixtures at launch) its ready image is filed under; null if none is to be taken. */
    String readyKey() {
        return readyKey;
    }

    int number() {
        return number;
    }

    ChildProcess child() {
        return launched.child();
    }

    long pid() {
        return jvmPid > 0 ? jvmPid : child().jvmPid();
    }

    long uptimeMillis() {
        return settledAt == 0 ? 0 : (System.nanoTime() - settledAt) / 1_000_000;
    }

    String lastStatusLine() {
        return statusLine;
    }

    /** For control replies: "generation 7 ready in 412 ms". */
    String readySummary() {
        return "generation " + number + " ready in " + Durations.format((settledAt - t0) / 1_000_000);
    }

    /**
     * Stops it gracefully (see {@link ChildProcess#stop}); returns once nothing of it is in the way of the next
     * generation (its hooks ran and none of the sockets its processes listened on right after the signal is open):
     * the JVM's exit goes on in the background.
     */
    void stop(Duration grace) {
        child().stop(grace, this::listening);
    }

    /**
     * For a reset, whose generation's state is thrown away: only until the sockets it listened on when it settled
     * are closed (see ChildProcess). The app restored for the reset opens those (its image was taken of this code,
     * settled). Looked up after the signal instead if it never settled or listened on nothing then (an app ready by
     * a log line may bind its port only after it).
     */
    void stopForReset(Duration grace) {
        List<ListeningPorts.Listener> noted = listenersWhenSettled;
        child().stopReleasing(grace, noted == null || noted.isEmpty() ? this::listening : () -> listening(noted));
    }

    /**
     * Notes the sockets it listens on, once settled: a reset then watches just those close (microseconds a look)
     * instead of looking them up first (~10 ms on the example). Off the reset's path.
     */
    void noteListeners() {
        listenersWhenSettled = ListeningPorts.listeners(child().pids());
    }

    /** Whether it still listens on any of the sockets it listens on now: looked up now, each check then cheap. */
    private BooleanSupplier listening() {
        return listening(ListeningPorts.listeners(child().pids()));
    }

    private static BooleanSupplier listening(List<ListeningPorts.Listener> held) {
        return () -> held.stream().anyMatch(ListeningPorts.Listener::listens);
    }

    /**
     * e.g. {@code gen 7 ready in 0.45 s · 2 changes (A.class, B.class) · stop 12 ms · restore 41 ms ·
     * app 380 ms · ready image 90 ms · framework phase 1.9 s done ahead · pid 4242}
     */
    String statusLine(long readyImageMs) {
        long total = (settledAt - t0) / 1_000_000;
        long start = (startedAt - t0) / 1_000_000 - (stop.ahead() ? 0 : stop.ms());
        long app = (readyAt - startedAt) / 1_000_000;
        StringBuilder s = new StringBuilder("gen ").append(number).append(" ready in ").append(Durations.format(total))
                .append(" · ").append(changes.summary())
                .append(" · stop ").append(stop.ms()).append(stop.ahead() ? " ms during the quiet period · " : " ms · ")
                .append(launched.how()).append(' ')
                .append(Durations.format(Math.max(start, 0))).append(" · app ").append(Durations.format(app));
        if (readyImageMs >= 0) {
            s.append(" · ready image ").append(Durations.format(readyImageMs));
        }
        if (frameworkBootMs > 0) {
            s.append(" · framework phase ").append(Durations.format(frameworkBootMs)).append(" done ahead");
        }
        if (probe instanceof ReadinessProbe.Auto && !fromReadyImage) {
            s.append(" · ready: ").append(readySignal); // no probe was given: say which signal counted
        }
        s.append(" · pid ").append(pid());
        statusLine = s.toString();
        return statusLine;
    }
}
