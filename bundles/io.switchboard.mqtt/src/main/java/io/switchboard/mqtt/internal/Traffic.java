package io.switchboard.mqtt.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import io.switchboard.api.admin.ListenerStats;
import io.switchboard.api.admin.TrafficStats;

/**
 * What the MQTT front door counts, for {@link io.switchboard.api.admin.TrafficStatistics}: each listener's
 * {@link ListenerTraffic} by name (kept across rebinds while the front door runs; only bound listeners are
 * reported), and the messages dropped on their way to clients, by reason. Counting is a {@link LongAdder}
 * increment; reading sums. Thread safe.
 */
public final class Traffic {

    private final Map<String, ListenerTraffic> listeners = new ConcurrentHashMap<>();
    private final LongAdder queueFull = new LongAdder();
    private final LongAdder tooLarge = new LongAdder();
    private final LongAdder expired = new LongAdder();

    /** The counters of the listener {@code name} (new, or the ones it had before a rebind). */
    public ListenerTraffic listener(String name) {
        return listeners.computeIfAbsent(name, ListenerTraffic::new);
    }

    /** A listener instance bound: it is reported, with its connections, until {@link #unbound}. */
    public ListenerTraffic bound(String name, String transport, boolean tls, ConnectionCount connections) {
        ListenerTraffic t = listener(name);
        t.bind(transport, tls, connections);
        return t;
    }

    /** A listener instance closed (unless a newer instance of the name bound meanwhile). */
    public void unbound(String name, ConnectionCount connections) {
        ListenerTraffic t = listeners.get(name);
        if (t != null) {
            t.unbind(connections);
        }
    }

    /** A message was dropped because its session's queue was full. */
    public void droppedQueueFull() {
        queueFull.increment();
    }

    /** A message was not sent: larger than the client's maximum packet size. */
    public void droppedTooLarge() {
        tooLarge.increment();
    }

    /** A message expired while queued for its client. */
    public void droppedExpired() {
        expired.increment();
    }

    /** The counters now, with what the sessions hold now (counted by the caller). */
    public TrafficStats stats(long queuedMessages, long inFlightMessages, int offlineSessions) {
        List<ListenerStats> bound = new ArrayList<>();
        for (ListenerTraffic t : listeners.values()) {
            if (t.isBound()) {
                bound.add(t.stats());
            }
        }
        bound.sort((a, b) -> a.name().compareTo(b.name()));
        Map<String, Long> dropped = new LinkedHashMap<>();
        dropped.put(TrafficStats.QUEUE_FULL, queueFull.sum());
        dropped.put(TrafficStats.TOO_LARGE, tooLarge.sum());
        dropped.put(TrafficStats.EXPIRED, expired.sum());
        return new TrafficStats(bound, dropped, queuedMessages, inFlightMessages, offlineSessions);
    }
}
