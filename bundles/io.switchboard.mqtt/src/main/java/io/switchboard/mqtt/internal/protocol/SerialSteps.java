package io.switchboard.mqtt.internal.protocol;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs asynchronous steps one after another per key (a client id), without holding a thread: a step
 * starts when the previous step's stage completed. Logins, disconnections and session expiry of one
 * client id go through here, so a connection that ends while another one logs in with the same
 * client id cannot detach or close the session the new one just resumed. Steps of different keys run
 * independently; a key's entry is dropped when its last step finished.
 */
final class SerialSteps {

    private static final Logger LOG = LoggerFactory.getLogger(SerialSteps.class);
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private static final class Lane {
        CompletableFuture<Void> tail = DONE;
        int pending;
    }

    private final ConcurrentHashMap<String, Lane> lanes = new ConcurrentHashMap<>();

    /**
     * Queues {@code step} behind the earlier steps of {@code key}. The step runs on the thread that
     * completed the previous one (or this one) and must not block; its stage (or {@code null}) says
     * when the next may start.
     */
    void run(String key, Supplier<? extends CompletionStage<?>> step) {
        CompletableFuture<Void> next = new CompletableFuture<>();
        @SuppressWarnings("unchecked")
        CompletableFuture<Void>[] previous = new CompletableFuture[1];
        lanes.compute(key, (k, lane) -> {
            Lane l = lane == null ? new Lane() : lane;
            previous[0] = l.tail;
            l.tail = next;
            l.pending++;
            return l;
        });
        // outside compute(): the step may queue further steps for the same key
        previous[0].whenComplete((ignored, failure) -> {
            CompletionStage<?> stage;
            try {
                stage = step.get();
            } catch (Throwable t) {
                LOG.warn("MQTT step for client '{}' failed", key, t);
                stage = null;
            }
            (stage == null ? DONE : stage).whenComplete((result, error) -> {
                if (error != null) {
                    LOG.warn("MQTT step for client '{}' failed", key, error);
                }
                lanes.computeIfPresent(key, (k, lane) -> --lane.pending == 0 ? null : lane);
                next.complete(null);
            });
        });
    }

    /** Whether no step is queued or running. */
    boolean idle() {
        return lanes.isEmpty();
    }
}
