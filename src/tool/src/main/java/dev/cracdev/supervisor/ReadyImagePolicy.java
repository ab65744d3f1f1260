package dev.cracdev.supervisor;

import dev.cracdev.Console;
import dev.cracdev.CracDevException;
import dev.cracdev.engine.Engine;
import dev.cracdev.image.ReadyKey;

import java.io.IOException;
import java.util.Set;

/**
 * When the supervisor checkpoints a ready generation for {@code crac-dev reset}, and under which key. By
 * default ({@link ReadyImages#auto}) only when resets are expected: with fixtures or a fixture hook, under
 * {@code run}, or from the first reset on. The image is taken before the generation counts as ready, so no
 * request that anyone sent after "ready" can end up in it; and while it is taken, the app's port refuses
 * everyone but the readiness probe ({@link PortGate}), so no request sent before "ready" can either. Where the
 * port cannot be held (no nftables, or it is not known yet when the first generation starts), a generation that
 * someone connected to before the image is not checkpointed.
 */
final class ReadyImagePolicy {
    private final StartSettings settings;
    private final Console console;
    private final PortGate gate;
    private boolean taking;
    private volatile String lastImage = "none";
    /** The app's port: the probe's, else the one a generation listened on; 0 while unknown. */
    private int port;
    /** The port held now, 0 if none. */
    private int held;
    /** The connections there were when a generation was launched without its port held, else null. */
    private Set<String> connectionsAtLaunch;
    /** Set when someone else connected to the generation before its image: it is not checkpointed. */
    private boolean visited;

    ReadyImagePolicy(StartSettings settings, Console console, PortGate gate) {
        this.settings = settings;
        this.console = console;
        this.gate = gate;
        // a probe that connects over IPv4 gets through a held port (ReadinessProbe.PROBE_SOURCE); an IPv6 one
        // would not, so its port is held only once it passed
        if (settings.probe() instanceof ReadinessProbe.Port p) {
            port = p.port();
        } else if (settings.probe() instanceof ReadinessProbe.Url u && u.overIpv4()) {
            port = u.port();
        }
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

    /**
     * Before a generation that a ready image will be taken of is released: its port is held, or, when it
     * cannot be, the connections there are now are noted (to tell at ready whether anyone got in).
     */
    void beforeLaunch(String key, Engine engine) {
        visited = false;
        connectionsAtLaunch = null;
        if (key == null || engine.hasReadyImage(key)) {
            return;
        }
        if (port != 0 && gate.available()) {
            try {
                gate.hold(port);
                held = port;
                return;
            } catch (IOException e) {
                console.warn("cannot hold off connections to port " + port + " while the ready image is taken ("
                        + e.getMessage() + ")");
            }
        }
        connectionsAtLaunch = ListeningPorts.connections();
    }

    /**
     * The generation passed its probe: learn its port; if the port was not held from launch, hold it now, and
     * remember whether someone else connected before (then it is not checkpointed).
     */
    void ready(Generation gen) {
        if (port == 0) {
            ListeningPorts.first(gen.child().jvmPid()).ifPresent(p -> port = p);
        }
        if (connectionsAtLaunch == null || port == 0) {
            return;
        }
        if (held == 0 && gate.available()) {
            try {
                gate.hold(port);
                held = port;
            } catch (IOException e) {
                console.debug("cannot hold port " + port + ": " + e.getMessage());
            }
        }
        visited = ListeningPorts.connectedSince(connectionsAtLaunch, port, ReadinessProbe.PROBE_SOURCE);
        connectionsAtLaunch = null;
    }

    /** Lets outside connections in again (the image is taken, or the generation is gone). */
    void release() {
        if (held != 0) {
            try {
                gate.release(held);
            } catch (IOException e) {
                console.warn("could not open port " + held + " again (" + e.getMessage() + "); it opens by itself within "
                        + PortGate.LONGEST.toMinutes() + " minutes");
            }
            held = 0;
        }
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
        if (visited && key != null && !engine.hasReadyImage(key)) {
            console.info("gen " + gen.number() + ": something connected to port " + port + " before its ready image was taken, "
                    + "so none is taken of it" + (gate.available() ? " (its port was not known at its start; from now on it is "
                    + "held while an image is taken)" : " (" + gate.describe() + ")"));
            key = null;
        }
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
