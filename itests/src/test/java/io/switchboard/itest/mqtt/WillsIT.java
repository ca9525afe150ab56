package io.switchboard.itest.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.switchboard.itest.mqtt.support.Broker;
import io.switchboard.itest.mqtt.support.BrokerExtension;
import io.switchboard.itest.mqtt.support.Names;
import io.switchboard.itest.mqtt.support.Packets;
import io.switchboard.itest.mqtt.support.Paho3;
import io.switchboard.itest.mqtt.support.Paho5;
import io.switchboard.itest.mqtt.support.Properties5;
import io.switchboard.itest.mqtt.support.RawClient;
import io.switchboard.itest.mqtt.support.Transport;

/**
 * Will messages: published when a client vanishes (connection lost, keep alive expired), not after a
 * normal DISCONNECT, retained when asked; MQTT 5 will delay (deferred, cancelled by a reconnect, sent
 * at session end when that comes first), DISCONNECT 0x04 (with will message) and will properties.
 */
@ExtendWith(BrokerExtension.class)
class WillsIT {

    private static final Duration QUIET = Duration.ofMillis(800);

    @ParameterizedTest(name = "protocol level {0}")
    @ValueSource(ints = {Packets.V311, Packets.V5})
    void willIsPublishedWhenTheConnectionIsLost(int version, Broker broker) throws Exception {
        // 3.1.1 [MQTT-3.1.2-8] / 5.0 [MQTT-3.1.2-8]: the will is published when the network connection closes
        // without a DISCONNECT
        String topic = Names.topic("will");
        try (Paho3 watcher = Paho3.connect(broker, Transport.TCP, Names.clientId("watch"))) {
            watcher.subscribe(topic, 1);
            RawClient vanishing = RawClient.open(broker, Transport.TCP);
            vanishing.connect(Packets.connect(version, Names.clientId("vanish")).will(topic, "gone", 1, false));
            vanishing.close();
            Paho3.Received will = watcher.inbox().next();
            assertThat(will.text()).isEqualTo("gone");
            assertThat(will.message().getQos()).isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "protocol level {0}")
    @ValueSource(ints = {Packets.V311, Packets.V5})
    void willIsDiscardedOnANormalDisconnect(int version, Broker broker) throws Exception {
        // 3.1.1 [MQTT-3.1.2-10], [MQTT-3.14.4-3] / 5.0 [MQTT-3.1.2-10], [MQTT-3.14.4-3]
        String topic = Names.topic("nowill");
        try (Paho3 watcher = Paho3.connect(broker, Transport.TCP, Names.clientId("watch"))) {
            watcher.subscribe(topic, 1);
            try (RawClient polite = RawClient.open(broker, Transport.TCP)) {
                polite.connect(Packets.connect(version, Names.clientId("polite")).will(topic, "should not appear", 1, false));
                polite.send(Packets.disconnect(version, 0x00, null));
                polite.awaitClosed(Duration.ofSeconds(5));
            }
            watcher.inbox().expectNothing(QUIET);
        }
    }

    @Test
    void willIsPublishedWhenTheKeepAliveExpires(Broker broker) throws Exception {
        // [MQTT-3.1.2-24] (3.1.1) keep alive expiry is a connection failure -> the will is published
        String topic = Names.topic("keepalivewill");
        try (Paho3 watcher = Paho3.connect(broker, Transport.TCP, Names.clientId("watch"));
                RawClient silent = RawClient.open(broker, Transport.TCP)) {
            watcher.subscribe(topic, 1);
            silent.connect(Packets.connect(Packets.V311, Names.clientId("silent")).keepAlive(1).will(topic, "timed out", 1, false));
            assertThat(watcher.inbox().next(Duration.ofSeconds(6)).text()).isEqualTo("timed out");
        }
    }

    @ParameterizedTest(name = "protocol level {0}")
    @ValueSource(ints = {Packets.V311, Packets.V5})
    void willIsPublishedWhenTheServerClosesTheConnectionForAProtocolError(int version, Broker broker) throws Exception {
        // 3.1.1 / 5.0 3.1.2.5: the will is published when the server closes the connection because of a protocol error
        String topic = Names.topic("errorwill");
        try (Paho3 watcher = Paho3.connect(broker, Transport.TCP, Names.clientId("watch"));
                RawClient broken = RawClient.open(broker, Transport.TCP)) {
            watcher.subscribe(topic, 1);
            broken.connect(Packets.connect(version, Names.clientId("broken")).will(topic, "broke the rules", 1, false));
            broken.sendQuietly(Packets.connect(version, Names.clientId("broken")).encode()); // a second CONNECT
            broken.awaitClosed(Duration.ofSeconds(10));
            assertThat(watcher.inbox().next().text()).isEqualTo("broke the rules");
        }
    }

    @Test
    void aRetainedWillIsKeptForLaterSubscribers(Broker broker) throws Exception {
        // 3.1.1 [MQTT-3.1.2-17] / 5.0 [MQTT-3.1.2-15]: will retain 1 -> published as a retained message
        String topic = Names.topic("retainedwill");
        try (Paho3 watcher = Paho3.connect(broker, Transport.TCP, Names.clientId("watch"))) {
            watcher.subscribe(topic, 1);
            RawClient vanishing = RawClient.open(broker, Transport.TCP);
            vanishing.connect(Packets.connect(Packets.V311, Names.clientId("vanish")).will(topic, "offline", 1, true));
            vanishing.close();
            assertThat(watcher.inbox().next().text()).as("the will, live").isEqualTo("offline");
        }
        try (Paho3 late = Paho3.connect(broker, Transport.TCP, Names.clientId("late"))) {
            late.subscribe(topic, 1);
            Paho3.Received got = late.inbox().next();
            assertThat(got.text()).isEqualTo("offline");
            assertThat(got.message().isRetained()).as("retained flag for a later subscriber").isTrue();
        }
    }

    @Test
    void v5WillDelayDefersTheWill(Broker broker) throws Exception {
        // 5.0 3.1.3.2.2 Will Delay Interval: the will is published when the delay has passed (session lasting longer)
        String topic = Names.topic("willdelay");
        try (Paho5 watcher = Paho5.connect(broker, Transport.TCP, Names.clientId("watch"))) {
            watcher.subscribe(topic, 1);
            RawClient vanishing = RawClient.open(broker, Transport.TCP);
            vanishing.connect(Packets.connect(Packets.V5, Names.clientId("delayed"))
                    .properties(Properties5.none().add(Properties5.SESSION_EXPIRY_INTERVAL, 30))
                    .will(topic, "late news", 1, false)
                    .willProperties(Properties5.none().add(Properties5.WILL_DELAY_INTERVAL, 2)));
            long lost = System.nanoTime();
            vanishing.close();
            watcher.inbox().expectNothing(Duration.ofMillis(1200));
            Paho5.Received will = watcher.inbox().next(Duration.ofSeconds(8));
            long after = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lost);
            assertThat(will.text()).isEqualTo("late news");
            assertThat(after).as("ms from the lost connection to the will (delay 2 s)").isGreaterThanOrEqualTo(1500);
        }
    }

    @Test
    void v5ReconnectingWithinTheWillDelayCancelsTheWill(Broker broker) throws Exception {
        // 5.0 3.1.3.2.2 [MQTT-3.1.3-9]: a new connection to the session before the delay passes: no will
        String topic = Names.topic("willcancel");
        String id = Names.clientId("comeback");
        try (Paho5 watcher = Paho5.connect(broker, Transport.TCP, Names.clientId("watch"))) {
            watcher.subscribe(topic, 1);
            RawClient vanishing = RawClient.open(broker, Transport.TCP);
            vanishing.connect(Packets.connect(Packets.V5, id)
                    .properties(Properties5.none().add(Properties5.SESSION_EXPIRY_INTERVAL, 30))
                    .will(topic, "must not appear", 1, false)
                    .willProperties(Properties5.none().add(Properties5.WILL_DELAY_INTERVAL, 2)));
            vanishing.close();
            try (RawClient back = RawClient.open(broker, Transport.TCP)) {
                assertThat(back.connect(Packets.connect(Packets.V5, id).cleanStart(false)
                        .properties(Properties5.none().add(Properties5.SESSION_EXPIRY_INTERVAL, 30))).sessionPresent()).isTrue();
                watcher.inbox().expectNothing(Duration.ofMillis(2600)); // past the 2 s delay
                back.send(Packets.disconnect(Packets.V5, 0, Properties5.none().add(Properties5.SESSION_EXPIRY_INTERVAL, 0)));
            }
        }
    }

    @Test
    void v5WillIsSentAtSessionEndWhenThatComesBeforeTheDelay(Broker broker) throws Exception {
        // 5.0 3.1.3.2.2: published when the delay passes or the session ends, whichever happens first
        String topic = Names.topic("willsessionend");
        try (Paho5 watcher = Paho5.connect(broker, Transport.TCP, Names.clientId("watch"))) {
            watcher.subscribe(topic, 1);
            RawClient vanishing = RawClient.open(broker, Transport.TCP);
            vanishing.connect(Packets.connect(Packets.V5, Names.clientId("shortsession"))
                    .properties(Properties5.none().add(Properties5.SESSION_EXPIRY_INTERVAL, 1))
                    .will(topic, "session over", 1, false)
                    .willProperties(Properties5.none().add(Properties5.WILL_DELAY_INTERVAL, 3600)));
            vanishing.close();
            assertThat(watcher.inbox().next(Duration.ofSeconds(8)).text()).isEqualTo("session over");
        }
    }

    @Test
    void v5DisconnectWithWillMessagePublishesTheWill(Broker broker) throws Exception {
        // 5.0 3.14.2.1: DISCONNECT reason 0x04 (Disconnect with Will Message): the server publishes the will
        String topic = Names.topic("willdisconnect");
        try (Paho5 watcher = Paho5.connect(broker, Transport.TCP, Names.clientId("watch"));
                RawClient client = RawClient.open(broker, Transport.TCP)) {
            watcher.subscribe(topic, 1);
            client.connect(Packets.connect(Packets.V5, Names.clientId("leaving")).will(topic, "left on purpose", 0, false));
            client.send(Packets.disconnect(Packets.V5, 0x04, null));
            assertThat(watcher.inbox().next().text()).isEqualTo("left on purpose");
        }
    }

    @Test
    void v5WillPropertiesReachTheSubscriber(Broker broker) throws Exception {
        // 5.0 3.1.3.2: content type, response topic, correlation data and user properties (in order [MQTT-3.1.3-10])
        String topic = Names.topic("willprops");
        try (Paho5 watcher = Paho5.connect(broker, Transport.TCP, Names.clientId("watch"))) {
            watcher.subscribe(topic, 1);
            RawClient vanishing = RawClient.open(broker, Transport.TCP);
            vanishing.connect(Packets.connect(Packets.V5, Names.clientId("richwill")).will(topic, "{\"state\":\"offline\"}", 1, false)
                    .willProperties(Properties5.none()
                            .add(Properties5.CONTENT_TYPE, "application/json")
                            .add(Properties5.RESPONSE_TOPIC, topic + "/reply")
                            .add(Properties5.CORRELATION_DATA, new byte[] {1, 2, 3})
                            .user("first", "1").user("second", "2")));
            vanishing.close();
            Paho5.Received will = watcher.inbox().next();
            assertThat(will.properties().getContentType()).isEqualTo("application/json");
            assertThat(will.properties().getResponseTopic()).isEqualTo(topic + "/reply");
            assertThat(will.properties().getCorrelationData()).containsExactly(1, 2, 3);
            assertThat(will.properties().getUserProperties()).extracting(p -> p.getKey() + "=" + p.getValue())
                    .containsSubsequence("first=1", "second=2");
        }
    }
}
