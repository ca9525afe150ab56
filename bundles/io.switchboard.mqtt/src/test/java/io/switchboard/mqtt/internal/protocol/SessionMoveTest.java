package io.switchboard.mqtt.internal.protocol;

import static io.netty.handler.codec.mqtt.MqttMessageType.CONNACK;
import static io.netty.handler.codec.mqtt.MqttMessageType.DISCONNECT;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBACK;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBLISH;
import static io.netty.handler.codec.mqtt.MqttMessageType.SUBACK;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.switchboard.api.Message;
import io.switchboard.api.broker.SessionHandover;
import org.junit.jupiter.api.Test;

/**
 * Sessions moving between nodes, the front door's part ({@link io.switchboard.api.broker.SessionHolder},
 * {@link SessionHandover}): letting go of a session writes what another node needs to take it, taking it restores it
 * for the client to resume, and a login waits for the cluster's claim.
 */
class SessionMoveTest extends LoopbackTest {

    private static MqttProperties expiry(int seconds) {
        MqttProperties p = new MqttProperties();
        p.add(new MqttProperties.IntegerProperty(MqttProperties.SESSION_EXPIRY_INTERVAL, seconds));
        return p;
    }

    /** One message in flight at a time, so a second one stays queued however fast the broker writes. */
    private static MqttProperties expiryOneInFlight(int seconds) {
        MqttProperties p = expiry(seconds);
        p.add(new MqttProperties.IntegerProperty(MqttProperties.RECEIVE_MAXIMUM, 1));
        return p;
    }

    private TestClient persistent5(String id) {
        TestClient c = client();
        c.connect(TestClient.connectBuilder(MqttVersion.MQTT_5, id, false).properties(expiryOneInFlight(60)).build());
        return c;
    }

    @Test
    void aSessionLetGoClosesItsConnectionLeavesTheBrokerAndItsRecordsRestoreItForTheClientToResume() throws Exception {
        TestClient first = persistent5("mover");
        first.subscribe(1, "t", 1);
        first.expect(SUBACK);
        broker.deliverTo("mover", Message.builder("t").qos(1).payload("in flight").build());
        TestClient.Packet sent = first.expect(PUBLISH); // not acknowledged
        broker.deliverTo("mover", Message.builder("t").qos(1).payload("queued").build());
        eventually(() -> assertThat(recordsOf("mover").get(SessionJournal.QUEUE)).hasSize(2));
        first.expectNothing(100); // the client's receive maximum holds "queued" back

        protocol.letGo("mover", "session taken over on node b").toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(first.expect(DISCONNECT).reasonCode()).as("taken over").isEqualTo(0x8E);
        assertThat(broker.events).contains("release mover: session taken over on node b");
        assertThat(protocol.holds("mover")).isFalse();

        // what the other node reads from the cluster: the records this node wrote
        Map<String, SortedMap<String, byte[]>> records = recordsOf("mover");
        assertThat(records.get(SessionJournal.QUEUE)).hasSize(2);
        protocol.take("mover", records, System.currentTimeMillis());
        assertThat(protocol.holds("mover")).isTrue();

        TestClient back = client();
        TestClient.Packet ack = back.connect(TestClient.connectBuilder(MqttVersion.MQTT_5, "mover", false)
                .properties(expiry(60)).build());
        assertThat(((MqttConnAckMessage) ack.message()).variableHeader().isSessionPresent()).isTrue();
        TestClient.Packet resent = back.expect(PUBLISH);
        assertThat(resent.text()).isEqualTo("in flight");
        assertThat(resent.publish().fixedHeader().isDup()).isTrue();
        assertThat(resent.publish().variableHeader().packetId()).isEqualTo(sent.publish().variableHeader().packetId());
        back.reply(PUBACK, resent.publish().variableHeader().packetId(), 0);
        TestClient.Packet queued = back.expect(PUBLISH);
        assertThat(queued.text()).isEqualTo("queued");
        back.reply(PUBACK, queued.publish().variableHeader().packetId(), 0);
        eventually(() -> assertThat(recordsOf("mover").getOrDefault(SessionJournal.QUEUE, new TreeMap<>())).isEmpty());
    }

    @Test
    void aDeliveryReachingTheSessionAfterTheLetGoIsPassedOnNotQueuedHere() throws Exception {
        TestClient first = persistent5("mover");
        first.subscribe(1, "t", 1);
        first.expect(SUBACK);
        io.switchboard.api.broker.Receiver receiver = broker.sessions.get("mover").receiver;

        protocol.letGo("mover", "session taken over on node b").toCompletableFuture().get(5, TimeUnit.SECONDS);
        // a delivery the broker had routed before the release, reaching the session after it
        Message late = Message.builder("t").qos(1).payload("late").id(99).build();
        FakeBroker.Outcome outcome = new FakeBroker.Outcome("mover", late, List.of());
        receiver.deliver(late, outcome);

        assertThat(outcome.result.getNow("pending")).isEqualTo("moved");
        assertThat(recordsOf("mover").getOrDefault(SessionJournal.QUEUE, new TreeMap<>())).isEmpty();
    }

    @Test
    void aLetGoReachesTheNamedClientsSessionOnlyAndAgainAfterATakeoverHere() throws Exception {
        TestClient stays = persistent5("stays");
        TestClient mover = persistent5("mover");
        // the same client id again, starting clean: a new state replaces the first
        TestClient takeover = client();
        takeover.connect(TestClient.connectBuilder(MqttVersion.MQTT_5, "mover", true).properties(expiryOneInFlight(60))
                .build());
        assertThat(mover.expect(DISCONNECT).reasonCode()).as("taken over here").isEqualTo(0x8E);

        protocol.letGo("mover", "session taken over on node b").toCompletableFuture().get(5, TimeUnit.SECONDS);

        assertThat(takeover.expect(DISCONNECT).reasonCode()).as("the state of the takeover let go").isEqualTo(0x8E);
        assertThat(protocol.holds("mover")).isFalse();
        assertThat(protocol.holds("stays")).isTrue();
        stays.expectNothing(100);
    }

    @Test
    void letGoOfASessionThisNodeDoesNotHoldCompletesAtOnce() {
        assertThat(protocol().letGo("nobody", "taken").toCompletableFuture()).isCompleted();
    }

    @Test
    void aLoginWaitsForTheClusterToHandTheSessionOverAndIsRefusedWhenItCannot() {
        TestClient waiting = client();
        FakeHandover handover = new FakeHandover();
        protocol.handover = handover;

        waiting.send(TestClient.connectBuilder(MqttVersion.MQTT_5, "waits", false).properties(expiry(60)).build());
        eventually(() -> assertThat(handover.claims).containsExactly("waits"));
        assertThat(protocol.holds("waits")).as("a login in progress").isTrue();
        waiting.expectNothing(200);
        handover.pending.complete(null);
        assertThat(waiting.expect(CONNACK).reasonCode()).isZero();

        handover.pending = new CompletableFuture<>();
        TestClient refused = client();
        refused.send(TestClient.connectBuilder(MqttVersion.MQTT_5, "refused", true).build());
        eventually(() -> assertThat(handover.claims).contains("refused"));
        handover.pending.completeExceptionally(new IllegalStateException("cluster lost"));
        assertThat(refused.expect(CONNACK).reasonCode()).as("server unavailable").isEqualTo(0x88);
        eventually(() -> assertThat(handover.ended).contains("refused"));
        assertThat(protocol.holds("refused")).isFalse();
    }

    @Test
    void theClusterHearsWhenASessionEnds() {
        FakeHandover handover = new FakeHandover();
        handover.pending.complete(null);
        protocol().handover = handover;
        TestClient c = client();
        c.connect(MqttVersion.MQTT_5, "brief", true);
        assertThat(protocol.holds("brief")).isTrue();
        c.disconnect();
        eventually(() -> assertThat(handover.ended).containsExactly("brief"));
        assertThat(protocol.holds("brief")).isFalse();
    }

    private MqttProtocol protocol() {
        port();
        return protocol;
    }

    private Map<String, SortedMap<String, byte[]>> recordsOf(String clientId) {
        Map<String, SortedMap<String, byte[]>> records = new TreeMap<>();
        for (String space : List.of(SessionJournal.SESSIONS, SessionJournal.QUEUE, SessionJournal.INBOUND)) {
            stateStore.read(space, (key, value) -> {
                if (key.equals(clientId) || key.startsWith(clientId + '\u0000')) {
                    records.computeIfAbsent(space, s -> new TreeMap<>()).put(key, value);
                }
            });
        }
        return records;
    }

    private static final class FakeHandover implements SessionHandover {
        final List<String> claims = new CopyOnWriteArrayList<>();
        final List<String> ended = new CopyOnWriteArrayList<>();
        volatile CompletableFuture<Void> pending = new CompletableFuture<>();

        @Override
        public CompletionStage<Void> claim(String clientId) {
            claims.add(clientId);
            return pending;
        }

        @Override
        public void ended(String clientId) {
            ended.add(clientId);
        }
    }
}
