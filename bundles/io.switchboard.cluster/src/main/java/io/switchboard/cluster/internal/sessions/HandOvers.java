package io.switchboard.cluster.internal.sessions;

import java.util.concurrent.CompletionStage;

import io.switchboard.api.broker.Broker;

/**
 * A restored session's hand-over of the messages it missed goes before what routing delivers to it after the
 * restore: its deliveries are held from before the restore until every hand-over delivery completed.
 */
final class HandOvers {

    private HandOvers() {
    }

    /** Restores the session of {@code clientId} with {@code restore}, its routing's deliveries held. */
    static void restore(Broker broker, String clientId, Runnable restore) {
        broker.holdDeliveries(clientId);
        try {
            restore.run();
        } catch (RuntimeException | Error e) {
            broker.releaseDeliveries(clientId);
            throw e;
        }
    }

    /** Once {@code handOver} completed (or failed), the session's held deliveries follow it. */
    static <T> CompletionStage<T> thenRelease(Broker broker, String clientId, CompletionStage<T> handOver) {
        return handOver.whenComplete((result, error) -> broker.releaseDeliveries(clientId));
    }
}
