package io.switchboard.mqtt.internal.protocol;

import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
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
 * The MQTT state of one client's session, which outlives its connections: the messages on their way to the
 * client ({@link OutboundQueue}: queued, and QoS 1/2 sent and not yet acknowledged, resent with DUP when the
 * client resumes the session), the inbound QoS 2 packet ids waiting for their PUBREL, the subscriptions the
 * store keeps, the will and the timers of an offline session. It is the broker session's {@link Receiver}, and
 * so where the protocol finds a client's state: the broker delivers into it whether the client is connected or
 * not, the connection that owns it (its {@link Outlet}) is woken to send, and the broker tells it when its
 * connection lets go of it or the session ends ({@link SessionLifecycle}).
 *
 * <p>With {@code queue.qos0=false}, QoS 0 messages for an offline client are dropped at once. When the session
 * ends (expired, closed, replaced by a clean start), everything still queued or in flight fails.
 *
 * <p>Thread safety: every method synchronizes on this object. It is called by broker threads
 * ({@link #deliver}, the login, detach and close of the session, in the client id's order), by the owning
 * connection's event loop (sending, acknowledgements) and by the protocol's timers (will delay, expiry).
 * No I/O happens while the monitor is held; the owner is woken after it is released.
 */
final class MqttSession implements Receiver {

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

    private final String clientId;
    /** What the broker's news of the session is passed to; {@code null} in tests of the state alone. */
    private final SessionLifecycle lifecycle;
    private final boolean queueQos0;
    private final OutboundQueue outbound;
    /** What was sent to the client, for its read receipts; kept across its connections (not across a restart). */
    final DeliveredIds delivered = new DeliveredIds();
    /** Packet ids of inbound QoS 2 publishes not yet released; made at the first (an idle session holds none). */
    private Set<Integer> inboundQos2;
    /**
     * Inbound QoS 2 publishes the broker failed to forward to every node and kept to forward again (packet id to
     * message id and topic): their resend goes where the message is missing only. In memory: a session restored
     * elsewhere publishes the resend as new (at least once). Made at the first.
     */
    private Map<Integer, KeptForward> toForwardAgain;
    /** The subscriptions with their options and identifiers, by filter (what a restart restores). */
    private Map<String, Subscription> subscriptions = Collections.emptyMap(); // a LinkedHashMap from the first subscription on
    /** Where a persistent session is kept; {@code null} while the session is not persistent. */
    private SessionJournal journal;
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
    /** Let go of for another node: what the broker still delivers goes there ({@link Delivery#moved}). */
    private boolean movedAway;
    /** Counts attachments, so a timer scheduled for an earlier disconnection recognises it is stale. */
    private int epoch;
    private ScheduledFuture<?> expiryTask;
    private Will pendingWill;
    private ScheduledFuture<?> willTask;

    MqttSession(String clientId, int maxQueued, long maxQueuedBytes, boolean queueQos0, SessionLifecycle lifecycle) {
        this.clientId = clientId;
        this.queueQos0 = queueQos0;
        this.lifecycle = lifecycle;
        this.outbound = new OutboundQueue(clientId, maxQueued, maxQueuedBytes, lifecycle == null ? null : lifecycle.counters());
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
            if (movedAway) {
                delivery.moved();
                return;
            }
            if (ended) {
                delivery.failed("the client's session has ended");
                return;
            }
            if (message.qos() == 0 && owner == null && !queueQos0) {
                delivery.failed("QoS 0 message for an offline client (queue.qos0 is false)");
                return;
            }
            outbound.offer(message, delivery, owner != null && owner.isWritable());
            wake = owner;
        }
        if (wake != null) {
            wake.wake();
        }
    }

    /**
     * Another node takes this session: from now on deliveries go on to it; what was queued before stays for the
     * records the other node reads.
     */
    synchronized void moveAway() {
        movedAway = true;
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
     * The next message to send ({@link OutboundQueue#next}), or {@code null}; also when {@code who} does not own
     * the session.
     */
    synchronized OutboundQueue.Outgoing next(Outlet who, int window, long nowMillis) {
        return ended || owner != who ? null : outbound.next(window, nowMillis);
    }

    /** The messages in flight, in the order they were sent (resent on resume). */
    synchronized List<OutboundQueue.Outgoing> inflight() {
        return outbound.inflight();
    }

    synchronized int inflightCount() {
        return outbound.inflightCount();
    }

    /** Adds its queued messages to {@code held[0]}, its in-flight ones to {@code held[1]}, and 1 to {@code held[2]} when offline. */
    synchronized void countInto(long[] held) {
        if (ended) {
            return;
        }
        held[0] += outbound.queuedCount();
        held[1] += outbound.inflightCount();
        if (owner == null) {
            held[2]++;
        }
    }

    synchronized int queuedCount() {
        return outbound.queuedCount();
    }

    /** Messages dropped or refused by the queue policy so far. */
    synchronized long dropped() {
        return outbound.dropped();
    }

    /** PUBACK: the QoS 1 message with {@code packetId} is done; {@code null} if there is none. */
    synchronized OutboundQueue.Outgoing acknowledged(int packetId) {
        return outbound.acknowledged(packetId);
    }

    /** PUBREC: the QoS 2 message with {@code packetId} was received; {@code null} if there is none. */
    synchronized OutboundQueue.Outgoing received(int packetId) {
        return outbound.received(packetId);
    }

    /** PUBCOMP: the released QoS 2 message with {@code packetId} is done; {@code null} if there is none. */
    synchronized OutboundQueue.Outgoing completed(int packetId) {
        return outbound.completed(packetId);
    }

    /** Removes an in-flight message that will not be completed (refused by the client, too large). */
    synchronized OutboundQueue.Outgoing abandon(int packetId) {
        return outbound.abandon(packetId);
    }

    /** An inbound QoS 2 PUBLISH: remembers its packet id; false if it is already known (a resend). */
    synchronized boolean receiveQos2(int packetId) {
        if (inboundQos2 == null) {
            inboundQos2 = new HashSet<>();
        }
        boolean added = inboundQos2.add(packetId);
        if (added && journal != null) {
            journal.inboundQos2(clientId, packetId, true);
        }
        return added;
    }

    synchronized boolean hasQos2(int packetId) {
        return inboundQos2 != null && inboundQos2.contains(packetId);
    }

    private record KeptForward(long messageId, String topic) {
    }

    /** The broker keeps the QoS 2 publish {@code packetId} (message {@code messageId}) to forward it again. */
    synchronized void keepToForwardAgain(int packetId, long messageId, String topic) {
        if (toForwardAgain == null) {
            toForwardAgain = new HashMap<>();
        }
        toForwardAgain.put(packetId, new KeptForward(messageId, topic));
    }

    /**
     * The resend of a QoS 2 publish: the id of the message the broker keeps to forward again, or -1 (none, or the
     * packet id now carries another topic: a new message).
     */
    synchronized long takeToForwardAgain(int packetId, String topic) {
        KeptForward kept = toForwardAgain == null ? null : toForwardAgain.remove(packetId);
        return kept != null && kept.topic().equals(topic) ? kept.messageId() : -1;
    }

    /** PUBREL (or a refused PUBREC): forgets the inbound QoS 2 packet id; false if it was unknown. */
    synchronized boolean releaseQos2(int packetId) {
        boolean removed = inboundQos2 != null && inboundQos2.remove(packetId);
        if (removed && journal != null) {
            journal.inboundQos2(clientId, packetId, false);
        }
        return removed;
    }

    /** Records the subscription to {@code subscription}'s filter, for the store. */
    synchronized void subscribed(Subscription subscription) {
        subscriptionsToChange().put(subscription.topicFilter(), subscription);
        save();
    }

    /**
     * Records the subscription unless it is to a new filter and the session has {@code max} subscriptions
     * already (0: no limit); whether it did. Replacing a subscription to the same filter always does.
     */
    synchronized boolean subscribedWithin(Subscription subscription, int max) {
        if (max > 0 && subscriptions.size() >= max && !subscriptions.containsKey(subscription.topicFilter())) {
            return false;
        }
        subscribed(subscription);
        return true;
    }

    /** Forgets the subscription to {@code filter}. */
    synchronized void unsubscribed(String filter) {
        if (subscriptions.remove(filter) != null) {
            save();
        }
    }

    private Map<String, Subscription> subscriptionsToChange() {
        if (!(subscriptions instanceof LinkedHashMap)) {
            subscriptions = new LinkedHashMap<>();
        }
        return subscriptions;
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
            forgetJournal();
            return;
        }
        if (journal == null) {
            journal = store;
            outbound.journalTo(store);
            if (inboundQos2 != null) {
                for (int packetId : inboundQos2) {
                    journal.inboundQos2(clientId, packetId, true);
                }
            }
        }
        save();
    }

    /** The connection ended and the session lives on: records when, and the will waiting for its delay. */
    synchronized void wentOffline(long nowMillis, long expirySeconds, Will waitingWill) {
        outbound.journalSentQos1();
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
            s.subscriptionsToChange().put(sub.topicFilter(), sub);
        }
        s.outbound.recover(journal, queued, record.offlineSince() == 0);
        if (!inbound.isEmpty()) {
            s.inboundQos2 = new HashSet<>(inbound);
        }
        return s;
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

    /** The session moves to another node: its will and expiry timers stop here, its record keeps both. */
    synchronized void stopTimers() {
        if (expiryTask != null) {
            expiryTask.cancel(false);
            expiryTask = null;
        }
        if (willTask != null) {
            willTask.cancel(false);
            willTask = null;
        }
        pendingWill = null;
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
            outbound.stopJournal();
        }
    }

    /** The session ended: everything queued or in flight fails, later deliveries fail at once. */
    synchronized void end(String reason) {
        ended = true;
        owner = null;
        outbound.failAll(reason);
        inboundQos2 = null;
        toForwardAgain = null;
        subscriptions = Collections.emptyMap();
        forgetJournal();
        if (expiryTask != null) {
            expiryTask.cancel(false);
            expiryTask = null;
        }
        takePendingWill();
    }

    @Override
    public synchronized String toString() {
        return "MQTT session of '" + clientId + "' (" + (owner == null ? "offline" : "online") + ", " + outbound
                + (ended ? ", ended" : "") + ")";
    }
}
