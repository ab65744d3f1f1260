package dev.cracdev.engine;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One JVM restored ahead and parked for later, tagged with what it was restored from (a base image's version,
 * a ready image's key): in flight, or parked (null when its restore failed). Whoever takes it waits for one in
 * flight instead of starting a second, concurrent restore; whatever is dropped is killed, now or once its
 * restore is done.
 */
public final class ParkedSlot<K> {
    /** A parked JVM and the tag of what it was restored from. */
    public record Parked<K>(ChildProcess child, K tag) {
    }

    private final AtomicReference<CompletableFuture<Parked<K>>> slot = new AtomicReference<>();

    /** Claims the empty slot for a restore about to start; null when one is parked or on its way. */
    public CompletableFuture<Parked<K>> claim() {
        CompletableFuture<Parked<K>> next = new CompletableFuture<>();
        return slot.compareAndSet(null, next) ? next : null;
    }

    /** Ends a claim with what was parked, or null (the restore failed: the slot is free again). */
    public void fill(CompletableFuture<Parked<K>> claimed, Parked<K> parked) {
        claimed.complete(parked);
        if (parked == null) {
            slot.compareAndSet(claimed, null);
        }
    }

    /** What is parked or on its way, left in place; null when the slot is empty. */
    public CompletableFuture<Parked<K>> peek() {
        return slot.get();
    }

    /**
     * Takes what is there, waiting up to {@code timeout} if its restore is on its way; null when there is none,
     * it failed, or it is not done in time (then it is killed once it is).
     */
    public Parked<K> take(Duration timeout) {
        CompletableFuture<Parked<K>> next = slot.getAndSet(null);
        if (next == null) {
            return null;
        }
        try {
            return next.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            next.thenAccept(ParkedSlot::kill);
            return null;
        }
    }

    /** Drops what is there. */
    public void discard() {
        CompletableFuture<Parked<K>> next = slot.getAndSet(null);
        if (next != null) {
            next.thenAccept(ParkedSlot::kill);
        }
    }

    /** Drops {@code seen} (from {@link #peek}) if it is still what is there. */
    public void discard(CompletableFuture<Parked<K>> seen) {
        if (seen != null && slot.compareAndSet(seen, null)) {
            seen.thenAccept(ParkedSlot::kill);
        }
    }

    private static void kill(Parked<?> p) {
        if (p != null) {
            p.child().kill();
        }
    }
}
