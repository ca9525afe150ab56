package io.switchboard.mqtt.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import io.switchboard.api.Message;
import io.switchboard.api.Subscription;
import io.switchboard.api.broker.Delivery;
import io.switchboard.store.MemoryStateStore;
import org.junit.jupiter.api.Test;

/** The session state on its own: queue policy, window, packet ids, acknowledgements, ends. */
class MqttSessionTest {

    private static final class Recorder implements Delivery {
        final String name;
        final List<Integer> subscriptionIds;
        String outcome = "pending";

        Recorder(String name) {
            this(name, List.of());
        }

        Recorder(String name, List<Integer> subscriptionIds) {
            this.name = name;
            this.subscriptionIds = subscriptionIds;
        }

        @Override
        public List<Integer> subscriptionIds() {
            return subscriptionIds;
        }

        @Override
        public void delivered() {
            outcome = "delivered";
        }

        @Override
        public void failed(String reason) {
            outcome = "failed: " + reason;
        }
    }

    private static final class Owner implements MqttSession.Outlet {
        int wakes;
        boolean writable;

        @Override
        public void wake() {
            wakes++;
        }

        @Override
        public boolean isWritable() {
            return writable;
        }

        @Override
        public Will leave() {
            return null;
        }

        @Override
        public long sessionExpiry() {
            return 0;
        }
    }

    private final List<Recorder> deliveries = new ArrayList<>();

    private Recorder deliver(MqttSession s, String name, int qos) {
        return deliver(s, name, qos, List.of());
    }

    private Recorder deliver(MqttSession s, String name, int qos, List<Integer> subscriptionIds) {
        Recorder r = new Recorder(name, subscriptionIds);
        deliveries.add(r);
        s.deliver(Message.builder("t").qos(qos).payload(name).build(), r);
        return r;
    }

    @Test
    void fullQueueDropsNewQos0AndOldestQos0ForQos1ThenRefuses() {
        MqttSession s = new MqttSession("c", 3, Long.MAX_VALUE, true, null);
        Recorder a0 = deliver(s, "a0", 0);
        Recorder b1 = deliver(s, "b1", 1);
        Recorder c0 = deliver(s, "c0", 0);
        Recorder d0 = deliver(s, "d0", 0); // full: the new QoS 0 is dropped
        Recorder e2 = deliver(s, "e2", 2); // pushes out a0
        Recorder f1 = deliver(s, "f1", 1); // pushes out c0
        Recorder g1 = deliver(s, "g1", 1); // no QoS 0 left: refused

        assertThat(a0.outcome).isEqualTo("failed: queue full");
        assertThat(c0.outcome).isEqualTo("failed: queue full");
        assertThat(d0.outcome).isEqualTo("failed: queue full");
        assertThat(g1.outcome).isEqualTo("failed: queue full");
        assertThat(List.of(b1, e2, f1)).allMatch(r -> r.outcome.equals("pending"));
        assertThat(s.queuedCount()).isEqualTo(3);
        assertThat(s.dropped()).isEqualTo(4);
    }

    @Test
    void theQueuedPayloadBytesAreBoundedWithTheSamePolicy() {
        MqttSession s = new MqttSession("c", 100, 10, true, null);
        Recorder small0 = deliver(s, "1234", 0); // 4 bytes
        Recorder six1 = deliver(s, "123456", 1); // 10 bytes: full
        Recorder more0 = deliver(s, "x", 0); // a new QoS 0 is dropped
        Recorder four1 = deliver(s, "abcd", 1); // pushes out the QoS 0 message
        Recorder one1 = deliver(s, "y", 1); // nothing left to push out: refused

        assertThat(small0.outcome).isEqualTo("failed: queue full");
        assertThat(more0.outcome).isEqualTo("failed: queue full");
        assertThat(one1.outcome).isEqualTo("failed: queue full");
        assertThat(List.of(six1, four1)).allMatch(r -> r.outcome.equals("pending"));
        assertThat(s.queuedCount()).isEqualTo(2);
    }

    @Test
    void aPersistentSessionComesBackFromItsJournalWithItsQueueInFlightMessagesAndSubscriptions() {
        MemoryStateStore store = new MemoryStateStore();
        SessionJournal journal = new SessionJournal(store);
        ProtocolSettings settings = ProtocolSettings.defaults();
        MqttSession s = new MqttSession("c", settings, null);
        Owner owner = new Owner();
        s.attach(owner, null);
        s.persist(journal, "alice", "mqtt-5", 600, null);
        s.subscribed(new Subscription("a/#", 2, false, false, 0, 7));
        deliver(s, "q1", 1);
        deliver(s, "q2", 2, List.of(7, 9));
        deliver(s, "q0", 0); // QoS 0 is not kept
        deliver(s, "q1b", 1);
        OutboundQueue.Outgoing first = s.next(owner, 10, 0);
        OutboundQueue.Outgoing second = s.next(owner, 10, 0);
        s.received(second.packetId); // PUBREC of the QoS 2 message
        s.acknowledged(first.packetId); // q1 done
        s.release();
        s.wentOffline(1000, 600, null);

        List<SessionJournal.SessionRecord> sessions = journal.sessions();
        assertThat(sessions).singleElement().satisfies(r -> {
            assertThat(r.user()).isEqualTo("alice");
            assertThat(r.offlineSince()).isEqualTo(1000);
            assertThat(r.subscriptions()).containsExactly(new Subscription("a/#", 2, false, false, 0, 7));
        });
        List<SessionJournal.QueuedRecord> queued = new ArrayList<>();
        journal.readQueues((clientId, r) -> queued.add(r));
        assertThat(queued).extracting(r -> r.message().payloadText()).containsExactly("q2", "q1b");
        assertThat(queued.get(0).released()).as("the PUBREC is kept").isTrue();
        assertThat(queued.get(0).packetId()).isEqualTo(second.packetId);

        MqttSession back = MqttSession.recovered(sessions.get(0), queued, List.of(), journal, settings, null);
        assertThat(back.inflight()).singleElement().satisfies(o -> {
            assertThat(o.packetId).isEqualTo(second.packetId);
            assertThat(o.released).isTrue();
            assertThat(o.subscriptionIds).as("the identifiers it was delivered with").containsExactly(7, 9);
        });
        assertThat(back.queuedCount()).isEqualTo(1);
        assertThat(back.subscriptions()).containsExactly(new Subscription("a/#", 2, false, false, 0, 7));

        back.end("expired");
        assertThat(store.size(SessionJournal.SESSIONS) + store.size(SessionJournal.QUEUE)).as("an ended session leaves nothing").isZero();
    }

    @Test
    void theKeptWillIsTheConnectionsOwnAndAWaitingWillLeavesTheRecordWhenTheClientIsBack() {
        SessionJournal journal = new SessionJournal(new MemoryStateStore());
        MqttSession s = new MqttSession("c", ProtocolSettings.defaults(), null);
        Will first = new Will(Message.builder("will/first").payload("1").build(), 60, 0);
        Will second = new Will(Message.builder("will/second").payload("2").build(), 60, 0);
        Owner owner = new Owner();
        s.attach(owner, null);
        s.persist(journal, "u", "mqtt-5", 600, first);
        assertThat(journal.sessions().get(0).will()).isEqualTo(first);

        s.release();
        s.pendingWill(first);
        s.wentOffline(1000, 600, first);
        assertThat(journal.sessions().get(0).willDueAt()).as("due after its delay").isEqualTo(61_000);

        s.attach(new Owner(), null); // the client is back within the delay, with another will
        s.persist(journal, "u", "mqtt-5", 600, second);
        assertThat(s.takePendingWill()).isEqualTo(first);
        assertThat(journal.sessions().get(0).will()).as("the new connection's will is kept").isEqualTo(second);
        assertThat(journal.sessions().get(0).willDueAt()).isZero();
    }

    @Test
    void aWritableConnectionTakesABurstBeyondTheQueueLimitUntilItBacksUp() {
        MqttSession s = new MqttSession("c", 3, Long.MAX_VALUE, true, null);
        Owner owner = new Owner();
        owner.writable = true;
        s.attach(owner, null);
        for (int i = 0; i < 3 * OutboundQueue.BURST_FACTOR; i++) {
            deliver(s, "burst" + i, 0);
        }
        assertThat(deliver(s, "beyond the burst", 0).outcome).isEqualTo("failed: queue full");
        assertThat(s.queuedCount()).isEqualTo(3 * OutboundQueue.BURST_FACTOR);

        owner.writable = false; // backed up: the configured limit applies again
        assertThat(deliver(s, "backed up", 0).outcome).isEqualTo("failed: queue full");
    }

    @Test
    void qos0ForAnOfflineClientCanBeRefused() {
        MqttSession s = new MqttSession("c", 10, Long.MAX_VALUE, false, null);
        assertThat(deliver(s, "x", 0).outcome).startsWith("failed: QoS 0 message for an offline client");
        s.attach(new Owner(), null);
        deliver(s, "y", 0);
        assertThat(s.queuedCount()).isEqualTo(1);
    }

    @Test
    void wakesTheOwnerAndSendsWithinTheWindow() {
        MqttSession s = new MqttSession("c", 10, Long.MAX_VALUE, true, null);
        Owner owner = new Owner();
        s.attach(owner, null);
        deliver(s, "1", 1);
        deliver(s, "2", 1);
        deliver(s, "3", 0);
        assertThat(owner.wakes).isEqualTo(3);

        OutboundQueue.Outgoing first = s.next(owner, 1, System.currentTimeMillis());
        assertThat(first.packetId).isEqualTo(1);
        assertThat(s.next(owner, 1, System.currentTimeMillis())).as("window of 1 is full").isNull();
        assertThat(s.next(new Owner(), 5, System.currentTimeMillis())).as("not the owner").isNull();
        assertThat(s.acknowledged(first.packetId)).isSameAs(first);
        OutboundQueue.Outgoing second = s.next(owner, 1, System.currentTimeMillis());
        assertThat(second.packetId).isEqualTo(2);
        assertThat(s.acknowledged(2)).isSameAs(second);
        OutboundQueue.Outgoing third = s.next(owner, 1, System.currentTimeMillis());
        assertThat(third.packetId).as("QoS 0 has no packet id").isZero();
        assertThat(s.inflightCount()).isZero();
    }

    @Test
    void qos2NeedsPubrecBeforePubcompAndPacketIdsWrapSkippingTheUsedOnes() {
        MqttSession s = new MqttSession("c", 100_000, Long.MAX_VALUE, true, null);
        Owner owner = new Owner();
        s.attach(owner, null);
        deliver(s, "q2", 2);
        OutboundQueue.Outgoing o = s.next(owner, 10, 0);
        assertThat(s.acknowledged(o.packetId)).as("PUBACK is not for QoS 2").isNull();
        assertThat(s.completed(o.packetId)).as("PUBCOMP before PUBREC").isNull();
        assertThat(s.received(o.packetId)).isSameAs(o);
        assertThat(o.released).isTrue();
        assertThat(s.completed(o.packetId)).isSameAs(o);

        MqttSession ids = new MqttSession("d", 100_000, Long.MAX_VALUE, true, null);
        ids.attach(owner, null);
        deliver(ids, "held", 1);
        assertThat(ids.next(owner, 10, 0).packetId).isEqualTo(1);
        for (int i = 0; i < 65_533; i++) {
            deliver(ids, "x", 1);
            ids.acknowledged(ids.next(owner, 10, 0).packetId);
        }
        deliver(ids, "last", 1);
        assertThat(ids.next(owner, 10, 0).packetId).isEqualTo(65_535);
        deliver(ids, "wrapped", 1);
        assertThat(ids.next(owner, 10, 0).packetId).as("1 is still in flight").isEqualTo(2);
    }

    @Test
    void expiredMessagesAreDroppedWhenTheirTurnComes() {
        MqttSession s = new MqttSession("c", 10, Long.MAX_VALUE, true, null);
        Owner owner = new Owner();
        s.attach(owner, null);
        Recorder r = new Recorder("old");
        s.deliver(Message.builder("t").qos(1).expiresAt(1000).build(), r);
        deliver(s, "fresh", 1);
        assertThat(s.next(owner, 10, 2000).message.payloadText()).isEqualTo("fresh");
        assertThat(r.outcome).isEqualTo("failed: expired while queued for the client");
    }

    @Test
    void inboundQos2Ids() {
        MqttSession s = new MqttSession("c", 10, Long.MAX_VALUE, true, null);
        assertThat(s.receiveQos2(7)).isTrue();
        assertThat(s.receiveQos2(7)).isFalse();
        assertThat(s.releaseQos2(7)).isTrue();
        assertThat(s.releaseQos2(7)).isFalse();
    }

    @Test
    void aMessageIsSentWithTheSubscriptionIdentifiersItWasDeliveredWithNotThoseOfTheFiltersNow() {
        MqttSession s = new MqttSession("c", 10, Long.MAX_VALUE, true, null);
        Owner owner = new Owner();
        s.attach(owner, null);
        s.subscribed(new Subscription("a/#", 1, false, false, 0, 2));
        deliver(s, "two", 1, List.of(2, 4));
        deliver(s, "none", 0, List.of());
        s.unsubscribed("a/#");

        assertThat(s.next(owner, 10, 0).subscriptionIds).containsExactly(2, 4);
        assertThat(s.next(owner, 10, 0).subscriptionIds).isEmpty();
    }

    @Test
    void endingFailsEverythingAndLaterDeliveries() {
        MqttSession s = new MqttSession("c", 10, Long.MAX_VALUE, true, null);
        Owner owner = new Owner();
        s.attach(owner, null);
        Recorder inflight = deliver(s, "sent", 1);
        s.next(owner, 10, 0);
        Recorder queued = deliver(s, "queued", 1);
        s.end("session expired");
        assertThat(inflight.outcome).isEqualTo("failed: session expired");
        assertThat(queued.outcome).isEqualTo("failed: session expired");
        assertThat(deliver(s, "late", 1).outcome).isEqualTo("failed: the client's session has ended");
        assertThat(s.release()).isNull();
    }

    @Test
    void attachCountsEpochsAndADueWillIsTakenOnlyOfflineInItsEpoch() {
        MqttSession s = new MqttSession("c", 10, Long.MAX_VALUE, true, null);
        Owner first = new Owner();
        Owner second = new Owner();
        s.attach(first, null);
        int epoch = s.epoch();
        s.attach(second, null);
        assertThat(s.release()).isSameAs(second);
        assertThat(s.release()).isNull();
        assertThat(s.offlineSince(epoch)).isFalse();
        assertThat(s.offlineSince(s.epoch())).isTrue();

        Will will = new Will(Message.builder("will").build(), 5, 0);
        s.pendingWill(will);
        assertThat(s.takeDueWill(will, epoch)).as("due in an earlier attachment").isFalse();
        assertThat(s.takeDueWill(will, s.epoch())).isTrue();
        assertThat(s.takeDueWill(will, s.epoch())).as("taken once").isFalse();
    }
}
