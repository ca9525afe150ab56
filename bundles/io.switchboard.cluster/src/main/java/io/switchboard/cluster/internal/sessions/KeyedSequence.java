package io.switchboard.cluster.internal.sessions;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Runs asynchronous steps one after another per key (a client id's claim and let-go on this node never overlap),
 * steps of different keys independently. A failed step does not stop the next one.
 */
final class KeyedSequence {

    private final Map<String, CompletableFuture<Void>> tails = new ConcurrentHashMap<>();

    /** Starts {@code step} when the key's earlier steps ended; the result completes as the step's stage does. */
    CompletableFuture<Void> run(String key, Supplier<? extends CompletionStage<Void>> step) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        @SuppressWarnings("unchecked")
        CompletableFuture<Void>[] before = new CompletableFuture[1];
        tails.compute(key, (k, previous) -> {
            before[0] = previous;
            return done;
        });
        CompletableFuture<Void> start = before[0] == null ? CompletableFuture.completedFuture(null)
                : before[0].handle((v, e) -> null);
        start.thenCompose(v -> {
            try {
                return step.get();
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }).whenComplete((v, e) -> {
            tails.remove(key, done);
            if (e != null) {
                done.completeExceptionally(e);
            } else {
                done.complete(null);
            }
        });
        return done;
    }

    /** Keys with steps running or waiting (for tests). */
    int busyKeys() {
        return tails.size();
    }
}
