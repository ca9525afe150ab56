package io.switchboard.mqtt.internal.protocol;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;

import io.switchboard.api.Message;
import io.switchboard.api.Subscription;
import io.switchboard.api.broker.ClientSession;
import io.switchboard.api.broker.Delivery;
import io.switchboard.api.broker.Receiver;

/**
 * The MQTT state of one client's session, which outlives its connections: the messages waiting to be
 * sent, the QoS 1/2 messages sent and not yet acknowledged (resent with DUP when the client resumes
 * the session), the inbound QoS 2 packet ids waiting for their PUBREL, and the subscriptions the store
 * keeps. It is the broker session's {@link Receiver}, and so where the protocol finds a client's state: the
 * broker delivers into it whether the client is connected or not, the connection that owns it (its
 * {@link Outlet}) is woken to send, and the broker tells it when its connection lets go of it or the
 * session ends ({@link SessionLifecycle}).
 *
 * <h2>Queue policy</h2>
 * At most {@code max.queued.messages} messages and {@code max.queued.bytes} payload bytes wait per session (sent-but-unacknowledged messages
 * are not counted; they are bounded by the in-flight window); while the client's connection is
 * writable, up to {@link #BURST_FACTOR} times as many may wait for its event loop. When the queue is full:
 * <ul>
 * <li>a new QoS 0 message is dropped;</li>
 * <li>a new QoS 1 or 2 message makes room by dropping the oldest queued QoS 0 message; when no QoS 0
 * message is queued, the new message is refused.</li>
 * </ul>
 * Every dropped or refused message is reported with {@code Delivery.failed("queue full")}. A queued
 * message whose expiry passes is dropped when its turn comes ({@code failed("expired ...")}). With
 * {@code queue.qos0=false}, QoS 0 messages for an offline client are dropped at once. When the session
 * ends (expired, closed, replaced by a clean start), everything still queued or in flight fails.
 *
 * <p>Thread safety: every method synchronizes on this object. It is called by broker threads
 * ({@link #deliver}, the login, detach and close of the session, in the client id's order), by the owning
 * connection's event loop (sending, acknowledgements) and by the protocol's timers (will delay, expiry).
 * No I/O happens while the monitor is held; the owner is woken after it is released.
 */
final class MqttSession implements Receiver {

    /** How many times {@code max.queued.messages} may wait for a writable connection's event loop. */
    static final int BURST_FACTOR = 16;

    /** The reason given for messages dropped by the queue policy. */
    static final String QUEUE_FULL = "queue full";

    /** The connection currently sending this session's messages. */
    interface Outlet {

        /** Messages are waiting: send what the window allows (called on any thread, must not block). */
        void wake();

        /** Whether the connection takes more data now, i.e. is not backed up (called on any thread). */
        boolean isWritable();

        /**
         * The session no longer belongs to this connection: if it is still open, another connection took the
         * session over and it closes (MQTT 5: DISCONNECT 0x8E).
         *
         * @return this connection's will, taken (so it is published once at most), or {@code null}
         */
        Will leave();

        /** The session expiry this connection ends with: its CONNECT's, or what its DISCONNECT set. */
        long sessionExpiry();
    }

    /** A message on its way to the client; {@code packetId} 0 for QoS 0. */
    static final class Outgoing {
        final Message message;
        final Delivery delivery;
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
    }

    private record Queued(Message message, Delivery delivery, List<Integer> subscriptionIds, long sequence,
            boolean redelivery) {
    }

    /** The delivery handle of a message recovered after a restart: its publisher's handle died with the process. */
    private static final Delivery RECOVERED = new Delivery() {
        @Override
        public void delivered() {
        }

        @Override
        public void failed(String reason) {
        }
    };

    private final String clientId;
    /** What the broker's news of the session is passed to; {@code null} in tests of the state alone. */
    private final SessionLifecycle lifecycle;
    private final int maxQueued;
    private final long maxQueuedBytes;
    private final boolean queueQos0;
    private long queuedBytes;

    private final ArrayDeque<Queued> queue = new ArrayDeque<>();
    private final LinkedHashMap<Integer, Outgoing> inflight = new LinkedHashMap<>();
    private final Set<Integer> inboundQos2 = new HashSet<>();
    /** The subscriptions with their options and identifiers, by filter (what a restart restores). */
    private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
    private int lastPacketId;
    /** Where a persistent session is kept; {@code null} while the session is not persistent. */
    private SessionJournal journal;
    private long nextSequence = 1;
    private String user;
    private String protocol;
    private long expirySeconds;
    private long offlineSince;
    /** The will of the connection holding the session, kept so that a crash does not lose it. */
    private Will connectionWill;
    private long pendingWillDueAt;
    private Outlet owner;
    private ClientSession clientSession;
    private boolean ended;
    /** Counts attachments, so a timer scheduled for an earlier disconnection recognises it is stale. */
    private int epoch;
    private ScheduledFuture<?> expiryTask;
    private Will pendingWill;
    private ScheduledFuture<?> willTask;
    private long dropped;

    MqttSession(String clientId, int maxQueued, long maxQueuedBytes, boolean queueQos0, SessionLifecycle lifecycle) {
        this.clientId = clientId;
        this.maxQueued = maxQueued;
        this.maxQueuedBytes = maxQueuedBytes;
        this.queueQos0 = queueQos0;
        this.lifecycle = lifecycle;
    }

    /** With the queue limits of {@code settings}. */
    MqttSession(String clientId, ProtocolSettings settings, SessionLifecycle lifecycle) {
        this(clientId, settings.maxQueuedMessages(), settings.maxQueuedBytes(), settings.queueQos0(), lifecycle);
    }

    String clientId() {
        return clientId;
    }

    // ---- the broker's side

    @Override
    public void deliver(Message message, Delivery delivery) {
        Outlet wake;
        synchronized (this) {
            if (ended) {
                delivery.failed("the client's session has ended");
                return;
            }
            if (message.qos() == 0 && owner == null && !queueQos0) {
                delivery.failed("QoS 0 message for an offline client (queue.qos0 is false)");
                return;
            }
            if (isFullFor(message) && !(makeRoomFor(message) && !isFullFor(message))) {
                dropped++;
                delivery.failed(QUEUE_FULL);
                return;
            }
            queuedBytes += message.payloadSize();
            List<Integer> subscriptionIds = delivery.subscriptionIds();
            long sequence = 0;
            if (journal != null && message.qos() > 0) {
                sequence = nextSequence++;
                journal.queued(clientId, new SessionJournal.QueuedRecord(sequence, 0, false, message, subscriptionIds));
            }
            queue.add(new Queued(message, delivery, subscriptionIds, sequence, false));
            wake = owner;
        }
        if (wake != null) {
            wake.wake();
        }
    }

    /**
     * {@code max.queued.messages}; while the owning connection is writable, a burst its event loop has not
     * moved to the connection yet may go up to {@link #BURST_FACTOR} times beyond (the broker's threads
     * can deliver thousands of messages before the event loop runs, on one core in particular).
     */
    private int queueLimit() {
        Outlet o = owner;
        return o != null && o.isWritable() ? maxQueued * BURST_FACTOR : maxQueued;
    }

    /** Whether {@code message} does not fit: the count or the payload bytes would pass their limit (both burst alike). */
    private boolean isFullFor(Message message) {
        int limit = queueLimit();
        long bytesLimit = limit == maxQueued || maxQueuedBytes > Long.MAX_VALUE / BURST_FACTOR ? maxQueuedBytes
                : maxQueuedBytes * BURST_FACTOR;
        return queue.size() >= limit || queuedBytes + message.payloadSize() > bytesLimit;
    }

    /** The queue is full: a QoS 1/2 message may push out the oldest queued QoS 0 message. */
    private boolean makeRoomFor(Message message) {
        if (message.qos() == 0) {
            return false;
        }
        for (Iterator<Queued> it = queue.iterator(); it.hasNext(); ) {
            Queued q = it.next();
            if (q.message().qos() == 0) {
                it.remove();
                queuedBytes -= q.message().payloadSize();
                dropped++;
                q.delivery().failed(QUEUE_FULL);
                return true;
            }
        }
        return false;
    }

    @Override
    public void detached(String reason) {
        lifecycle.detached(this, reason);
    }

    @Override
    public void closing(String reason) {
        lifecycle.closing(this, reason);
    }

    // ---- the owning connection's side

    /**
     * The next message to send, moved from the queue into the in-flight set (QoS 1/2, with a new packet
     * id), or {@code null} when nothing may be sent: the queue is empty, the next message is QoS 1/2 and
     * {@code window} messages are in flight, or {@code who} does not own the session.
     */
    synchronized Outgoing next(Outlet who, int window, long nowMillis) {
        if (ended || owner != who) {
            return null;
        }
        Queued q;
        while ((q = queue.peek()) != null) {
            if (q.message().isExpired(nowMillis)) {
                queue.poll();
                queuedBytes -= q.message().payloadSize();
                journalDone(q.sequence());
                q.delivery().failed("expired while queued for the client");
                continue;
            }
            if (q.message().qos() == 0) {
                queue.poll();
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
            inflight.put(o.packetId, o);
            if (journal != null && o.message.qos() == 2) {
                // a QoS 2 message keeps its packet id across a restart, so that the client recognises a resend
                journal.queued(clientId, record(o, false));
            }
            return o;
        }
        return null;
    }

    private int nextPacketId() {
        int id = lastPacketId;
        do {
            id = id == 65535 ? 1 : id + 1;
        } while (inflight.containsKey(id));
        lastPacketId = id;
        return id;
    }

    /** The messages in flight, in the order they were sent (resent on resume). */
    synchronized List<Outgoing> inflight() {
        return new ArrayList<>(inflight.values());
    }

    synchronized int inflightCount() {
        return inflight.size();
    }

    synchronized int queuedCount() {
        return queue.size();
    }

    /** Messages dropped or refused by the queue policy so far. */
    synchronized long dropped() {
        return dropped;
    }

    /** PUBACK: the QoS 1 message with {@code packetId} is done; {@code null} if there is none. */
    synchronized Outgoing acknowledged(int packetId) {
        Outgoing o = inflight.get(packetId);
        if (o == null || o.message.qos() != 1) {
            return null;
        }
        inflight.remove(packetId);
        journalDone(o.sequence);
        return o;
    }

    private void journalDone(long sequence) {
        if (journal != null && sequence > 0) {
            journal.done(clientId, sequence);
        }
    }

    /** PUBREC: the QoS 2 message with {@code packetId} was received; {@code null} if there is none. */
    synchronized Outgoing received(int packetId) {
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
    synchronized Outgoing completed(int packetId) {
        Outgoing o = inflight.get(packetId);
        if (o == null || !o.released) {
            return null;
        }
        inflight.remove(packetId);
        journalDone(o.sequence);
        return o;
    }

    /** Removes an in-flight message that will not be completed (refused by the client, too large). */
    synchronized Outgoing abandon(int packetId) {
        Outgoing o = inflight.remove(packetId);
        if (o != null) {
            journalDone(o.sequence);
        }
        return o;
    }

    /** An inbound QoS 2 PUBLISH: remembers its packet id; false if it is already known (a resend). */
    synchronized boolean receiveQos2(int packetId) {
        boolean added = inboundQos2.add(packetId);
        if (added && journal != null) {
            journal.inboundQos2(clientId, packetId, true);
        }
        return added;
    }

    synchronized boolean hasQos2(int packetId) {
        return inboundQos2.contains(packetId);
    }

    /** PUBREL (or a refused PUBREC): forgets the inbound QoS 2 packet id; false if it was unknown. */
    synchronized boolean releaseQos2(int packetId) {
        boolean removed = inboundQos2.remove(packetId);
        if (removed && journal != null) {
            journal.inboundQos2(clientId, packetId, false);
        }
        return removed;
    }

    /** Records the subscription to {@code subscription}'s filter, for the store. */
    synchronized void subscribed(Subscription subscription) {
        subscriptions.put(subscription.topicFilter(), subscription);
        save();
    }

    /** Forgets the subscription to {@code filter}. */
    synchronized void unsubscribed(String filter) {
        if (subscriptions.remove(filter) != null) {
            save();
        }
    }

    /** The subscriptions with their options, by filter. */
    synchronized List<Subscription> subscriptions() {
        return List.copyOf(subscriptions.values());
    }

    // ---- persistence

    /**
     * After a login: keeps the session in {@code store} from now on when it outlives its connection
     * ({@code expirySeconds} > 0 and a durable store), else stops keeping it. Everything already queued or
     * in flight is written when the session becomes persistent.
     */
    synchronized void persist(SessionJournal store, String user, String protocol, long expirySeconds, Will will) {
        this.user = user;
        this.protocol = protocol;
        this.expirySeconds = expirySeconds;
        this.offlineSince = 0;
        this.connectionWill = will;
        this.pendingWillDueAt = 0;
        if (expirySeconds == 0 || !store.durable()) {
            if (journal != null) {
                journal.forget(clientId);
                journal = null;
            }
            return;
        }
        if (journal == null) {
            journal = store;
            for (Outgoing o : inflight.values()) {
                o.sequence = journalAgain(o.message, o.subscriptionIds, o.packetId, o.released);
            }
            List<Queued> again = new ArrayList<>(queue);
            queue.clear();
            for (Queued q : again) {
                queue.add(q.message().qos() == 0 ? q : new Queued(q.message(), q.delivery(), q.subscriptionIds(),
                        journalAgain(q.message(), q.subscriptionIds(), 0, false), q.redelivery()));
            }
            for (int packetId : inboundQos2) {
                journal.inboundQos2(clientId, packetId, true);
            }
        }
        save();
    }

    private long journalAgain(Message message, List<Integer> subscriptionIds, int packetId, boolean released) {
        long sequence = nextSequence++;
        journal.queued(clientId, new SessionJournal.QueuedRecord(sequence, message.qos() == 2 ? packetId : 0, released,
                message, subscriptionIds));
        return sequence;
    }

    private static SessionJournal.QueuedRecord record(Outgoing o, boolean released) {
        return new SessionJournal.QueuedRecord(o.sequence, o.packetId, released, o.message, o.subscriptionIds);
    }

    /** The connection ended and the session lives on: records when, and the will waiting for its delay. */
    synchronized void wentOffline(long nowMillis, long expirySeconds, Will waitingWill) {
        if (journal != null) {
            for (Outgoing o : inflight.values()) {
                if (o.message.qos() == 1 && o.sequence > 0) {
                    // sent: after a restart it is resent with its packet id and DUP, as on any resume
                    journal.queued(clientId, record(o, false));
                }
            }
        }
        this.offlineSince = nowMillis;
        this.expirySeconds = expirySeconds;
        this.connectionWill = waitingWill;
        this.pendingWillDueAt = waitingWill == null ? 0 : nowMillis + waitingWill.delaySeconds() * 1000;
        save();
    }

    /** A waiting will was published or cancelled: the record no longer keeps it (a new connection's will stays). */
    private void forgetKeptWill(Will taken) {
        if (taken != null && connectionWill == taken) {
            connectionWill = null;
            pendingWillDueAt = 0;
            save();
        }
    }

    private void save() {
        if (journal != null) {
            journal.save(new SessionJournal.SessionRecord(clientId, user, protocol, expirySeconds, offlineSince,
                    connectionWill, pendingWillDueAt, List.copyOf(subscriptions.values())));
        }
    }

    /**
     * A session read back from the store at start: offline, with its subscriptions, its queued messages
     * (in order; sent with DUP if the broker died while the client was connected, as it may have had them),
     * its messages in flight (with their packet ids) and the inbound QoS 2 packet ids waiting for PUBREL.
     */
    static MqttSession recovered(SessionJournal.SessionRecord record, List<SessionJournal.QueuedRecord> queued,
            List<Integer> inbound, SessionJournal journal, ProtocolSettings settings, SessionLifecycle lifecycle) {
        MqttSession s = new MqttSession(record.clientId(), settings, lifecycle);
        s.journal = journal;
        s.user = record.user();
        s.protocol = record.protocol();
        s.expirySeconds = record.expirySeconds();
        s.offlineSince = record.offlineSince();
        s.connectionWill = record.will();
        s.pendingWillDueAt = record.willDueAt();
        for (Subscription sub : record.subscriptions()) {
            s.subscriptions.put(sub.topicFilter(), sub);
        }
        for (SessionJournal.QueuedRecord q : queued) {
            s.nextSequence = Math.max(s.nextSequence, q.sequence() + 1);
            if (q.packetId() > 0) {
                Outgoing o = new Outgoing(q.message(), RECOVERED, q.subscriptionIds(), q.packetId(), q.sequence(), true);
                o.released = q.released();
                s.inflight.put(q.packetId(), o);
                s.lastPacketId = q.packetId();
            } else {
                s.queue.add(new Queued(q.message(), RECOVERED, q.subscriptionIds(), q.sequence(), record.offlineSince() == 0));
                s.queuedBytes += q.message().payloadSize();
            }
        }
        s.inboundQos2.addAll(inbound);
        return s;
    }

    synchronized String user() {
        return user;
    }

    synchronized String protocol() {
        return protocol;
    }

    synchronized long expirySeconds() {
        return expirySeconds;
    }

    /** When the session went offline (epoch ms), 0 if it was connected when the broker stopped or died. */
    synchronized long offlineSince() {
        return offlineSince;
    }

    /** The will kept with the session: its connection's, or one waiting for its delay. */
    synchronized Will keptWill() {
        return connectionWill;
    }

    synchronized long keptWillDueAt() {
        return pendingWillDueAt;
    }

    /** Whether the session is kept in the store. */
    synchronized boolean persistent() {
        return journal != null;
    }

    // ---- the session's lifecycle

    /** A connection logged in to this session: it sends from now on. Cancels the expiry timer. */
    synchronized void attach(Outlet outlet, ClientSession handle) {
        owner = outlet;
        clientSession = handle;
        epoch++;
        if (expiryTask != null) {
            expiryTask.cancel(false);
            expiryTask = null;
        }
    }

    /** No connection owns the session any more; returns the one that did, or {@code null}. */
    synchronized Outlet release() {
        Outlet previous = owner;
        owner = null;
        return previous;
    }

    /** The broker's handle on the session (the latest login's). */
    synchronized ClientSession clientSession() {
        return clientSession;
    }

    /** The current attachment; a timer started during another one is stale. */
    synchronized int epoch() {
        return epoch;
    }

    synchronized boolean isEnded() {
        return ended;
    }

    /** Whether the session is offline in the attachment {@code expectedEpoch} and not ended. */
    synchronized boolean offlineSince(int expectedEpoch) {
        return !ended && owner == null && epoch == expectedEpoch;
    }

    synchronized void expiryTask(ScheduledFuture<?> task) {
        if (expiryTask != null) {
            expiryTask.cancel(false);
        }
        expiryTask = task;
    }

    /** A will waiting for its delay while the client is offline. */
    synchronized void pendingWill(Will will) {
        takePendingWill();
        pendingWill = will;
    }

    /** The timer of the waiting {@code will}; cancelled if that will was taken meanwhile. */
    synchronized void willTimer(Will will, ScheduledFuture<?> task) {
        if (pendingWill == will) {
            willTask = task;
        } else if (task != null) {
            task.cancel(false);
        }
    }

    /** The broker's handle on a session recovered at start (offline until a client resumes it). */
    synchronized void restoredAs(ClientSession handle) {
        clientSession = handle;
    }

    /** Takes the pending will (cancelling its timer), or {@code null}. */
    synchronized Will takePendingWill() {
        Will w = pendingWill;
        pendingWill = null;
        forgetKeptWill(w);
        if (willTask != null) {
            willTask.cancel(false);
            willTask = null;
        }
        return w;
    }

    /** Takes the pending will if it is still {@code will} and the session is offline in the attachment {@code expectedEpoch}. */
    synchronized boolean takeDueWill(Will will, int expectedEpoch) {
        if (pendingWill != will || will == null || !offlineSince(expectedEpoch)) {
            return false;
        }
        pendingWill = null;
        willTask = null;
        forgetKeptWill(will);
        return true;
    }

    private void forgetJournal() {
        if (journal != null) {
            journal.forget(clientId);
            journal = null;
        }
    }

    /** The session ended: everything queued or in flight fails, later deliveries fail at once. */
    synchronized void end(String reason) {
        ended = true;
        owner = null;
        failAll(reason);
        inboundQos2.clear();
        subscriptions.clear();
        forgetJournal();
        if (expiryTask != null) {
            expiryTask.cancel(false);
            expiryTask = null;
        }
        takePendingWill();
    }

    private void failAll(String reason) {
        for (Outgoing o : inflight.values()) {
            o.delivery.failed(reason);
        }
        inflight.clear();
        for (Queued q : queue) {
            q.delivery().failed(reason);
        }
        queue.clear();
        queuedBytes = 0;
    }

    @Override
    public synchronized String toString() {
        return "MQTT session of '" + clientId + "' (" + (owner == null ? "offline" : "online") + ", " + queue.size()
                + " queued, " + inflight.size() + " in flight" + (ended ? ", ended" : "") + ")";
    }
}
