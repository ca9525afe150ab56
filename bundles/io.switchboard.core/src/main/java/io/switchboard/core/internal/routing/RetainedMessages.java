package io.switchboard.core.internal.routing;

import java.util.ArrayList;
import java.util.List;

import io.switchboard.api.Message;
import io.switchboard.store.StateStore;
import io.switchboard.store.StoredMessages;

/**
 * The retained message of each topic (MQTT 3.3.1.3): a retained publish replaces it, one with an
 * empty payload clears it. Kept in memory in a {@link RetainedIndex} (a SUBSCRIBE visits only the topics its
 * filter can match) and in the {@link StateStore} (space {@value #SPACE}, by topic) so that it survives a
 * restart; recovered when the router starts. Changes are made under this object's lock, so the index has one
 * writer at a time and the store sees them in order.
 */
final class RetainedMessages {

    static final String SPACE = "retained";

    /** The limits that keep the retained messages (and so the store) bounded. */
    record Limits(int messages, long bytes) {
    }

    private final RetainedIndex index = new RetainedIndex();
    private final StateStore store;
    private volatile Limits limits;
    /** How many messages are retained; changed under this object's lock. */
    private volatile int count;
    /** Bytes of all retained messages (payload and topic, see {@link #sizeOf}); changed under this object's lock. */
    private long bytes;

    RetainedMessages(StateStore store, Limits limits) {
        this.store = store;
        this.limits = limits;
        long now = System.currentTimeMillis();
        store.read(SPACE, (topic, stored) -> {
            Message m = StoredMessages.decode(stored);
            if (m.isExpired(now) || isSystem(m.topic())) {
                // $SYS: status messages are not kept across restarts (a store written before they were kept apart)
                store.delete(SPACE, topic);
            } else {
                index.put(m);
                count++;
                bytes += sizeOf(m);
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
        return put(message, true);
    }

    /**
     * {@link #put(Message)}, kept in memory only when {@code persist} is false (the broker's {@code $SYS} status
     * messages: a restart publishes them afresh, as Mosquitto does not keep them either).
     */
    synchronized String put(Message message, boolean persist) {
        Message old;
        if (message.payloadSize() == 0) {
            old = index.remove(message.topic(), null);
            if (old != null) {
                count--;
                bytes -= sizeOf(old);
                store.delete(SPACE, message.topic());
            }
            return null;
        }
        old = index.get(message.topic());
        Limits l = limits;
        if (old == null && count >= l.messages()) {
            return "the broker holds its maximum of " + l.messages() + " retained messages (max.retained.messages)";
        }
        long after = bytes - (old == null ? 0 : sizeOf(old)) + sizeOf(message);
        if (after > l.bytes()) {
            return "retained messages would take more than " + l.bytes() + " bytes (max.retained.bytes)";
        }
        byte[] stored = persist ? StoredMessages.encode(message) : null; // may throw (a topic too long): nothing changed yet
        if (index.put(message) == null) {
            count++;
        }
        bytes = after;
        if (persist) {
            store.put(SPACE, message.topic(), stored);
        }
        return null;
    }

    /** Whether {@code topic} is one of the broker's status topics ({@code $SYS} or {@code $SYS/...}), which clients cannot publish. */
    static boolean isSystem(String topic) {
        return topic.startsWith("$SYS") && (topic.length() == 4 || topic.charAt(4) == '/');
    }

    int size() {
        return count;
    }

    /** What a retained message counts against {@code max.retained.bytes}: its topic too, which a client chooses as freely. */
    private static long sizeOf(Message m) {
        return m.payloadSize() + (long) m.topic().length();
    }

    /** How many topic levels the index holds: 0 once nothing is retained. */
    int indexNodes() {
        return index.nodeCount();
    }

    /** The highest message id among the retained messages (0 if none). */
    long highestId() {
        long[] max = {0};
        index.forEach(m -> max[0] = Math.max(max[0], m.id()));
        return max[0];
    }

    /** The retained messages whose topic matches {@code filter}, expired ones dropped. */
    List<Message> matching(String filter) {
        List<Message> found = new ArrayList<>();
        List<Message> expired = new ArrayList<>(0);
        long now = System.currentTimeMillis();
        index.forEachMatching(filter, m -> (m.isExpired(now) ? expired : found).add(m));
        expired.forEach(this::dropExpired);
        return found;
    }

    /** Synchronized with {@link #put}: the store must not see this delete after a newer message's put. */
    private synchronized void dropExpired(Message m) {
        if (index.remove(m.topic(), m) != null) {
            count--;
            bytes -= sizeOf(m);
            store.delete(SPACE, m.topic());
        }
    }
}
