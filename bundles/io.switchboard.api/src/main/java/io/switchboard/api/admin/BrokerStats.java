package io.switchboard.api.admin;

/**
 * The broker's counters since it started.
 *
 * @param uptimeMillis time since the core started
 * @param sessions sessions open now
 * @param subscriptions subscriptions held now
 * @param modules modules in the chain now
 * @param published messages that entered the chain
 * @param routed messages that passed the chain
 * @param consumed messages a module consumed
 * @param deliveries messages handed to subscribers
 * @param delivered deliveries confirmed
 * @param failed deliveries or messages that failed
 * @param expired messages that expired before delivery
 * @param inFlight messages inside the chain now (waiting for asynchronous decisions included)
 */
public record BrokerStats(long uptimeMillis, int sessions, int subscriptions, int modules, long published, long routed,
        long consumed, long deliveries, long delivered, long failed, long expired, long inFlight) {
}
