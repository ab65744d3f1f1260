package dev.cracdev.supervisor;

import dev.cracdev.Console;
import dev.cracdev.engine.ChildProcess;
import dev.cracdev.engine.Engine;
import dev.cracdev.runtime.ChildProtocol;
import dev.cracdev.watch.ChangeSet;

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
    private final AtomicBoolean ready = new AtomicBoolean();
    private volatile long startedAt;
    private volatile long jvmPid;
    private volatile long readyAt;
    private Runnable readySink = () -> { };

    Generation(int number, Engine.Launched launched, ChangeSet changes, long stopMs, long t0, ReadinessProbe probe,
               long frameworkBootMs) {
        this.number = number;
        this.launched = launched;
        this.changes = changes;
        this.stopMs = stopMs;
        this.t0 = t0;
        this.probe = probe;
        this.frameworkBootMs = frameworkBootMs;
    }

    int number() {
        return number;
    }

    ChildProcess child() {
        return launched.child();
    }

    /** The status the runtime reported before exiting, else the process's own. */
    int exitStatus(int processStatus) {
        ChildProtocol.Message exiting = child().lastEvent(ChildProtocol.EXITING);
        return exiting != null ? exiting.getInt("status", processStatus) : processStatus;
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
    }

    void started() {
        startedAt = child().seenAt(ChildProtocol.STARTED);
        jvmPid = child().jvmPid(); // the JVM surely exists once its runtime spoke
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
        s.append(" · pid ").append(jvmPid > 0 ? jvmPid : child().jvmPid());
        return s.toString();
    }
}
