package dev.cracdev.runtime.crac;

/** A checkpoint/restore participant, shaped like {@code jdk.crac.Resource} so org.crac can bind to it. */
public interface Resource {
    void beforeCheckpoint(Context<? extends Resource> context) throws Exception;

    void afterRestore(Context<? extends Resource> context) throws Exception;
}
