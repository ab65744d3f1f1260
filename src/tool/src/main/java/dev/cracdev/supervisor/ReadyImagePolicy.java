package dev.cracdev.supervisor;

import dev.cracdev.Console;
import dev.cracdev.CracDevException;
import dev.cracdev.engine.Engine;
import dev.cracdev.image.ReadyKey;

import dev.cracdev.protocol.ChildProtocol;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * When the supervisor checkpoints a ready generation for {@code crac-dev reset}, and under which key. By
 * default ({@link ReadyImages#auto}) only when resets are expected: with fixtures or a fixture hook, under
 * {@code run}, or from the first reset on. The image is taken before the generation counts as ready, so no
 * request that anyone sent after "ready" can end up in it; and from the generation's start until it is
 * taken, the probe's port refuses everyone but the probe ({@link PortGate}), so no request sent before
 * "ready" can either. Where the port cannot be held (no nftables, no --ready-url/--ready-port), a generation
 * that someone connected to before its image is not checkpointed.
 */
final class ReadyImagePolicy {
    /** How long the app's org.crac resources get to stop (or start again) around a ready image. */
    private static final Duration QUIESCE_TIMEOUT = Duration.ofSeconds(60);
    private final StartSettings settings;
    private final Console console;
    private final PortGate gate;
    private boolean taking;
    private volatile String lastImage = "none";
    /** The port the probe checks (--ready-url, --ready-port), else 0. */
    private final int probePort;
    /** {@link #probePort} if the probe gets through a held port (it connects over IPv4), else 0. */
    private final int launchPort;
    /** True while the gate holds a port for the starting generation. */
    private boolean held;
    /** The connections there were when the generation was launched (an image is to be taken of it), else null. */
    private Set<String> connectionsAtLaunch;
    /** Set when someone else connected to the generation before its image: it is not checkpointed. */
    private boolean visited;
    /** A reset was asked for: more are likely (a script, a test suite), so the next may be prepared. */
    private boolean resetsAsked;
    /** Why the last ready image taken cannot be restored ahead ("" when it can; null: none taken yet). */
    private String notAhead;
    private boolean toldHowResetsRun;
    private boolean toldOfDroppedDatabases;

    /**
     * A generation told of a checkpoint: whether its image can be restored ahead, and whether the telling reached
     * org.crac resources of the app (Spring's, which close its connection pool).
     */
    private record Quiesced(boolean restorableAhead, boolean resourcesTold) {
    }

    ReadyImagePolicy(StartSettings settings, Console console, PortGate gate) {
        this.settings = settings;
        this.console = console;
        this.gate = gate;
        if (settings.probe() instanceof ReadinessProbe.Port p) {
            probePort = p.port();
            launchPort = probePort;
        } else if (settings.probe() instanceof ReadinessProbe.Url u) {
            probePort = u.port();
            launchPort = u.overIpv4() ? probePort : 0; // the gate lets only the IPv4 probe through
        } else {
            probePort = 0;
            launchPort = 0;
        }
        this.taking = settings.readyImages() == ReadyImages.on || (settings.readyImages() == ReadyImages.auto
                && (!settings.fixtures().isEmpty() || settings.fixtureHook() != null));
    }

    /** A reset was asked for: with {@code auto}, ready generations are checkpointed from now on. */
    void resetAsked(Engine engine) {
        resetsAsked = true;
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
     * Before a generation that a ready image will be taken of is released: the connections there are now
     * are noted (to tell at ready whether anyone got in), and the probe's port is held. Only a port the user
     * named as the probe's is held from launch: any other port the app listens on might be one it connects
     * to itself while it starts (an embedded database, a broker).
     */
    void beforeLaunch(String key, Engine engine) {
        visited = false;
        connectionsAtLaunch = null;
        if (key == null || engine.hasReadyImage(key)) {
            return;
        }
        connectionsAtLaunch = ListeningPorts.connections();
        if (launchPort != 0) {
            hold(Set.of(launchPort));
        }
    }

    /**
     * The generation passed its probe: its port (the probe's, else the first it listens on) is held until the
     * image is taken, if it is not yet, and whoever connected to it since launch but the probe makes it unfit
     * for an image (a hold that expired, or a port learned only now). No second nft run on this path when the
     * port is held from launch: an expired hold is what the connection check catches.
     */
    void ready(Generation gen) {
        if (connectionsAtLaunch == null) {
            return;
        }
        Set<Integer> ports = probePort != 0 ? Set.of(probePort)
                : ListeningPorts.first(gen.child().jvmPid()).stream().boxed().collect(Collectors.toSet());
        if (!held) {
            hold(ports);
        }
        visited = !ports.isEmpty() && ListeningPorts.connectedSince(connectionsAtLaunch, ports, ReadinessProbe.PROBE_SOURCE, held);
        connectionsAtLaunch = null;
    }

    private void hold(Set<Integer> ports) {
        if (!gate.available() || ports.isEmpty()) {
            return;
        }
        try {
            gate.hold(ports);
            held = true;
        } catch (IOException e) {
            console.warn("cannot hold off connections to port " + ports.iterator().next() + " while the ready image is taken ("
                    + e.getMessage() + ")");
        }
    }

    /** Lets outside connections in again (the image is taken, or the generation is gone). */
    void release() {
        if (held) {
            held = false;
            try {
                gate.release();
            } catch (IOException e) {
                console.warn("could not open the app's port again (" + e.getMessage() + "); it opens by itself within "
                        + PortGate.LONGEST.toMinutes() + " minutes");
            }
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
            console.info("gen " + gen.number() + ": something connected to its port before its ready image was taken, so none"
                    + " is taken of it" + (!gate.available() ? " (" + gate.describe() + ")" : launchPort == 0
                    ? " (only a port named by --ready-url or --ready-port is held from a generation's start)" : ""));
            key = null;
        }
        if (key != null && !gen.hasExited() && !engine.hasReadyImage(key)) {
            long t0 = System.nanoTime();
            Quiesced quiesced = quiesce(gen);
            try {
                if (quiesced != null) {
                    engine.checkpointReady(gen.child(), key, quiesced.restorableAhead());
                    ms = (System.nanoTime() - t0) / 1_000_000;
                }
            } catch (CracDevException e) {
                console.warn("no ready image: " + e.getMessage() + "; crac-dev reset will start fresh generations");
            } finally {
                resume(gen);
            }
            if (quiesced != null && quiesced.resourcesTold()) {
                warnOfDroppedDatabases(gen); // its resources were told of the checkpoint: Spring closed its pool
            }
        }
        if (key != null && engine.hasReadyImage(key)) {
            lastImage = engine.readyImageDescription(key);
        }
        return ms;
    }

    /**
     * Tells the generation's org.crac resources that a checkpoint comes, as a CRaC JDK would: Spring stops its
     * web server, pools and schedulers. Its image can be restored ahead of a reset, while another generation
     * runs, only when the app has org.crac resources (it stops its own work when told) and listens on no port
     * now (a restore would take the running generation's). Null (said once: no image then) when a resource
     * failed or it did not answer.
     */
    private Quiesced quiesce(Generation gen) {
        ChildProtocol.Message m = ask(gen, ChildProtocol.QUIESCE, ChildProtocol.QUIESCED);
        if (m == null || !m.word().equals(ChildProtocol.QUIESCED)) {
            return null;
        }
        if (m.get("failed") != null) {
            console.warn("no ready image: an org.crac resource failed in beforeCheckpoint (" + m.get("failed")
                    + "); crac-dev reset will start fresh generations");
            return null;
        }
        OptionalInt port = ListeningPorts.first(gen.child().jvmPid());
        boolean resourcesTold = m.getInt("resources", 0) > 0;
        notAhead = !resourcesTold ? "the app has no org.crac resources to stop it at a checkpoint"
                : port.isPresent() ? "it keeps port " + port.getAsInt() + " open when told of a checkpoint" : "";
        return new Quiesced(notAhead.isEmpty(), resourcesTold);
    }

    /**
     * Once: an in-memory H2 database the app configured without DB_CLOSE_DELAY was just dropped with the pool its
     * org.crac resources closed, so the app (and every reset to this image) goes on without its tables.
     */
    private void warnOfDroppedDatabases(Generation gen) {
        if (toldOfDroppedDatabases) {
            return;
        }
        toldOfDroppedDatabases = true;
        List<String> dropped;
        try {
            dropped = InMemoryDatabases.droppedWithTheirPool(settings.appRoots(), settings.jvmOptions(), settings.args(),
                    System.getenv(), settings.workDir());
        } catch (RuntimeException e) {
            return; // a hint, not worth a failure
        }
        if (!dropped.isEmpty()) {
            console.warn("gen " + gen.number() + ": the app's config names " + String.join(", ", dropped) + ", "
                    + (dropped.size() > 1 ? "in-memory H2 databases" : "an in-memory H2 database") + " that the last"
                    + " closed connection drops; Spring closes its connection pool for a ready image, so if the app uses"
                    + " it, this generation and every reset to it go on without its tables and data. Give the URL"
                    + " ;DB_CLOSE_DELAY=-1 (the one Spring Boot makes up has it)");
        }
    }

    /** After the dump (or a failed quiesce): the resources hear of the "restore", the app opens its port again. */
    private void resume(Generation gen) {
        ask(gen, ChildProtocol.RESUME, ChildProtocol.RESUMED);
    }

    /** Sends a command and waits for its answer; null when the generation is gone, or (said) none came in time. */
    private ChildProtocol.Message ask(Generation gen, String command, String answer) {
        if (gen.hasExited()) {
            return null;
        }
        try {
            ChildProtocol.Message m = gen.child().ask(ChildProtocol.encode(command), answer, QUIESCE_TIMEOUT);
            if (m == null && gen.child().isAlive()) { // one that ended says so itself
                console.warn("gen " + gen.number() + " did not answer '" + command + "' within " + QUIESCE_TIMEOUT.toSeconds()
                        + " s (its org.crac resources, told of a ready image, did not return)");
            }
            return m;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * The generation is ready: once resets are being asked for, the engine may restore its ready image ahead of
     * the next one (where that is safe: see {@link Engine#prepareReset}).
     */
    void prepareReset(Generation gen, Engine engine) {
        if (!resetsAsked || gen.readyKey() == null || !engine.hasReadyImage(gen.readyKey())) {
            return;
        }
        if (!toldHowResetsRun && notAhead != null) {
            toldHowResetsRun = true;
            console.info(notAhead.isEmpty() ? "resets: the next pristine app is restored ahead, parked, and only resumed"
                    + " on a reset (its org.crac resources stop it at a checkpoint)"
                    : "resets restore the ready image on demand: " + notAhead + " (Spring Boot closes its port at a"
                    + " checkpoint with org.crac on the class path; then the next one is restored ahead)");
        }
        engine.prepareReset(gen.readyKey());
    }

    /** Where the last ready image is, for {@code crac-dev status}. */
    String lastImage() {
        return lastImage;
    }
}
