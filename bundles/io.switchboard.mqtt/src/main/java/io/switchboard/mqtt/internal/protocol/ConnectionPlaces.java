package io.switchboard.mqtt.internal.protocol;

import io.switchboard.mqtt.internal.ConnectionCount;
import io.switchboard.mqtt.internal.ListenerInfo;

/**
 * The places one connection holds in its listener's and the broker's count of MQTT connections
 * ({@code max.connections} of the listener and of the protocol): taken when its CONNECT is handled,
 * given back when it closes, whether or not it ever got its CONNACK. Event loop only.
 */
final class ConnectionPlaces {

    private final ListenerInfo listener;
    private final ConnectionCount total;
    private boolean held;

    ConnectionPlaces(ListenerInfo listener, ConnectionCount total) {
        this.listener = listener;
        this.total = total;
    }

    /**
     * Takes a place on the listener and in the broker's total of at most {@code maxTotal} connections
     * ({@link ConnectionCount#UNLIMITED}: no limit); returns {@code null}, or which limit is reached.
     */
    String take(int maxTotal) {
        if (held) {
            return null;
        }
        if (!listener.connections().tryTake(listener.maxConnections())) {
            return "listener '" + listener.name() + "' has its maximum of " + listener.maxConnections()
                    + " connections (the listener's max.connections)";
        }
        if (!total.tryTake(maxTotal)) {
            listener.connections().giveBack();
            return "the broker has its maximum of " + maxTotal + " connections (max.connections), on listener '"
                    + listener.name() + "'";
        }
        held = true;
        return null;
    }

    /** The connection closed: gives its places back, once. */
    void giveBack() {
        if (held) {
            held = false;
            listener.connections().giveBack();
            total.giveBack();
        }
    }
}
