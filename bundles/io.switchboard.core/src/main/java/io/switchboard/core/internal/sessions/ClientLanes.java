package io.switchboard.core.internal.sessions;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs asynchronous steps one after another per client id, without holding a thread: a step starts when
 * the previous step's stage completed. The logins, detaches and closes of one client id go through here,
 * so a connection that ends while another one logs in with the same client id cannot detach or close the
 * session the new one just resumed, and a front door hears of them in that order. Steps of different client
 * ids run independently; a client id's entry is dropped when its last step finished.
 */
final class ClientLanes {

    private static final Logger LOG = LoggerFactory.getLogger(ClientLanes.class);
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private static final class Lane {
        CompletableFuture<Void> tail = DONE;
        int pending;
    }

    private final ConcurrentHashMap<String, Lane> lanes = new ConcurrentHashMap<>();

    /**
     * Queues {@code step} behind the earlier steps of {@code clientId}. The step runs on the thread that
     * completed the previous one (or this one) and must not block; its stage (or {@code null}) says when the
     * next may start.
     */
    void run(String clientId, Supplier<? extends CompletionStage<?>> step) {
        CompletableFuture<Void> next = new CompletableFuture<>();
        @SuppressWarnings("unchecked")
        CompletableFuture<Void>[] previous = new CompletableFuture[1];
        lanes.compute(clientId, (k, lane) -> {
            Lane l = lane == null ? new Lane() : lane;
            previous[0] = l.tail;
            l.tail = next;
            l.pending++;
            return l;
        });
        // outside compute(): the step may queue further steps for the same client id
        previous[0].whenComplete((ignored, failure) -> {
            CompletionStage<?> stage;
            try {
                stage = step.get();
            } catch (Throwable t) {
                LOG.warn("Session step of client '{}' failed", clientId, t);
                stage = DONE;
            }
            (stage == null ? DONE : stage).whenComplete((result, error) -> {
                if (error != null) {
                    LOG.warn("Session step of client '{}' failed", clientId, error);
                }
                lanes.computeIfPresent(clientId, (k, lane) -> --lane.pending == 0 ? null : lane);
                next.complete(null);
            });
        });
    }

    /** Whether no step is queued or running. */
    boolean idle() {
        return lanes.isEmpty();
    }
}
