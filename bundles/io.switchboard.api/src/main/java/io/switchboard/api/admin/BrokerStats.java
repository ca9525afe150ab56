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
 * @param abandonedThreads worker threads abandoned to module calls that blocked past their budget and have
 *        not returned yet (since 1.1)
 * @param abandonedThreadLimit how many threads may be abandoned at once; at the limit the broker quarantines a
 *        blocking module instead of abandoning another thread (since 1.1)
 * @param retainedMessages topics holding a retained message now (since 1.1)
 */
public record BrokerStats(long uptimeMillis, int sessions, int subscriptions, int modules, long published, long routed,
        long consumed, long deliveries, long delivered, long failed, long expired, long inFlight, int abandonedThreads,
        int abandonedThreadLimit, int retainedMessages) {

    /** Without the count of retained messages (reported as 0). */
    public BrokerStats(long uptimeMillis, int sessions, int subscriptions, int modules, long published, long routed,
            long consumed, long deliveries, long delivered, long failed, long expired, long inFlight, int abandonedThreads,
            int abandonedThreadLimit) {
        this(uptimeMillis, sessions, subscriptions, modules, published, routed, consumed, deliveries, delivered, failed,
                expired, inFlight, abandonedThreads, abandonedThreadLimit, 0);
    }

    /** The constructor of admin API 1.0, kept for binary compatibility: no abandoned threads, no limit reported (0). */
    public BrokerStats(long uptimeMillis, int sessions, int subscriptions, int modules, long published, long routed,
            long consumed, long deliveries, long delivered, long failed, long expired, long inFlight) {
        this(uptimeMillis, sessions, subscriptions, modules, published, routed, consumed, deliveries, delivered, failed,
                expired, inFlight, 0, 0, 0);
    }
}
