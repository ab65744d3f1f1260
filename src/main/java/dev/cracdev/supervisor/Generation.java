package dev.cracdev.supervisor;

import dev.cracdev.engine.ChildProcess;
import dev.cracdev.engine.Engine;
import dev.cracdev.protocol.ChildProtocol;
import dev.cracdev.watch.ChangeSet;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/** One generation: its process, why it was started, and the timings of its way to ready. */
final class Generation {
    private static final long POLL_MS = 20;

    private final int number;
    private final Engine.Launched launched;
    private final ChangeSet changes;
    private final long stopMs;
    private final long t0;
    private final ReadinessProbe probe;
    private final long frameworkBootMs;
    private final boolean fromReadyImage;
    private final String readyKey;
    private final AtomicBoolean reported = new AtomicBoolean();
    private volatile boolean exited;
    private final AtomicBoolean ready = new AtomicBoolean();
    private final List<CompletableFuture<String>> waiters = new ArrayList<>(); // loop thread only
    private volatile boolean settled;
    private volatile String statusLine = "";
    private volatile long startedAt;
    private volatile long jvmPid;
    private volatile long readyAt;
    private Runnable readySink = () -> { };

    /**
     * @param fromReadyImage restored from a ready image: already running, so there is no STARTED event
     *                       and only a polled probe is worth waiting for
     */
    Generation(int number, Engine.Launched launched, ChangeSet changes, long stopMs, long t0, ReadinessProbe probe,
               long frameworkBootMs, String readyKey, boolean fromReadyImage) {
        this.number = number;
        this.launched = launched;
        this.changes = changes;
        this.stopMs = stopMs;
        this.t0 = t0;
        this.probe = probe;
        this.frameworkBootMs = frameworkBootMs;
        this.fromReadyImage = fromReadyImage;
        this.readyKey = readyKey;
    }

    /** The key (code and fixtures at launch) its ready image is filed under; null if it could not be computed. */
    String readyKey() {
        return readyKey;
    }

    /** True the first time only: the supervisor reports readiness once. */
    boolean firstReport() {
        return reported.compareAndSet(false, true);
    }

    void exited() {
        exited = true;
    }

    boolean hasExited() {
        return exited;
    }

    boolean fromReadyImage() {
        return fromReadyImage;
    }

    void addWaiter(CompletableFuture<String> waiter) {
        waiters.add(waiter);
    }

    /** The waiters so far, removed from this generation (to complete or fail them). */
    List<CompletableFuture<String>> takeWaiters() {
        List<CompletableFuture<String>> taken = new ArrayList<>(waiters);
        waiters.clear();
        return taken;
    }

    /** Ready, and the fixture hook and ready image (if any) are done: what {@code wait} waits for. */
    void settle() {
        settled = true;
    }

    boolean isSettled() {
        return settled;
    }

    /** For control replies: "generation 7 ready in 412 ms". */
    String readySummary() {
        return "generation " + number + " ready in " + Durations.format((readyAt - t0) / 1_000_000);
    }

    long pid() {
        return jvmPid > 0 ? jvmPid : child().jvmPid();
    }

    long uptimeMillis() {
        return readyAt == 0 ? 0 : (System.nanoTime() - readyAt) / 1_000_000;
    }

    String lastStatusLine() {
        return statusLine;
    }

    int number() {
        return number;
    }

    ChildProcess child() {
        return launched.child();
    }

    /**
     * The status the runtime reported before exiting, else the process's own, or {@link ExitReason#UNKNOWN}
     * when the process is a parent that hides it (criu restore).
     */
    int exitStatus(int processStatus, boolean processStatusIsTheJvms) {
        ChildProtocol.Message exiting = child().lastEvent(ChildProtocol.EXITING);
        if (exiting != null) {
            return exiting.getInt("status", processStatus);
        }
        return processStatusIsTheJvms ? processStatus : ExitReason.UNKNOWN;
    }

    boolean isReady() {
        return ready.get();
    }

    /** Routes the child's events to the supervisor and arms the readiness probe. */
    void watch(Consumer<ChildProtocol.Message> eventSink, Runnable readySink) {
        this.readySink = readySink;
        if (probe instanceof ReadinessProbe.LogLine log) {
            child().onLine(line -> {
                if (log.pattern().matcher(line).find()) {
                    markReady();
                }
            });
        }
        child().onEvent(eventSink);
        if (fromReadyImage) {
            started(); // it is running already: no STARTED will come
        }
    }

    void started() {
        long seen = child().seenAt(ChildProtocol.STARTED);
        startedAt = seen > 0 ? seen : System.nanoTime();
        jvmPid = child().jvmPid(); // the JVM surely exists once its runtime spoke
        if (fromReadyImage && !probe.polled()) {
            markReady(); // a log line or main's return will not come again
            return;
        }
        if (probe.polled()) {
            Thread poller = new Thread(() -> {
                while (!ready.get() && child().isAlive()) {
                    if (probe.poll()) {
                        markReady();
                        return;
                    }
                    try {
                        Thread.sleep(POLL_MS);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "crac-dev-probe-gen-" + number);
            poller.setDaemon(true);
            poller.start();
        }
    }

    void mainReturned() {
        if (probe instanceof ReadinessProbe.MainReturned) {
            markReady();
        }
    }

    private void markReady() {
        if (ready.compareAndSet(false, true)) {
            readyAt = System.nanoTime();
            if (startedAt == 0) {
                startedAt = readyAt;
            }
            readySink.run();
        }
    }

    /** Kills the generation and waits until it is completely gone (reaped, pipes drained). */
    void stop() {
        child().kill();
    }

    /**
     * e.g. {@code gen 7 ready in 0.45 s · 2 changes (A.class, B.class) · stop 12 ms · restore 41 ms ·
     * app 380 ms · framework phase 1.9 s done ahead}
     */
    String statusLine() {
        long total = (readyAt - t0) / 1_000_000;
        long start = (startedAt - t0) / 1_000_000 - stopMs;
        long app = (readyAt - startedAt) / 1_000_000;
        StringBuilder s = new StringBuilder("gen ").append(number).append(" ready in ").append(Durations.format(total))
                .append(" · ").append(changes.summary())
                .append(" · stop ").append(stopMs).append(" ms · ").append(launched.how()).append(' ')
                .append(Durations.format(Math.max(start, 0))).append(" · app ").append(Durations.format(app));
        if (frameworkBootMs > 0) {
            s.append(" · framework phase ").append(Durations.format(frameworkBootMs)).append(" done ahead");
        }
        s.append(" · pid ").append(pid());
        statusLine = s.toString();
        return statusLine;
    }
}
