package io.switchboard.api.admin;

import java.util.List;
import java.util.Map;

/**
 * A front door's traffic since it started, read from its {@link TrafficStatistics} (since 1.1).
 *
 * @param listeners the listeners bound now, by name
 * @param dropped messages the front door dropped on their way to its clients, by reason: {@link #QUEUE_FULL},
 *        {@link #TOO_LARGE}, {@link #EXPIRED} (a front door may report more reasons; readers should accept them)
 * @param queuedMessages messages waiting in the front door's session queues now, for clients that are offline or
 *        slow (sent-but-unacknowledged ones are in {@code inFlightMessages})
 * @param inFlightMessages QoS 1 and 2 messages sent to clients and not yet acknowledged, now
 * @param offlineSessions persistent sessions kept without a connection now
 */
public record TrafficStats(List<ListenerStats> listeners, Map<String, Long> dropped, long queuedMessages,
        long inFlightMessages, int offlineSessions) {

    /** A session's queue was full (the front door's queue limits): the message was dropped or refused. */
    public static final String QUEUE_FULL = "queue_full";
    /** Larger than the client's Maximum Packet Size: the message was not sent. */
    public static final String TOO_LARGE = "too_large";
    /** The message's expiry passed while it was queued for the client. */
    public static final String EXPIRED = "expired";

    /** Copies the list and the map (unmodifiable). */
    public TrafficStats {
        listeners = List.copyOf(listeners);
        dropped = Map.copyOf(dropped);
    }

    /** Messages dropped for {@code reason}; 0 for a reason not reported. */
    public long dropped(String reason) {
        Long n = dropped.get(reason);
        return n == null ? 0 : n;
    }
}
