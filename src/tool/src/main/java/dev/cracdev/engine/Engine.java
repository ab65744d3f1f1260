package dev.cracdev.engine;

import dev.cracdev.CracDevException;

/**
 * How generations are produced. Every engine passes the same contract suite
 * ({@code AbstractEngineContractIT}): start, change, crash on boot, stop, output capture.
 *
 * <p>The supervisor drives an engine like this: {@link #prepare()} once (build or reuse the base image,
 * boot a standby); then per change: stop the old generation completely, {@link #launch} the next one;
 * {@link #idle} whenever no generation is starting; {@link #close()} at the end.
 */
public interface Engine extends AutoCloseable {
    EngineKind kind();

    /** Gets ready to produce generations; may take a while the first time (template boot, dump). */
    void prepare() throws CracDevException;

    /** Produces the generation and releases it into its app phase; its output is forwarded. */
    Launched launch(GenerationRequest request) throws CracDevException;

    /**
     * No generation is starting (the current one is ready, or gone): a quiet moment for background work,
     * e.g. boot the next standby, restore the next generation ahead, or rebuild the base image when
     * generations recorded {@code newFrameworkClasses} more framework classes.
     */
    default void idle(int newFrameworkClasses) {
    }

    /** What is prepared for the next change, for {@code crac-dev status} (e.g. "restored ahead"). */
    default String nextGeneration() {
        return "none";
    }

    /** How long the framework phase took when it last ran (what a restore or release saves), or -1. */
    default long frameworkBootMillis() {
        return -1;
    }

    /** Whether a published base image is there to restore from (an earlier run's, say); false for engines without one. */
    default boolean hasBaseImage() {
        return false;
    }

    /** Where this engine's base image is, for {@code crac-dev status}; "none" for engines without one. */
    default String imageDescription() {
        return "none";
    }

    /** Whether {@code criu restore}-style parents hide the JVM's exit status (then the runtime's report is all there is). */
    default boolean seesExitStatus() {
        return true;
    }

    /** Whether this engine can checkpoint a running generation, for {@code crac-dev reset}. */
    default boolean supportsReadyImages() {
        return false;
    }

    /** Whether a ready image for {@code key} (a hash of app code and fixtures) exists. */
    default boolean hasReadyImage(String key) {
        return false;
    }

    /**
     * Checkpoints the running, ready generation into the ready image for {@code key}; the generation
     * keeps running. {@code restorableAhead}: its org.crac resources, told of the checkpoint, stopped the app's
     * work and closed its ports, so a restore of the image can wait, parked, while another generation runs.
     * Returns a one-line description for the user.
     */
    default String checkpointReady(ChildProcess generation, String key, boolean restorableAhead) throws CracDevException {
        throw new CracDevException(dev.cracdev.ExitCode.UNSUPPORTED, kind() + " cannot make ready images");
    }

    /** Where the ready image for {@code key} is (or would be), for {@code crac-dev status}. */
    default String readyImageDescription(String key) {
        return "none";
    }

    /**
     * Restores the ready image for {@code key} as a new, already running generation (its org.crac resources
     * told of the restore); null when there is none. Only once the previous generation is stopped: the app
     * opens its port.
     */
    default Launched restoreReady(String key, int number) throws CracDevException {
        return null;
    }

    /**
     * Resets are expected: the engine may restore the ready image for {@code key} now and park it, so the
     * next {@link #restoreReady} only has to wake it up. Does nothing where that cannot be done safely.
     */
    default void prepareReset(String key) {
    }

    /**
     * Whether newly recorded framework classes justify booting a new template (it costs the machine a
     * framework phase while the app runs): the first real list, or 50 classes and 5 % more.
     */
    static boolean worthRebuilding(int preloaded, int newFrameworkClasses) {
        return (preloaded == 0 && newFrameworkClasses > 0) || newFrameworkClasses >= Math.max(50, preloaded / 20);
    }

    /** Ends every process the engine keeps (standby, template). */
    @Override
    void close();

    /**
     * A launched generation.
     *
     * @param child   the process the supervisor owns
     * @param how     what the engine did, for the status line ("restore")
     */
    record Launched(ChildProcess child, String how) {
    }
}
