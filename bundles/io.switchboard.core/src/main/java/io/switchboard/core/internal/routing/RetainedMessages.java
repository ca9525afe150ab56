package io.switchboard.core.internal.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import io.switchboard.api.Message;

/**
 * The retained message of each topic (MQTT 3.3.1.3): a retained publish replaces it, one with an
 * empty payload clears it. Kept in memory; a store bundle may replace this later.
 */
final class RetainedMessages {

    private final ConcurrentHashMap<String, Message> byTopic = new ConcurrentHashMap<>();

    void put(Message message) {
        if (message.payloadSize() == 0) {
            byTopic.remove(message.topic());
        } else {
            byTopic.put(message.topic(), message);
        }
    }

    /** The retained messages whose topic matches {@code filter}, expired ones dropped. */
    List<Message> matching(String filter) {
        List<Message> found = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (Message m : byTopic.values()) {
            if (m.isExpired(now)) {
                byTopic.remove(m.topic(), m);
            } else if (Topics.matches(filter, m.topic())) {
                found.add(m);
            }
        }
        return found;
    }
}
