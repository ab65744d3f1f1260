package dev.cracdev.engine.standby;

import dev.cracdev.Console;
import dev.cracdev.CracDevException;
import dev.cracdev.ExitCode;
import dev.cracdev.engine.ChildProcess;
import dev.cracdev.engine.Engine;
import dev.cracdev.engine.EngineKind;
import dev.cracdev.engine.GenerationRequest;
import dev.cracdev.engine.LaunchConfig;
import dev.cracdev.engine.FreshJvm;
import dev.cracdev.engine.TemplateBooter;
import dev.cracdev.protocol.ReadSet;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Keeps one pre-booted JVM parked at the boundary (like drip). On a change the standby is released and
 * becomes the new generation, so the framework phase is off the critical path; the next standby boots
 * once the new generation is up (not during its boot: on two cores they would slow each other down).
 * Works on every OS and JDK; no checkpoint involved.
 */
public final class StandbyEngine implements Engine {
    private final LaunchConfig cfg;
    private final Console console;
    private CompletableFuture<TemplateBooter.Template> standby;
    private volatile long frameworkBootMillis = -1;
    /** The standby JVM while it boots (a boot takes seconds; closing must not wait for it). */
    private volatile ChildProcess booting;
    private volatile boolean closed;
    /** The standby booting now started before there was a class list. */
    private boolean bootingWithoutClassList;

    public StandbyEngine(LaunchConfig cfg, Console console) {
        this.cfg = cfg;
        this.console = console;
    }

    @Override
    public EngineKind kind() {
        return EngineKind.standby;
    }

    @Override
    public synchronized void prepare() throws CracDevException {
        if (standby == null) {
            bootNext();
        }
        awaitStandby(); // surface a broken framework phase now, not at the first change
    }

    @Override
    public Launched launch(GenerationRequest request) throws CracDevException {
        long t0 = System.nanoTime();
        TemplateBooter.Template template;
        boolean wasParked;
        synchronized (this) {
            if (standby == null) {
                bootNext();
            }
            wasParked = standby.isDone();
            if (!wasParked && request.number() > 1) {
                sayWhenStillBootingAfterASecond(request.number());
            }
            template = awaitStandby();
            standby = null;
        }
        if (!template.child().isAlive()) {
            template = boot();
            wasParked = false;
        }
        long waited = (System.nanoTime() - t0) / 1_000_000;
        List<String> changed = template.readSet().changed(cfg.appRoots());
        if (!changed.isEmpty()) {
            // it holds what framework initializers made of the old files; the next standby reads the new ones
            template.child().kill();
            console.info(ReadSet.describe(changed) + " (read by the framework phase): gen " + request.number()
                    + " starts in a fresh JVM; the next standby boots with the new files");
            return FreshJvm.launch(cfg, console, request, "fresh JVM");
        }
        template.child().forwardOutput();
        template.child().release(request, false);
        // a parked standby can still take a few ms to hand over (lock, pipe): only a real wait is news
        String how = wasParked || waited <= 5 ? "release standby" : "release standby (it was still booting)";
        return new Launched(template.child(), how);
    }

    @Override
    public synchronized void idle(int newFrameworkClasses) {
        if (closed) {
            return;
        }
        if (standby != null && standby.isDone() && !standby.isCompletedExceptionally()) {
            int preloaded = standby.join().preloaded();
            if (Engine.worthRebuilding(preloaded, newFrameworkClasses)) {
                standby.join().child().kill(); // booted with a much shorter class list: replace it
                standby = null;
            }
        }
        if (standby != null && !standby.isDone() && bootingWithoutClassList && newFrameworkClasses > 0) {
            // it boots without the class list the first generation saved only now (so it preloads nothing and
            // does not train): once it is up, it is replaced by one that has the list
            bootingWithoutClassList = false;
            standby = standby.handle((t, failure) -> {
                if (t != null) {
                    t.child().kill();
                }
                return null;
            }).thenApplyAsync(ignored -> bootInBackground());
        }
        if (standby == null) {
            bootNext();
        }
    }

    @Override
    public synchronized String nextGeneration() {
        return standby == null ? "none" : standby.isDone() && !standby.isCompletedExceptionally() ? "standby parked"
                : "standby booting";
    }

    @Override
    public long frameworkBootMillis() {
        return frameworkBootMillis;
    }

    @Override
    public void close() {
        CompletableFuture<TemplateBooter.Template> pending;
        synchronized (this) {
            closed = true;
            pending = standby;
            standby = null;
        }
        ChildProcess b = booting;
        if (b != null) {
            b.kill(); // its boot then fails
        }
        if (pending != null) {
            // now, or when a boot in progress completes: before we return, so a supervisor that exits next
            // does not cut the kill short
            try {
                pending.handle((t, failure) -> {
                    if (t != null) {
                        t.child().kill();
                    }
                    return null;
                }).get(20, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                console.warn("the standby JVM did not end within 20 s of stopping; check for leftover processes with ps");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void bootNext() {
        bootingWithoutClassList = !TemplateBooter.hasClasses(cfg.classList());
        standby = CompletableFuture.supplyAsync(this::bootInBackground);
    }

    private TemplateBooter.Template bootInBackground() {
        try {
            TemplateBooter.Template t = boot();
            frameworkBootMillis = t.bootMillis();
            if (closed) {
                t.child().kill();
            }
            return t;
        } catch (CracDevException e) {
            throw new StandbyFailure(e);
        }
    }

    /** Boots a standby JVM to the boundary; {@link #close()} can end it while it boots. */
    private TemplateBooter.Template boot() throws CracDevException {
        TemplateBooter.Template t = TemplateBooter.boot(cfg, "standby", List.of(), List.of(), "standby", console, child -> {
            booting = child;
            if (closed) {
                child.kill();
            }
        });
        booting = null;
        return t;
    }

    /** A change (or reset) right after the previous one can wait seconds for the next standby: say why. */
    private void sayWhenStillBootingAfterASecond(int gen) {
        try {
            standby.get(1, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            console.info("gen " + gen + " waits for the next standby JVM: it is still in its framework phase");
        } catch (ExecutionException e) {
            // awaitStandby reports it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private TemplateBooter.Template awaitStandby() throws CracDevException {
        try {
            return standby.get();
        } catch (ExecutionException e) {
            standby = null;
            if (e.getCause() instanceof StandbyFailure f) {
                throw f.failure;
            }
            throw new CracDevException(ExitCode.INTERNAL, "booting the standby JVM failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CracDevException(ExitCode.FAILURE, "interrupted while waiting for the standby JVM");
        }
    }

    /** Carries a user-facing failure out of the background boot. */
    private static final class StandbyFailure extends RuntimeException {
        final CracDevException failure;

        StandbyFailure(CracDevException failure) {
            super(failure.getMessage(), null, false, false);
            this.failure = failure;
        }
    }
}
