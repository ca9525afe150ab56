package io.switchboard.mqtt.internal;

import java.util.concurrent.atomic.LongAdder;

import io.switchboard.api.admin.ListenerStats;

/**
 * The counters of one listener, by name: kept by {@link Traffic} while the front door runs, so a listener that is
 * reconfigured (closed and bound again as a new instance) continues its totals. Counting is a {@link LongAdder}
 * increment (no lock, no allocation), summed when read. Thread safe.
 */
public final class ListenerTraffic {

    private final String name;
    private final LongAdder accepted = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder bytesReceived = new LongAdder();
    private final LongAdder bytesSent = new LongAdder();
    private final LongAdder messagesReceived = new LongAdder();
    private final LongAdder messagesSent = new LongAdder();
    private final LongAdder packetsReceived = new LongAdder();
    private final LongAdder packetsSent = new LongAdder();
    /** The bound instance's description and connections; {@code null} while the listener is not bound. */
    private volatile Binding binding;

    private record Binding(String transport, boolean tls, ConnectionCount connections) {
    }

    ListenerTraffic(String name) {
        this.name = name;
    }

    /** Counters of a listener that is not part of a front door (tests). */
    public static ListenerTraffic unregistered(String name) {
        return new ListenerTraffic(name);
    }

    public String name() {
        return name;
    }

    /** A connection's CONNECT was accepted (a successful CONNACK). */
    public void accepted() {
        accepted.increment();
    }

    /** A connection attempt was refused (at accept, by the connect chain, or with a refusing CONNACK). */
    public void refused() {
        refused.increment();
    }

    public void bytesReceived(long n) {
        bytesReceived.add(n);
    }

    public void bytesSent(long n) {
        bytesSent.add(n);
    }

    /** An MQTT packet came in; {@code publish}: it was a PUBLISH. */
    public void packetReceived(boolean publish) {
        packetsReceived.increment();
        if (publish) {
            messagesReceived.increment();
        }
    }

    /** An MQTT packet went out; {@code publish}: it was a PUBLISH. */
    public void packetSent(boolean publish) {
        packetsSent.increment();
        if (publish) {
            messagesSent.increment();
        }
    }

    void bind(String transport, boolean tls, ConnectionCount connections) {
        binding = new Binding(transport, tls, connections);
    }

    /** Unbinds if {@code connections} is still the bound instance's (a newer instance may have bound already). */
    void unbind(ConnectionCount connections) {
        Binding b = binding;
        if (b != null && b.connections() == connections) {
            binding = null;
        }
    }

    boolean isBound() {
        return binding != null;
    }

    /** The counters now; as unbound ({@code tcp}, no TLS, no connections) when not bound. */
    public ListenerStats stats() {
        Binding b = binding;
        return new ListenerStats(name, b == null ? "tcp" : b.transport(), b != null && b.tls(),
                b == null ? 0 : b.connections().open(), accepted.sum(), refused.sum(), bytesReceived.sum(),
                bytesSent.sum(), messagesReceived.sum(), messagesSent.sum(), packetsReceived.sum(), packetsSent.sum());
    }
}
