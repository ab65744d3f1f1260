package dev.cracdev.supervisor;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Requests waiting for the app to be ready: {@code crac-dev wait}, {@code restart}, {@code reset --wait} and
 * {@code run}'s first start. They wait for the app, not for one generation: a generation replaced before it
 * was ready hands them on to the next; one that dies before it is ready fails them, with the reason.
 * Loop thread only.
 */
final class ReadyWaiters {
    private final List<CompletableFuture<String>> waiting = new ArrayList<>();

    void add(CompletableFuture<String> waiter) {
        if (waiter != null) {
            waiting.add(waiter);
        }
    }

    void ready(String summary) {
        waiting.forEach(w -> w.complete(summary));
        waiting.clear();
    }

    void fail(String why) {
        waiting.forEach(w -> w.completeExceptionally(new IllegalStateException(why)));
        waiting.clear();
    }
}
