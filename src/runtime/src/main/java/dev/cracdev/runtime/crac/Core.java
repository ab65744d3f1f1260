package dev.cracdev.runtime.crac;

/**
 * What org.crac binds to under crac-dev's own engines: the runtime starts the generation JVM with
 * {@code -Dorg.crac.Core.Compat=dev.cracdev.runtime.crac}, so resources an app or framework registers
 * with {@code org.crac.Core.getGlobalContext()} land here instead of being dropped (org.crac's
 * behaviour on a JDK without CRaC). The runtime then calls {@code beforeCheckpoint} before the
 * supervisor dumps the template and {@code afterRestore} in every restored generation.
 */
public final class Core {
    private Core() {
    }

    public static Context<Resource> getGlobalContext() {
        return GlobalContext.INSTANCE;
    }

    /**
     * Checkpoints are crac-dev's to take (at the framework/app boundary), so an app's own request fails
     * the way CRaC reports a checkpoint it could not take.
     */
    public static void checkpointRestore() throws CheckpointException, RestoreException {
        CheckpointException e = new CheckpointException();
        e.addSuppressed(new UnsupportedOperationException(
                "under crac-dev checkpoints are taken by crac-dev itself, at the framework/app boundary"));
        throw e;
    }

    /** How many resources were registered (collected ones included: org.crac holds the app's weakly). */
    public static int registered() {
        return GlobalContext.INSTANCE.size();
    }

    /** Runtime hook: notify registered resources before the template or a ready image is dumped. */
    public static void notifyBeforeCheckpoint() throws CheckpointException {
        GlobalContext.INSTANCE.beforeCheckpoint(null);
    }

    /** Runtime hook: notify registered resources in a restored generation, or after a ready image was taken. */
    public static void notifyAfterRestore() throws RestoreException {
        GlobalContext.INSTANCE.afterRestore(null);
    }
}
