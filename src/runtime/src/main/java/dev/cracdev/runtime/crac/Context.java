package dev.cracdev.runtime.crac;

/** A group of resources notified together, shaped like {@code jdk.crac.Context}. */
public abstract class Context<R extends Resource> implements Resource {
    protected Context() {
    }

    public abstract void register(R resource);
}
