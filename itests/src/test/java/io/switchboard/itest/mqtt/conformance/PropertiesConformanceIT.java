package io.switchboard.itest.mqtt.conformance;

import static io.switchboard.itest.mqtt.conformance.Conformance.QUIET;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;

import io.switchboard.itest.mqtt.support.Broker;
import io.switchboard.itest.mqtt.support.BrokerExtension;
import io.switchboard.itest.mqtt.support.Hive;
import io.switchboard.itest.mqtt.support.Names;
import io.switchboard.itest.mqtt.support.Packet;
import io.switchboard.itest.mqtt.support.Packets;
import io.switchboard.itest.mqtt.support.Paho5;
import io.switchboard.itest.mqtt.support.Properties5;
import io.switchboard.itest.mqtt.support.RawClient;
import io.switchboard.itest.mqtt.support.Transport;

/**
 * PUBLISH properties as the subscriber gets them: EXACTLY those the publisher sent (payload format indicator,
 * message expiry counted down, content type, response topic, correlation data, user properties in order), nothing
 * added, on the wire and as Paho 5 and HiveMQ users see them, for live, retained and will messages; an MQTT 5
 * message to an MQTT 3.1.1 subscriber; the Maximum Packet Size in both directions, to the byte.
 * (Mqtt5FeaturesIT checks each property is present; here nothing else may be.)
 */
@ExtendWith(BrokerExtension.class)
class PropertiesConformanceIT {

    private static final byte[] CORRELATION = {0, 1, 2, (byte) 0xFE, (byte) 0xFF};

    private static Properties5 everyProperty(String responseTopic) {
        return Properties5.none()
                .add(Properties5.PAYLOAD_FORMAT_INDICATOR, 1)
                .add(Properties5.MESSAGE_EXPIRY_INTERVAL, 120)
                .add(Properties5.CONTENT_TYPE, "application/json; charset=utf-8")
                .add(Properties5.RESPONSE_TOPIC, responseTopic)
                .add(Properties5.CORRELATION_DATA, CORRELATION)
                .user("region", "eu").user("b", "2").user("region", "us").user("empty", "").user("\u043a\u043b\u044e\u0447", "\u263A");
    }

    private static final List<String> USER_PROPERTIES = List.of("region=eu", "b=2", "region=us", "empty=",
            "\u043a\u043b\u044e\u0447=\u263A");

    /** Checks that {@code got} has exactly the properties of {@link #everyProperty}, the expiry counted down. */
    private static void assertEveryPropertyExactly(Packet got, String responseTopic) {
        Properties5 p = got.properties();
        assertThat(p.userProperties()).as("user properties of " + got + " [MQTT-3.3.2-17], [MQTT-3.3.2-18]")
                .containsExactlyElementsOf(USER_PROPERTIES);
        assertThat(p.integers(Properties5.MESSAGE_EXPIRY_INTERVAL)).as("Message Expiry Interval [MQTT-3.3.2-6]")
                .singleElement().satisfies(e -> assertThat(e).isBetween(110, 120));
        List<String> others = Conformance.otherProperties(p).stream().filter(s -> !s.startsWith("0x02:")).toList();
        assertThat(others).as("the other properties of " + got + ", nothing added or lost ([MQTT-3.3.2-4], [MQTT-3.3.2-15], "
                + "[MQTT-3.3.2-16], [MQTT-3.3.2-20])").containsExactlyInAnyOrder(
                        "0x01:1", "0x03:application/json; charset=utf-8", "0x08:" + responseTopic,
                        "0x09:" + new String(CORRELATION, StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "published at QoS {0}")
    @ValueSource(ints = {0, 1, 2})
    void everyPublishPropertyIsForwardedExactlyAndUserPropertiesInOrder(int qos, Broker broker) throws Exception {
        // [MQTT-3.3.2-4] payload format indicator, [MQTT-3.3.2-6] expiry (counted down), [MQTT-3.3.2-15] response
        // topic, [MQTT-3.3.2-16] correlation data, [MQTT-3.3.2-17]/[MQTT-3.3.2-18] user properties unaltered and in
        // order, [MQTT-3.3.2-20] content type: forwarded as sent, nothing added
        String topic = Names.topic("allprops" + qos);
        try (RawClient subscriber = RawClient.open(broker, Transport.TCP);
                RawClient publisher = RawClient.open(broker, Transport.TCP)) {
            subscriber.connect(Packets.V5, Names.clientId("propsub"));
            publisher.connect(Packets.V5, Names.clientId("proppub"));
            subscriber.subscribe(1, topic, 2);
            publisher.send(Packets.publish(Packets.V5, topic, qos, false, false, 7, "{\"t\":21.5}".getBytes(StandardCharsets.UTF_8),
                    everyProperty(topic + "/reply")));
            Packet got = subscriber.expect(Packet.PUBLISH);
            assertThat(got.qos()).isEqualTo(qos);
            assertThat(got.payloadText()).isEqualTo("{\"t\":21.5}");
            assertEveryPropertyExactly(got, topic + "/reply");
            Conformance.acknowledge(subscriber, got);
        }
    }

    @Test
    void realClientsSeeExactlyThePropertiesTheOtherSent(Broker broker) throws Exception {
        // the same rules as Paho 5 and HiveMQ users see them, both ways, over TCP and WebSocket
        String topic = Names.topic("clientprops");
        Mqtt5BlockingClient hive = Hive.v5(broker, Transport.WEBSOCKET, Names.clientId("hive"));
        hive.connect();
        try (Paho5 paho = Paho5.connect(broker, Transport.TCP, Names.clientId("paho"));
                Mqtt5BlockingClient.Mqtt5Publishes publishes = hive.publishes(MqttGlobalPublishFilter.ALL)) {
            hive.subscribeWith().topicFilter(topic + "/to-hive").qos(MqttQos.EXACTLY_ONCE).send();
            paho.subscribe(topic + "/to-paho", 2);

            MqttProperties props = new MqttProperties();
            props.setPayloadFormat(true);
            props.setMessageExpiryInterval(120L);
            props.setContentType("text/plain");
            props.setResponseTopic(topic + "/reply");
            props.setCorrelationData(CORRELATION);
            props.setUserProperties(List.of(new UserProperty("z", "1"), new UserProperty("a", "2"), new UserProperty("z", "3")));
            paho.publish(topic + "/to-hive", new MqttMessage("from paho".getBytes(StandardCharsets.UTF_8), 1, false, props));
            Mqtt5Publish got = Conformance.receive(publishes, "the HiveMQ subscriber");
            assertThat(got.getUserProperties().asList()).as("user properties HiveMQ received [MQTT-3.3.2-17], [MQTT-3.3.2-18]")
                    .extracting(u -> u.getName() + "=" + u.getValue()).containsExactly("z=1", "a=2", "z=3");
            assertThat(got.getPayloadFormatIndicator()).contains(Mqtt5PayloadFormatIndicator.UTF_8);
            assertThat(got.getMessageExpiryInterval().orElse(-1)).as("Message Expiry Interval").isBetween(110L, 120L);
            assertThat(got.getContentType()).map(Object::toString).contains("text/plain");
            assertThat(got.getResponseTopic()).map(Object::toString).contains(topic + "/reply");
            assertThat(got.getCorrelationData()).map(Conformance::bytes).contains(CORRELATION);

            hive.publishWith().topic(topic + "/to-paho").payload("from hive".getBytes(StandardCharsets.UTF_8)).qos(MqttQos.EXACTLY_ONCE)
                    .contentType("application/octet-stream").payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UNSPECIFIED)
                    .responseTopic(topic + "/reply").correlationData(CORRELATION)
                    .userProperties().add("k", "v1").add("j", "v2").add("k", "v3").applyUserProperties().send();
            Paho5.Received back = paho.inbox().next();
            assertThat(back.text()).isEqualTo("from hive");
            assertThat(back.properties().getUserProperties()).as("user properties Paho 5 received [MQTT-3.3.2-17], [MQTT-3.3.2-18]")
                    .extracting(u -> u.getKey() + "=" + u.getValue()).containsExactly("k=v1", "j=v2", "k=v3");
            assertThat(back.properties().getContentType()).isEqualTo("application/octet-stream");
            assertThat(back.properties().getPayloadFormat()).as("payload format indicator 0 (or absent)").isFalse();
            assertThat(back.properties().getMessageExpiryInterval()).as("no Message Expiry Interval was sent").isNull();
            assertThat(back.properties().getResponseTopic()).isEqualTo(topic + "/reply");
            assertThat(back.properties().getCorrelationData()).containsExactly(CORRELATION);
        } finally {
            Hive.disconnect(hive);
        }
    }

    @Test
    void aRetainedMessageKeepsExactlyItsProperties(Broker broker) throws Exception {
        // 3.3.1.3: the retained message is the Application Message, properties included; delivered to a new
        // subscription with RETAIN 1 [MQTT-3.3.1-9], its properties as published ([MQTT-3.3.2-17] and the rest)
        String topic = Names.topic("retainedprops");
        try (RawClient publisher = RawClient.open(broker, Transport.TCP)) {
            publisher.connect(Packets.V5, Names.clientId("retpub"));
            publisher.send(Packets.publish(Packets.V5, topic, 1, true, false, 1, "{}".getBytes(StandardCharsets.UTF_8),
                    everyProperty(topic + "/reply")));
            publisher.expect(Packet.PUBACK);
            try (RawClient late = RawClient.open(broker, Transport.TCP)) {
                late.connect(Packets.V5, Names.clientId("retsub"));
                late.subscribe(1, topic, 1);
                Packet got = late.expect(Packet.PUBLISH);
                assertThat(got.retain()).as("RETAIN on a retained message sent for a new subscription").isTrue();
                assertEveryPropertyExactly(got, topic + "/reply");
                Conformance.acknowledge(late, got);
            } finally {
                publisher.send(Packets.publish(Packets.V5, topic, 1, true, 2, "")); // clear it
                publisher.expect(Packet.PUBACK);
            }
        }
    }

    @Test
    void willPropertiesArriveExactlyAndInOrder(Broker broker) throws Exception {
        // 3.1.3.2: the will properties are sent with the Will Message; [MQTT-3.1.3-10] user properties in order;
        // nothing added
        String topic = Names.topic("willprops");
        try (RawClient watcher = RawClient.open(broker, Transport.TCP)) {
            watcher.connect(Packets.V5, Names.clientId("willwatch"));
            watcher.subscribe(1, topic, 1);
            RawClient vanishing = RawClient.open(broker, Transport.TCP);
            vanishing.connect(Packets.connect(Packets.V5, Names.clientId("willprops")).will(topic, "{}", 1, false)
                    .willProperties(everyProperty(topic + "/reply")));
            vanishing.close();
            Packet will = watcher.expect(Packet.PUBLISH, Duration.ofSeconds(10));
            assertThat(will.payloadText()).isEqualTo("{}");
            assertEveryPropertyExactly(will, topic + "/reply");
            Conformance.acknowledge(watcher, will);
        }
    }

    @Test
    void aV5MessageReachesAV311SubscriberAsTopicAndPayloadOnly(Broker broker) throws Exception {
        // 3.1.1 has no properties: the 3.1.1 PUBLISH carries the topic and the payload unaltered (and decodes as 3.1.1)
        String topic = Names.topic("tov311");
        try (RawClient old = RawClient.open(broker, Transport.TCP);
                RawClient publisher = RawClient.open(broker, Transport.TCP)) {
            old.connect(Packets.V311, Names.clientId("old"));
            publisher.connect(Packets.V5, Names.clientId("new"));
            old.subscribe(1, topic, 1);
            publisher.send(Packets.publish(Packets.V5, topic, 1, false, false, 3, "plain payload".getBytes(StandardCharsets.UTF_8),
                    everyProperty(topic + "/reply")));
            Packet got = old.expect(Packet.PUBLISH);
            byte[] expected = Packets.publish(Packets.V311, topic, 1, false, got.packetId(), "plain payload");
            assertThat(got.size()).as("size of the 3.1.1 PUBLISH: topic, packet identifier and payload only").isEqualTo(expected.length);
            assertThat(got.topic()).isEqualTo(topic);
            assertThat(got.payloadText()).isEqualTo("plain payload");
            Conformance.acknowledge(old, got);
        }
    }

    @Test
    void theClientsMaximumPacketSizeIsHonouredToTheByte(Broker broker) throws Exception {
        // [MQTT-3.1.2-24]: the server does not send a packet above the client's Maximum Packet Size, [MQTT-3.1.2-25]
        // it discards it; a packet of exactly that size is sent: 64 bytes = a 32-byte payload on a 27-character topic
        String topic = Names.topic("mps");
        topic = topic + "/" + "x".repeat(27 - topic.length() - 1);
        assertThat(topic).hasSize(27);
        try (RawClient small = RawClient.open(broker, Transport.TCP);
                RawClient publisher = RawClient.open(broker, Transport.TCP)) {
            small.connect(Packets.connect(Packets.V5, Names.clientId("mps64"))
                    .properties(Properties5.none().add(Properties5.MAXIMUM_PACKET_SIZE, 64)));
            publisher.connect(Packets.V5, Names.clientId("mpspub"));
            small.subscribe(1, topic, 0);
            String fits = "a".repeat(32);
            String tooBig = "b".repeat(33);
            assertThat(Packets.publish(Packets.V5, topic, 0, false, false, 0, fits.getBytes(), null))
                    .as("the PUBLISH the subscriber should get").hasSize(64);
            for (String payload : List.of(fits, tooBig, fits.replace('a', 'c'))) {
                publisher.send(Packets.publish(Packets.V5, topic, 1, false, 1, payload));
                publisher.expect(Packet.PUBACK);
            }
            Packet first = small.expect(Packet.PUBLISH);
            assertThat(first.payloadText()).as("a 32-byte message to a client with Maximum Packet Size 64").isEqualTo(fits);
            assertThat(first.size()).isEqualTo(64);
            assertThat(small.expect(Packet.PUBLISH).payloadText()).as("after the 65-byte one was discarded").isEqualTo(fits.replace('a', 'c'));
            small.expectNothing(QUIET);
        }
    }

    @ParameterizedTest(name = "protocol level {0}")
    @ValueSource(ints = {Packets.V311, Packets.V5})
    void aPacketOfExactlyTheServersMaximumPacketSizeIsAccepted(int version, Broker broker) throws Exception {
        broker.assumeDistribution(); // the test listeners' max.packet.size
        // 3.2.2.3.6: Maximum Packet Size is the largest packet, fixed header included, the server accepts (the
        // listener's max.packet.size, 256 KiB here, announced to 5.0 clients); the message is delivered whole
        String topic = Names.topic("serverfits");
        int max = Broker.DEFAULT_MAX_PACKET_SIZE;
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            Packet connack = client.connect(version, Names.clientId("serverfits"));
            if (version == Packets.V5) {
                assertThat(connack.properties().integer(Properties5.MAXIMUM_PACKET_SIZE)).as("Maximum Packet Size in " + connack)
                        .isEqualTo(max);
            }
            client.subscribe(1, topic, 1);
            int payload = max - Packets.publish(version, topic, 1, false, 1, "").length;
            byte[] exact = Packets.publish(version, topic, 1, false, 2, "p".repeat(payload));
            while (exact.length > max) { // the remaining length took more bytes
                exact = Packets.publish(version, topic, 1, false, 2, "p".repeat(--payload));
            }
            assertThat(exact).as("the PUBLISH sent").hasSize(max);
            client.send(exact);
            List<Packet> got = List.of(client.next(RawClient.WAIT), client.next(RawClient.WAIT));
            assertThat(got).as("PUBACK and the delivery of a " + max + "-byte PUBLISH").doesNotContainNull()
                    .extracting(Packet::type).containsExactlyInAnyOrder(Packet.PUBACK, Packet.PUBLISH);
            Packet delivered = got.stream().filter(p -> p.type() == Packet.PUBLISH).findFirst().orElseThrow();
            assertThat(delivered.payload()).hasSize(payload);
        }
    }
}
