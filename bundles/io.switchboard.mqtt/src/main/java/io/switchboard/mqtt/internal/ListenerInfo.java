package io.switchboard.mqtt.internal;

import java.util.function.Supplier;

/**
 * What the protocol needs to know about the listener that accepted a connection.
 *
 * @param name the listener's name (its configuration's name, e.g. {@code tcp}, {@code websocket-tls}),
 *        reported to modules as {@link io.switchboard.api.Connection#listener()}
 * @param transport {@code tcp} or {@code websocket}
 * @param tls whether the connection runs over TLS (the protocol reports the handshake to the broker)
 * @param maxPacketSize the largest MQTT packet accepted, in bytes
 * @param missingModules {@code null} when every module this listener requires is active, otherwise the
 *        reason (naming the missing modules) to refuse the client with; asked at each CONNECT
 * @param maxConnections the MQTT connections this listener serves at once ({@link ConnectionCount#UNLIMITED}: no
 *        limit of its own)
 * @param connections the MQTT connections open on this listener (one count per listener instance: a configuration
 *        change makes a new listener, which closes the old one's connections)
 * @param traffic the listener's counters (kept by name across rebinds)
 */
public record ListenerInfo(String name, String transport, boolean tls, int maxPacketSize, Supplier<String> missingModules,
        int maxConnections, ConnectionCount connections, ListenerTraffic traffic) {

    /** With counters of its own, reported nowhere (tests). */
    public ListenerInfo(String name, String transport, boolean tls, int maxPacketSize, Supplier<String> missingModules,
            int maxConnections, ConnectionCount connections) {
        this(name, transport, tls, maxPacketSize, missingModules, maxConnections, connections,
                ListenerTraffic.unregistered(name));
    }
}
