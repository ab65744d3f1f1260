package dev.cracdev.runtime.crac;

import java.util.ArrayList;
import java.util.List;

/**
 * The one global context. Unlike the JDK's, it holds resources strongly: under crac-dev a resource
 * registered in the framework phase must still be there in every restored generation.
 * {@code beforeCheckpoint} runs in reverse registration order, {@code afterRestore} in order, as in CRaC.
 */
final class GlobalContext extends Context<Resource> {
    static final GlobalContext INSTANCE = new GlobalContext();

    private final List<Resource> resources = new ArrayList<>();

    @Override
    public synchronized void register(Resource resource) {
        resources.add(resource);
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) throws CheckpointException {
        List<Resource> snapshot = snapshot();
        CheckpointException failure = new CheckpointException();
        for (int i = snapshot.size() - 1; i >= 0; i--) {
            try {
                snapshot.get(i).beforeCheckpoint(this);
            } catch (Exception e) {
                failure.addSuppressed(e);
            }
        }
        if (failure.getSuppressed().length > 0) {
            throw failure;
        }
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) throws RestoreException {
        RestoreException failure = new RestoreException();
        for (Resource r : snapshot()) {
            try {
                r.afterRestore(this);
            } catch (Exception e) {
                failure.addSuppressed(e);
            }
        }
        if (failure.getSuppressed().length > 0) {
            throw failure;
        }
    }

    synchronized int size() {
        return resources.size();
    }

    private synchronized List<Resource> snapshot() {
        return new ArrayList<>(resources);
    }
}
