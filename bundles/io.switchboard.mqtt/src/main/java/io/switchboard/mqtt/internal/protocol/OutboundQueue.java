package io.switchboard.mqtt.internal.protocol;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.switchboard.api.Message;
import io.switchboard.api.broker.Delivery;
import io.switchboard.mqtt.internal.Traffic;

/**
 * The messages of one session on their way to its client: waiting in the queue (its policy below), in flight
 * (QoS 1/2 with their packet ids, QoS 2 once its PUBREC came) and, while the session is persistent, their records
 * in the {@link SessionJournal}. Not thread-safe: its {@link MqttSession} calls it under its own lock.
 *
 * <h2>Queue policy</h2>
 * At most {@code max.queued.messages} messages and {@code max.queued.bytes} payload bytes wait (sent-but-unacknowledged
 * messages are not counted; they are bounded by the in-flight window); while the client's connection is writable,
 * up to {@link #BURST_FACTOR} times as many may wait for its event loop. When the queue is full:
 * <ul>
 * <li>a new QoS 0 message is dropped;</li>
 * <li>a new QoS 1 or 2 message makes room by dropping the oldest queued QoS 0 message; when no QoS 0
 * message is queued, the new message is refused.</li>
 * </ul>
 * Every dropped or refused message is reported with {@code Delivery.failed("queue full")}. A queued message whose
 * expiry passes is dropped when its turn comes ({@code failed("expired ...")}).
 */
final class OutboundQueue {

    /** How many times {@code max.queued.messages} may wait for a writable connection's event loop. */
    static final int BURST_FACTOR = 16;

    /** The reason given for messages dropped by the queue policy. */
    static final String QUEUE_FULL = "queue full";

    /** A message on its way to the client; {@code packetId} 0 for QoS 0. */
    static final class Outgoing {
        final Message message;
        /** Its outcome's handle; {@code null} for a message recovered after a restart (its publisher's died with it). */
        private final Delivery delivery;
        /** The identifiers of the subscriptions it came through (MQTT 5 Subscription Identifier properties). */
        final List<Integer> subscriptionIds;
        final int packetId;
        /** Its place in the session's journal (QoS 1/2 of a persistent session), 0 if not journalled. */
        long sequence;
        /** Recovered after a restart: it may have reached the client before, so it goes with DUP. */
        final boolean redelivery;
        /** QoS 2: PUBREC received and PUBREL sent; waiting for PUBCOMP. */
        boolean released;

        Outgoing(Message message, Delivery delivery, List<Integer> subscriptionIds, int packetId, long sequence,
                boolean redelivery) {
            this.message = message;
            this.delivery = delivery;
            this.subscriptionIds = subscriptionIds;
            this.packetId = packetId;
            this.sequence = sequence;
            this.redelivery = redelivery;
        }

        /** The client has it (acknowledged, or written at QoS 0). */
        void delivered() {
            if (delivery != null) {
                delivery.delivered();
            }
        }

        void failed(String reason) {
            if (delivery != null) {
                delivery.failed(reason);
            }
        }
    }

    private record Queued(Message message, Delivery delivery, List<Integer> subscriptionIds, long sequence,
            boolean redelivery) {

        void failed(String reason) {
            if (delivery != null) {
                delivery.failed(reason);
            }
        }
    }

    private final String clientId;
    /** Where drops are counted; {@code null} in tests of the queue alone. */
    private final Traffic traffic;
    private final int maxQueued;
    private final long maxQueuedBytes;
    private final ArrayDeque<Queued> queue = new ArrayDeque<>(0); // grows with use: an idle session holds the smallest array
    /** The QoS 0 messages in {@link #queue}: a full queue of QoS 1/2 messages is not searched for one (each offer). */
    private int queuedQos0;
    /** By packet id, in sending order; the shared empty map until the first QoS 1/2 message (most connections: never). */
    private Map<Integer, Outgoing> inflight = Collections.emptyMap();
    private long queuedBytes;
    private int lastPacketId;
    private long dropped;
    /** Where the QoS 1/2 messages are kept while the session is persistent, else {@code null}. */
    private SessionJournal journal;
    private long nextSequence = 1;

    OutboundQueue(String clientId, int maxQueued, long maxQueuedBytes, Traffic traffic) {
        this.clientId = clientId;
        this.traffic = traffic;
        this.maxQueued = maxQueued;
        this.maxQueuedBytes = maxQueuedBytes;
    }

    /**
     * Queues a message, or refuses it by the queue policy ({@code Delivery.failed}); {@code burst}: the client's
     * connection is writable, so its event loop will soon take what waits.
     */
    void offer(Message message, Delivery delivery, boolean burst) {
        if (isFullFor(message, burst) && !(makeRoomFor(message) && !isFullFor(message, burst))) {
            droppedFull();
            delivery.failed(QUEUE_FULL);
            return;
        }
        queuedBytes += message.payloadSize();
        List<Integer> subscriptionIds = delivery.subscriptionIds();
        long sequence = 0;
        if (journal != null && message.qos() > 0) {
            sequence = nextSequence++;
            journal.queuedNew(clientId, new SessionJournal.QueuedRecord(sequence, 0, false, message, subscriptionIds));
        }
        queue.add(new Queued(message, delivery, subscriptionIds, sequence, false));
        if (message.qos() == 0) {
            queuedQos0++;
        }
    }

    /**
     * Whether {@code message} does not fit: the count or the payload bytes would pass their limit; in a burst
     * both may go {@link #BURST_FACTOR} times beyond (the broker's threads can deliver thousands of messages
     * before the event loop runs, on one core in particular).
     */
    private boolean isFullFor(Message message, boolean burst) {
        int limit = burst ? maxQueued * BURST_FACTOR : maxQueued;
        long bytesLimit = !burst || maxQueuedBytes > Long.MAX_VALUE / BURST_FACTOR ? maxQueuedBytes
                : maxQueuedBytes * BURST_FACTOR;
        return queue.size() >= limit || queuedBytes + message.payloadSize() > bytesLimit;
    }

    /** The queue is full: a QoS 1/2 message may push out the oldest queued QoS 0 message. */
    private boolean makeRoomFor(Message message) {
        if (message.qos() == 0 || queuedQos0 == 0) {
            return false;
        }
        for (Iterator<Queued> it = queue.iterator(); it.hasNext(); ) {
            Queued q = it.next();
            if (q.message().qos() == 0) {
                it.remove();
                queuedQos0--;
                queuedBytes -= q.message().payloadSize();
                droppedFull();
                q.failed(QUEUE_FULL);
                return true;
            }
        }
        return false;
    }

    /**
     * The next message to send, moved from the queue into the in-flight set (QoS 1/2, with a new packet id), or
     * {@code null} when nothing may be sent: the queue is empty, or the next message is QoS 1/2 and {@code window}
     * messages are in flight.
     */
    Outgoing next(int window, long nowMillis) {
        Queued q;
        while ((q = queue.peek()) != null) {
            if (q.message().isExpired(nowMillis)) {
                queue.poll();
                if (q.message().qos() == 0) {
                    queuedQos0--;
                }
                queuedBytes -= q.message().payloadSize();
                journalDone(q.sequence());
                if (traffic != null) {
                    traffic.droppedExpired();
                }
                q.failed("expired while queued for the client");
                continue;
            }
            if (q.message().qos() == 0) {
                queue.poll();
                queuedQos0--;
                queuedBytes -= q.message().payloadSize();
                return new Outgoing(q.message(), q.delivery(), q.subscriptionIds(), 0, 0, false);
            }
            if (inflight.size() >= window) {
                return null;
            }
            queue.poll();
            queuedBytes -= q.message().payloadSize();
            Outgoing o = new Outgoing(q.message(), q.delivery(), q.subscriptionIds(), nextPacketId(), q.sequence(),
                    q.redelivery());
            inflightToAdd().put(o.packetId, o);
            if (journal != null && o.message.qos() == 2) {
                // a QoS 2 message keeps its packet id across a restart, so that the client recognises a resend
                journal.queued(clientId, record(o, false));
            }
            return o;
        }
        return null;
    }

    private void droppedFull() {
        dropped++;
        if (traffic != null) {
            traffic.droppedQueueFull();
        }
    }

    private int nextPacketId() {
        int id = lastPacketId;
        do {
            id = id == 65535 ? 1 : id + 1;
        } while (inflight.containsKey(id));
        lastPacketId = id;
        return id;
    }

    /** The in-flight map to add to: made on the first QoS 1/2 message. */
    private Map<Integer, Outgoing> inflightToAdd() {
        if (!(inflight instanceof LinkedHashMap)) {
            inflight = new LinkedHashMap<>();
        }
        return inflight;
    }

    /** The messages in flight, in the order they were sent. */
    List<Outgoing> inflight() {
        return new ArrayList<>(inflight.values());
    }

    int inflightCount() {
        return inflight.size();
    }

    int queuedCount() {
        return queue.size();
    }

    /** Messages dropped or refused by the queue policy so far. */
    long dropped() {
        return dropped;
    }

    /** PUBACK: the QoS 1 message with {@code packetId} is done; {@code null} if there is none. */
    Outgoing acknowledged(int packetId) {
        Outgoing o = inflight.get(packetId);
        if (o == null || o.message.qos() != 1) {
            return null;
        }
        inflight.remove(packetId);
        journalDone(o.sequence);
        return o;
    }

    /** PUBREC: the QoS 2 message with {@code packetId} was received; {@code null} if there is none. */
    Outgoing received(int packetId) {
        Outgoing o = inflight.get(packetId);
        if (o == null || o.message.qos() != 2) {
            return null;
        }
        if (!o.released && journal != null) {
            journal.queued(clientId, record(o, true));
        }
        o.released = true;
        return o;
    }

    /** PUBCOMP: the released QoS 2 message with {@code packetId} is done; {@code null} if there is none. */
    Outgoing completed(int packetId) {
        Outgoing o = inflight.get(packetId);
        if (o == null || !o.released) {
            return null;
        }
        inflight.remove(packetId);
        journalDone(o.sequence);
        return o;
    }

    /** Removes an in-flight message that will not be completed (refused by the client, too large). */
    Outgoing abandon(int packetId) {
        Outgoing o = inflight.remove(packetId);
        if (o != null) {
            journalDone(o.sequence);
        }
        return o;
    }

    /** Everything queued or in flight fails. */
    void failAll(String reason) {
        for (Outgoing o : inflight.values()) {
            o.failed(reason);
        }
        inflight.clear();
        for (Queued q : queue) {
            q.failed(reason);
        }
        queue.clear();
        queuedQos0 = 0;
        queuedBytes = 0;
    }

    // ---- the journal

    /** The session became persistent: what is queued or in flight is written to {@code to} from now on, and now. */
    void journalTo(SessionJournal to) {
        journal = to;
        for (Outgoing o : inflight.values()) {
            o.sequence = journalAgain(o.message, o.subscriptionIds, o.packetId, o.released);
        }
        List<Queued> again = new ArrayList<>(queue);
        queue.clear();
        for (Queued q : again) {
            queue.add(q.message().qos() == 0 ? q : new Queued(q.message(), q.delivery(), q.subscriptionIds(),
                    journalAgain(q.message(), q.subscriptionIds(), 0, false), q.redelivery()));
        }
    }

    /** The session is no longer persistent: nothing is written any more (the caller forgets what was). */
    void stopJournal() {
        journal = null;
    }

    /** The connection ended: a QoS 1 message sent is resent after a restart with its packet id and DUP, as on any resume. */
    void journalSentQos1() {
        if (journal == null) {
            return;
        }
        for (Outgoing o : inflight.values()) {
            if (o.message.qos() == 1 && o.sequence > 0) {
                journal.queued(clientId, record(o, false));
            }
        }
    }

    /**
     * What the journal held at start, in order: sent messages back in flight with their packet ids, the others
     * queued ({@code redelivered}: with DUP, as the client may have had them when the broker died).
     */
    void recover(SessionJournal from, List<SessionJournal.QueuedRecord> queued, boolean redelivered) {
        journal = from;
        for (SessionJournal.QueuedRecord q : queued) {
            nextSequence = Math.max(nextSequence, q.sequence() + 1);
            if (q.packetId() > 0) {
                Outgoing o = new Outgoing(q.message(), null, q.subscriptionIds(), q.packetId(), q.sequence(), true);
                o.released = q.released();
                inflightToAdd().put(q.packetId(), o);
                lastPacketId = q.packetId();
            } else {
                queue.add(new Queued(q.message(), null, q.subscriptionIds(), q.sequence(), redelivered));
                queuedBytes += q.message().payloadSize();
            }
        }
    }

    private long journalAgain(Message message, List<Integer> subscriptionIds, int packetId, boolean released) {
        long sequence = nextSequence++;
        journal.queuedNew(clientId, new SessionJournal.QueuedRecord(sequence, message.qos() == 2 ? packetId : 0, released,
                message, subscriptionIds));
        return sequence;
    }

    private void journalDone(long sequence) {
        if (journal != null && sequence > 0) {
            journal.done(clientId, sequence);
        }
    }

    private static SessionJournal.QueuedRecord record(Outgoing o, boolean released) {
        return new SessionJournal.QueuedRecord(o.sequence, o.packetId, released, o.message, o.subscriptionIds);
    }

    @Override
    public String toString() {
        return queue.size() + " queued, " + inflight.size() + " in flight";
    }
}
