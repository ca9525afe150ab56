package io.switchboard.mqtt.internal.protocol;

import java.util.Collection;

/**
 * Where the MQTT state of sessions is kept between connections, by client id. The in-memory
 * implementation keeps it for the life of the protocol component; a durable store (surviving a
 * restart) can replace it behind this interface. Implementations are thread-safe; the protocol only
 * changes one client id's entry from that client's serial steps.
 */
interface SessionStore {

    /** The session of {@code clientId}, or {@code null}. */
    MqttSession get(String clientId);

    /** Stores {@code session} under its client id, replacing any other. */
    void put(MqttSession session);

    /** Removes {@code session} if it is still the one stored under its client id. */
    boolean remove(MqttSession session);

    /** A snapshot of every stored session. */
    Collection<MqttSession> all();

    /** How many sessions are stored. */
    int size();
}
