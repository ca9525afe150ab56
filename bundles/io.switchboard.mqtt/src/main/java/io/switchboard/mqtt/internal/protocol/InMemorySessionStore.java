package io.switchboard.mqtt.internal.protocol;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/** A {@link SessionStore} in memory: sessions survive disconnections, not a restart of the protocol. */
final class InMemorySessionStore implements SessionStore {

    private final ConcurrentHashMap<String, MqttSession> sessions = new ConcurrentHashMap<>();

    @Override
    public MqttSession get(String clientId) {
        return sessions.get(clientId);
    }

    @Override
    public void put(MqttSession session) {
        sessions.put(session.clientId(), session);
    }

    @Override
    public boolean remove(MqttSession session) {
        return sessions.remove(session.clientId(), session);
    }

    @Override
    public Collection<MqttSession> all() {
        return List.copyOf(sessions.values());
    }

    @Override
    public int size() {
        return sessions.size();
    }
}
