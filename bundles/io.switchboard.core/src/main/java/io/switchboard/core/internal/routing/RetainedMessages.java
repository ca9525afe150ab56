package io.switchboard.core.internal.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import io.switchboard.api.Message;
import io.switchboard.store.StateStore;
import io.switchboard.store.StoredMessages;

/**
 * The retained message of each topic (MQTT 3.3.1.3): a retained publish replaces it, one with an
 * empty payload clears it. Kept in memory for matching and in the {@link StateStore} (space
 * {@value #SPACE}, by topic) so that it survives a restart; recovered when the router starts.
 */
final class RetainedMessages {

    static final String SPACE = "retained";

    private final ConcurrentHashMap<String, Message> byTopic = new ConcurrentHashMap<>();
    private final StateStore store;

    RetainedMessages(StateStore store) {
        this.store = store;
        long now = System.currentTimeMillis();
        store.read(SPACE, (topic, bytes) -> {
            Message m = StoredMessages.decode(bytes);
            if (m.isExpired(now)) {
                store.delete(SPACE, topic);
            } else {
                byTopic.put(topic, m);
            }
        });
    }

    /** Retains or clears; the store records it before the publisher's acknowledgement (its next group commit). */
    synchronized void put(Message message) {
        if (message.payloadSize() == 0) {
            if (byTopic.remove(message.topic()) != null) {
                store.delete(SPACE, message.topic());
            }
        } else {
            byTopic.put(message.topic(), message);
            store.put(SPACE, message.topic(), StoredMessages.encode(message));
        }
    }

    int size() {
        return byTopic.size();
    }

    /** The highest message id among the retained messages (0 if none). */
    long highestId() {
        long max = 0;
        for (Message m : byTopic.values()) {
            max = Math.max(max, m.id());
        }
        return max;
    }

    /** The retained messages whose topic matches {@code filter}, expired ones dropped. */
    List<Message> matching(String filter) {
        List<Message> found = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (Message m : byTopic.values()) {
            if (m.isExpired(now)) {
                dropExpired(m);
            } else if (Topics.matches(filter, m.topic())) {
                found.add(m);
            }
        }
        return found;
    }

    /** Synchronized with {@link #put}: the store must not see this delete after a newer message's put. */
    private synchronized void dropExpired(Message m) {
        if (byTopic.remove(m.topic(), m)) {
            store.delete(SPACE, m.topic());
        }
    }
}
