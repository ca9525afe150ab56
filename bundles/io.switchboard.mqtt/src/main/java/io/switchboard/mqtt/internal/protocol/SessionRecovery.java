package io.switchboard.mqtt.internal.protocol;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

import io.switchboard.api.broker.ClientSession;
import io.switchboard.api.broker.RestoredSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At start, before any client connects: the persistent sessions of the store come back, offline, with
 * their subscriptions (re-created in the broker without running the chains: the modules saw them
 * before), queued and in-flight messages and inbound QoS 2 packet ids. Expiry and wills count the time
 * the broker was down: a session that was connected when the broker died went offline when the broker
 * was last known alive, and its connection's will is due from then.
 */
final class SessionRecovery {

    private static final Logger LOG = LoggerFactory.getLogger(SessionRecovery.class);

    private final MqttProtocol protocol;
    private final SessionJournal journal;

    SessionRecovery(MqttProtocol protocol, SessionJournal journal) {
        this.protocol = protocol;
        this.journal = journal;
    }

    void run() {
        if (!journal.durable()) {
            return;
        }
        long start = System.nanoTime();
        Map<String, List<SessionJournal.QueuedRecord>> queues = new HashMap<>();
        journal.readQueues((clientId, record) -> queues.computeIfAbsent(clientId, c -> new ArrayList<>()).add(record));
        Map<String, List<Integer>> inbound = new HashMap<>();
        journal.readInbound((clientId, packetId) -> inbound.computeIfAbsent(clientId, c -> new ArrayList<>()).add(packetId));
        long now = System.currentTimeMillis();
        long lastAlive = journal.store().previousRunAlive();
        int sessions = 0;
        int messages = 0;
        List<Runnable> timers = new ArrayList<>();
        for (SessionJournal.SessionRecord record : journal.sessions()) {
            List<SessionJournal.QueuedRecord> queued = queues.remove(record.clientId());
            messages += queued == null ? 0 : queued.size();
            timers.add(restore(record, queued == null ? List.of() : queued, inbound.getOrDefault(record.clientId(), List.of()),
                    now, lastAlive == 0 ? now : lastAlive));
            sessions++;
        }
        // once every session is back: a will due at once reaches the sessions recovered after its own
        timers.forEach(Runnable::run);
        for (String orphan : queues.keySet()) {
            journal.forget(orphan); // messages of a session that ended while its last writes were on their way
        }
        LOG.info("MQTT: recovered {} persistent session{} with {} queued or in-flight message{} in {} ms", sessions,
                sessions == 1 ? "" : "s", messages, messages == 1 ? "" : "s", (System.nanoTime() - start) / 1_000_000);
    }

    /**
     * A session another node held (it let go, or it died) becomes one here, offline, as at a start after that node's
     * last sign of life {@code lostAt}: a will of a connection that died with it is due from then.
     */
    void take(String clientId, Map<String, SortedMap<String, byte[]>> records, long lostAt) {
        SessionJournal.Taken taken = SessionJournal.decodeTaken(clientId, records);
        if (taken == null) {
            return;
        }
        try {
            restore(taken.session(), taken.queued(), taken.inbound(), System.currentTimeMillis(), lostAt).run();
            LOG.info("MQTT client '{}': session taken from another node with {} queued or in-flight message(s)", clientId,
                    taken.queued().size());
        } catch (IllegalStateException e) {
            LOG.warn("MQTT client '{}': session from another node not restored: {}", clientId, e.getMessage());
        }
    }

    /** Restores one session; returns what starts its will and expiry timers. */
    private Runnable restore(SessionJournal.SessionRecord record, List<SessionJournal.QueuedRecord> queued, List<Integer> inbound,
            long now, long lastAlive) {
        ProtocolSettings settings = protocol.settings();
        SessionLifecycle sessions = protocol.sessions();
        MqttSession s = MqttSession.recovered(record, queued, inbound, journal, settings, sessions);
        ClientSession handle = protocol.broker().restore(new RestoredSession(record.clientId(), record.user(),
                record.protocol(), record.subscriptions()), s);
        sessions.recovered(s, handle);

        boolean diedConnected = record.offlineSince() == 0;
        long offlineSince = diedConnected ? lastAlive : record.offlineSince();
        if (diedConnected) {
            s.wentOffline(offlineSince, record.expirySeconds(), record.will());
        }
        return () -> {
            Will will = record.will();
            if (will != null) {
                long dueAt = diedConnected ? offlineSince + will.delaySeconds() * 1000 : record.willDueAt();
                sessions.scheduleWill(s, will, dueAt - now);
            }
            if (record.expirySeconds() != ProtocolSettings.NEVER) {
                sessions.scheduleExpiry(s, offlineSince + record.expirySeconds() * 1000 - now);
            }
        };
    }
}
