package io.switchboard.itest.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.switchboard.itest.mqtt.support.Broker;
import io.switchboard.itest.mqtt.support.BrokerExtension;
import io.switchboard.itest.mqtt.support.Names;
import io.switchboard.itest.mqtt.support.Packet;
import io.switchboard.itest.mqtt.support.Packets;
import io.switchboard.itest.mqtt.support.Paho3;
import io.switchboard.itest.mqtt.support.Paho5;
import io.switchboard.itest.mqtt.support.RawClient;
import io.switchboard.itest.mqtt.support.Transport;

/**
 * Retained messages: set (a new subscriber gets the last one, flagged retained), replace, clear with an
 * empty payload, the retain flag on live deliveries, wildcards over retained topics, and the QoS of a
 * retained delivery. MQTT 5 retain handling and retain-as-published are in {@link Mqtt5FeaturesIT}.
 */
@ExtendWith(BrokerExtension.class)
class RetainedIT {

    private static final Duration QUIET = Duration.ofMillis(400);

    @ParameterizedTest(name = "protocol level {0}")
    @ValueSource(ints = {Packets.V311, Packets.V5})
    void newSubscriberGetsTheRetainedMessageFlaggedRetained(int version, Broker broker) throws Exception {
        // 3.1.1 [MQTT-3.3.1-5], [MQTT-3.3.1-8] / 5.0 [MQTT-3.3.1-5], [MQTT-3.3.1-9]
        String topic = Names.topic("retain");
        try (Paho3 publisher = Paho3.connect(broker, Transport.TCP, Names.clientId("pub"))) {
            publisher.publish(topic, "last known value", 1, true);
        }
        try (RawClient subscriber = RawClient.open(broker, Transport.TCP)) {
            subscriber.connect(version, Names.clientId("late"));
            subscriber.subscribe(1, topic, 1);
            Packet retained = subscriber.expect(Packet.PUBLISH);
            assertThat(retained.payloadText()).isEqualTo("last known value");
            assertThat(retained.retain()).as("RETAIN flag of a retained message sent on subscribe").isTrue();
            subscriber.send(Packets.ack(Packet.PUBACK, retained.packetId()));
            subscriber.expectNothing(QUIET);
        }
    }

    @Test
    void aNewRetainedMessageReplacesTheOldOne(Broker broker) throws Exception {
        // [MQTT-3.3.1-5]: the new retained message replaces any existing one for the topic
        String topic = Names.topic("replace");
        try (Paho3 publisher = Paho3.connect(broker, Transport.TCP, Names.clientId("pub"))) {
            publisher.publish(topic, "first", 1, true);
            publisher.publish(topic, "second", 1, true);
            publisher.publish(topic, "not retained", 1, false); // a non-retained message leaves the retained one alone
        }
        try (Paho5 subscriber = Paho5.connect(broker, Transport.WEBSOCKET, Names.clientId("late"))) {
            subscriber.subscribe(topic, 1);
            Paho5.Received got = subscriber.inbox().next();
            assertThat(got.text()).isEqualTo("second");
            assertThat(got.message().isRetained()).isTrue();
            subscriber.inbox().expectNothing(QUIET);
        }
    }

    @Test
    void anEmptyRetainedMessageClearsTheTopicAndReachesCurrentSubscribers(Broker broker) throws Exception {
        // 3.1.1 [MQTT-3.3.1-10], [MQTT-3.3.1-11] / 5.0 [MQTT-3.3.1-6], [MQTT-3.3.1-7]: a zero-byte retained message
        // is delivered as normal to current subscribers and removes the retained message; it is not stored
        String topic = Names.topic("clear");
        try (Paho3 publisher = Paho3.connect(broker, Transport.TCP, Names.clientId("pub"));
                Paho3 current = Paho3.connect(broker, Transport.TCP, Names.clientId("current"))) {
            publisher.publish(topic, "soon gone", 1, true);
            current.subscribe(topic, 1);
            assertThat(current.inbox().next().text()).isEqualTo("soon gone");
            publisher.client().publish(topic, new byte[0], 1, true);
            Paho3.Received cleared = current.inbox().next();
            assertThat(cleared.message().getPayload()).as("the clearing message reaches a current subscriber").isEmpty();
        }
        try (Paho3 late = Paho3.connect(broker, Transport.TCP, Names.clientId("late"))) {
            late.subscribe(topic, 1);
            late.inbox().expectNothing(QUIET);
        }
    }

    @Test
    void v311LiveDeliveryOfARetainedPublishHasTheRetainFlagCleared(Broker broker) throws Exception {
        // 3.1.1 [MQTT-3.3.1-9]: RETAIN 0 when sent because of an established subscription, however it was published
        String topic = Names.topic("liveflag");
        try (RawClient subscriber = RawClient.open(broker, Transport.TCP);
                Paho3 publisher = Paho3.connect(broker, Transport.TCP, Names.clientId("pub"))) {
            subscriber.connect(Packets.V311, Names.clientId("live"));
            subscriber.subscribe(1, topic, 0);
            publisher.publish(topic, "live and retained", 0, true);
            Packet live = subscriber.expect(Packet.PUBLISH);
            assertThat(live.payloadText()).isEqualTo("live and retained");
            assertThat(live.retain()).as("RETAIN flag of a live delivery").isFalse();
        }
    }

    @Test
    void aWildcardSubscriptionGetsEveryMatchingRetainedMessage(Broker broker) throws Exception {
        String root = Names.topic("retainwild");
        try (Paho3 publisher = Paho3.connect(broker, Transport.TCP, Names.clientId("pub"))) {
            publisher.publish(root + "/a", "a", 0, true);
            publisher.publish(root + "/b", "b", 1, true);
            publisher.publish(root + "/c/d", "c/d", 2, true);
            publisher.publish(root + "/e", "not retained", 1, false);
        }
        try (Paho3 subscriber = Paho3.connect(broker, Transport.TLS, Names.clientId("wild"))) {
            subscriber.subscribe(root + "/#", 2);
            List<Paho3.Received> got = subscriber.inbox().next(3);
            assertThat(got).extracting(Paho3.Received::text).containsExactlyInAnyOrder("a", "b", "c/d");
            assertThat(got).allSatisfy(r -> assertThat(r.message().isRetained()).isTrue());
            subscriber.inbox().expectNothing(QUIET);
        }
    }

    @Test
    void aRetainedMessageIsDeliveredAtTheLowerOfItsQosAndTheSubscriptions(Broker broker) throws Exception {
        // 3.1.1 [MQTT-3.3.1-5] (the QoS is stored with it) + [MQTT-3.8.4-6]
        String topic = Names.topic("retainqos");
        try (Paho3 publisher = Paho3.connect(broker, Transport.TCP, Names.clientId("pub"))) {
            publisher.publish(topic, "stored at 2", 2, true);
        }
        try (RawClient low = RawClient.open(broker, Transport.TCP); RawClient high = RawClient.open(broker, Transport.TCP)) {
            low.connect(Packets.V311, Names.clientId("low"));
            high.connect(Packets.V5, Names.clientId("high"));
            low.subscribe(1, topic, 1);
            Packet atOne = low.expect(Packet.PUBLISH);
            assertThat(atOne.qos()).isEqualTo(1);
            high.subscribe(1, topic, 2);
            Packet atTwo = high.expect(Packet.PUBLISH);
            assertThat(atTwo.qos()).isEqualTo(2);
            assertThat(new String(atTwo.payload(), StandardCharsets.UTF_8)).isEqualTo("stored at 2");
        }
    }
}
