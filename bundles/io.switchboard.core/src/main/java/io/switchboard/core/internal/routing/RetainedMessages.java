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

    /** The limits that keep the retained messages (and so the store) bounded. */
    record Limits(int messages, long bytes) {
    }

    private final ConcurrentHashMap<String, Message> byTopic = new ConcurrentHashMap<>();
    private final StateStore store;
    private volatile Limits limits;
    /** Payload bytes of all retained messages; changed under this object's lock. */
    private long bytes;

    RetainedMessages(StateStore store, Limits limits) {
        this.store = store;
        this.limits = limits;
        long now = System.currentTimeMillis();
        store.read(SPACE, (topic, stored) -> {
            Message m = StoredMessages.decode(stored);
            if (m.isExpired(now)) {
                store.delete(SPACE, topic);
            } else {
                byTopic.put(topic, m);
                bytes += m.payloadSize();
            }
        });
    }

    void setLimits(Limits limits) {
        this.limits = limits;
    }

    /**
     * Retains or clears; the store records it before the publisher's acknowledgement (its next group
     * commit). Returns {@code null}, or why it was refused: it would pass {@code max.retained.messages}
     * or {@code max.retained.bytes}.
     */
    synchronized String put(Message message) {
        Message old;
        if (message.payloadSize() == 0) {
            old = byTopic.remove(message.topic());
            if (old != null) {
                bytes -= old.payloadSize();
                store.delete(SPACE, message.topic());
            }
            return null;
        }
        old = byTopic.get(message.topic());
        Limits l = limits;
        if (old == null && byTopic.size() >= l.messages()) {
            return "the broker holds its maximum of " + l.messages() + " retained messages (max.retained.messages)";
        }
        long after = bytes - (old == null ? 0 : old.payloadSize()) + message.payloadSize();
        if (after > l.bytes()) {
            return "retained messages would take more than " + l.bytes() + " bytes (max.retained.bytes)";
        }
        byTopic.put(message.topic(), message);
        bytes = after;
        store.put(SPACE, message.topic(), StoredMessages.encode(message));
        return null;
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
            bytes -= m.payloadSize();
            store.delete(SPACE, m.topic());
        }
    }
}
