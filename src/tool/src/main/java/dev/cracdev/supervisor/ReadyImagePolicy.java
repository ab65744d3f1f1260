package dev.cracdev.supervisor;

import dev.cracdev.Console;
import dev.cracdev.CracDevException;
import dev.cracdev.engine.Engine;
import dev.cracdev.image.ReadyKey;

import java.io.IOException;

/**
 * When the supervisor checkpoints a ready generation for {@code crac-dev reset}, and under which key. By
 * default ({@link ReadyImages#auto}) only when resets are expected: with fixtures or a fixture hook, under
 * {@code run}, or from the first reset on. The image is taken before the generation counts as ready, so no
 * request that anyone sent after "ready" can end up in it.
 */
final class ReadyImagePolicy {
    private final StartSettings settings;
    private final Console console;
    private boolean taking;
    private volatile String lastImage = "none";

    ReadyImagePolicy(StartSettings settings, Console console) {
        this.settings = settings;
        this.console = console;
        this.taking = settings.readyImages() == ReadyImages.on || (settings.readyImages() == ReadyImages.auto
                && (!settings.fixtures().isEmpty() || settings.fixtureHook() != null));
    }

    /** A reset was asked for: with {@code auto}, ready generations are checkpointed from now on. */
    void resetAsked(Engine engine) {
        if (settings.readyImages() == ReadyImages.auto && !taking && engine.supportsReadyImages()) {
            taking = true;
            console.info("resets were asked for: from now on each ready generation is checkpointed for the next reset");
        }
    }

    /**
     * The key a generation launched now files its ready image under (the code it starts with, not what is on
     * disk once it is ready), or null when none is to be taken. Hashing the app roots walks them: only then.
     */
    String keyForLaunch(Engine engine) {
        return taking && engine.supportsReadyImages() ? currentKey() : null;
    }

    /** The key of the code and fixtures on disk now, or null if it cannot be computed. */
    String currentKey() {
        try {
            return ReadyKey.of(settings.appRoots(), settings.fixtures(), settings.mainClass(), settings.args(),
                    settings.fixtureHook());
        } catch (IOException e) {
            console.warn("cannot hash the app roots for the ready image: " + e.getMessage());
            return null;
        }
    }

    /**
     * Checkpoints the ready generation (app up, fixture loaded); it keeps running. Returns how long it took,
     * or -1 when no image was taken (one exists already, or the dump failed: then said once).
     */
    long take(Generation gen, Engine engine) {
        String key = gen.readyKey();
        long ms = -1;
        if (key != null && !gen.hasExited() && !engine.hasReadyImage(key)) {
            long t0 = System.nanoTime();
            try {
                engine.checkpointReady(gen.child(), key);
                ms = (System.nanoTime() - t0) / 1_000_000;
            } catch (CracDevException e) {
                console.warn("no ready image: " + e.getMessage() + "; crac-dev reset will start fresh generations");
            }
        }
        if (key != null && engine.hasReadyImage(key)) {
            lastImage = engine.readyImageDescription(key);
        }
        return ms;
    }

    /** Where the last ready image is, for {@code crac-dev status}. */
    String lastImage() {
        return lastImage;
    }
}
