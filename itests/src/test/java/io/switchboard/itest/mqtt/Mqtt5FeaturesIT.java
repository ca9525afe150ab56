package io.switchboard.itest.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5RetainHandling;

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
 * MQTT 5 features with the broker's default protocol settings: user properties, message expiry,
 * topic aliases both ways, receive maximum (the client's), the client's maximum packet size (also with
 * the broker's message id asked for),
 * subscription identifiers, no local, retain as published, retain handling, response topic and
 * correlation data, request/response information, content type and payload format indicator.
 * The server's own limits (its receive maximum, topic alias maximum, packet size, keep alive) are in
 * {@link LimitsIT}.
 */
@ExtendWith(BrokerExtension.class)
class Mqtt5FeaturesIT {

    private static final Duration QUIET = Duration.ofMillis(400);

    @Test
    void userPropertiesArriveUnalteredAndInOrder(Broker broker) throws Exception {
        // [MQTT-3.3.2-17], [MQTT-3.3.2-18]: user properties forwarded unaltered, in order (names may repeat), nothing
        // added (the broker's message id only goes to a client asking for it, see ModuleInterplayIT's read receipts)
        String topic = Names.topic("userprops");
        try (Paho5 subscriber = Paho5.connect(broker, Transport.TCP, Names.clientId("sub"));
                Paho5 publisher = Paho5.connect(broker, Transport.WEBSOCKET, Names.clientId("pub"))) {
            subscriber.subscribe(topic, 1);
            MqttProperties props = new MqttProperties();
            props.setUserProperties(List.of(new UserProperty("region", "eu"), new UserProperty("b", "2"),
                    new UserProperty("region", "us"), new UserProperty("emoji", "\u263A")));
            publisher.publish(topic, new MqttMessage("with properties".getBytes(), 1, false, props));
            Paho5.Received got = subscriber.inbox().next();
            assertThat(got.properties().getUserProperties()).extracting(p -> p.getKey() + "=" + p.getValue())
                    .containsExactly("region=eu", "b=2", "region=us", "emoji=\u263A");
        }
    }

    @Test
    void expiredMessagesAreNotDeliveredAndTheRestHaveTheirExpiryCountedDown(Broker broker) throws Exception {
        // [MQTT-3.3.2-5]: an expired message is not delivered; [MQTT-3.3.2-6]: the forwarded Message Expiry Interval
        // is the received value minus the time the message waited in the server
        String topic = Names.topic("expiry");
        String id = Names.clientId("offline");
        try (RawClient offline = RawClient.open(broker, Transport.TCP)) {
            offline.connect(Packets.connect(Packets.V5, id).properties(Properties5.none().add(Properties5.SESSION_EXPIRY_INTERVAL, 60)));
            offline.subscribe(1, topic, 1);
            offline.send(Packets.disconnect(Packets.V5, 0, null));
            offline.awaitClosed(Duration.ofSeconds(5));
        }
        Mqtt5BlockingClient publisher = Hive.v5(broker, Transport.TCP, Names.clientId("pub"));
        publisher.connect();
        try {
            publisher.publishWith().topic(topic).payload("short-lived".getBytes()).qos(MqttQos.AT_LEAST_ONCE).messageExpiryInterval(1).send();
            publisher.publishWith().topic(topic).payload("long-lived".getBytes()).qos(MqttQos.AT_LEAST_ONCE).messageExpiryInterval(60).send();
            publisher.publishWith().topic(topic + "/retained").payload("retained, short-lived".getBytes()).qos(MqttQos.AT_LEAST_ONCE)
                    .retain(true).messageExpiryInterval(1).send();
        } finally {
            Hive.disconnect(publisher);
        }
        Thread.sleep(2100); // the behaviour under test is the passing of time: the 1 s message must expire meanwhile
        try (RawClient back = RawClient.open(broker, Transport.TCP)) {
            assertThat(back.connect(Packets.connect(Packets.V5, id).cleanStart(false)).sessionPresent()).isTrue();
            Packet delivered = back.expect(Packet.PUBLISH);
            assertThat(delivered.payloadText()).as("the first message delivered after 2 s offline").isEqualTo("long-lived");
            assertThat(delivered.properties().integer(Properties5.MESSAGE_EXPIRY_INTERVAL)).as("Message Expiry Interval forwarded")
                    .isNotNull().isBetween(1, 58);
            back.send(Packets.ack(Packet.PUBACK, delivered.packetId()));
            back.expectNothing(QUIET);
            back.subscribe(2, topic + "/retained", 1);
            back.expectNothing(QUIET); // an expired retained message is not sent to a new subscription
        }
    }

    @Test
    void topicAliasesFromTheClientAreResolved(Broker broker) throws Exception {
        // 3.3.2.3.4: a PUBLISH sets alias 1 for a topic; later ones send an empty topic name with alias 1
        String topic = Names.topic("alias");
        try (Paho5 subscriber = Paho5.connect(broker, Transport.TCP, Names.clientId("sub"));
                RawClient publisher = RawClient.open(broker, Transport.TCP)) {
            subscriber.subscribe(topic, 1);
            Packet connack = publisher.connect(Packets.V5, Names.clientId("aliaser"));
            assertThat(connack.properties().integer(Properties5.TOPIC_ALIAS_MAXIMUM)).as("the server's Topic Alias Maximum")
                    .isNotNull().isGreaterThanOrEqualTo(1);
            publisher.send(Packets.publish(Packets.V5, topic, 1, false, false, 1, "set".getBytes(),
                    Properties5.none().add(Properties5.TOPIC_ALIAS, 1)));
            publisher.expect(Packet.PUBACK);
            publisher.send(Packets.publish(Packets.V5, "", 1, false, false, 2, "by alias".getBytes(),
                    Properties5.none().add(Properties5.TOPIC_ALIAS, 1)));
            Packet puback = publisher.expect(Packet.PUBACK);
            assertThat(puback.reasonCode()).isLessThan(0x80);
            List<Paho5.Received> got = subscriber.inbox().next(2);
            assertThat(got).extracting(Paho5.Received::topic).containsExactly(topic, topic);
            assertThat(got).extracting(Paho5.Received::text).containsExactly("set", "by alias");
        }
    }

    @Test
    void theServerSendsTopicAliasesOnlyWithinTheClientsMaximum(Broker broker) throws Exception {
        // [MQTT-3.1.2-26]/[MQTT-3.1.2-27]: none when the client's Topic Alias Maximum is absent; else at most that
        // value, and every alias resolves to a topic the server set before (3.3.2.3.4)
        String topic = Names.topic("serveralias");
        try (RawClient none = RawClient.open(broker, Transport.TCP);
                RawClient two = RawClient.open(broker, Transport.TCP);
                Paho5 publisher = Paho5.connect(broker, Transport.TCP, Names.clientId("pub"))) {
            none.connect(Packets.V5, Names.clientId("noalias"));
            two.connect(Packets.connect(Packets.V5, Names.clientId("twoalias"))
                    .properties(Properties5.none().add(Properties5.TOPIC_ALIAS_MAXIMUM, 2)));
            none.subscribe(1, topic + "/#", 0);
            two.subscribe(1, topic + "/#", 0);
            List<String> topics = List.of(topic + "/a", topic + "/b", topic + "/c", topic + "/a", topic + "/a", topic + "/b");
            for (String t : topics) {
                publisher.publish(t, t, 0, false);
            }
            Map<Integer, String> aliases = new HashMap<>();
            List<String> resolved = new ArrayList<>();
            for (int i = 0; i < topics.size(); i++) {
                Packet withoutAliases = none.expect(Packet.PUBLISH);
                assertThat(withoutAliases.properties().has(Properties5.TOPIC_ALIAS)).as("a Topic Alias to a client that allows none").isFalse();
                Packet p = two.expect(Packet.PUBLISH);
                Integer alias = p.properties().integer(Properties5.TOPIC_ALIAS);
                String name = p.topic();
                if (alias != null) {
                    assertThat(alias).as("Topic Alias sent").isBetween(1, 2);
                    if (name.isEmpty()) {
                        assertThat(aliases).as("alias " + alias + " was set before it was used alone").containsKey(alias);
                        name = aliases.get(alias);
                    } else {
                        aliases.put(alias, name);
                    }
                }
                resolved.add(name);
                assertThat(p.payloadText()).as("payload names its topic").isEqualTo(name);
            }
            assertThat(resolved).containsExactlyElementsOf(topics);
        }
    }

    @Test
    void theServerNeverExceedsTheClientsReceiveMaximum(Broker broker) throws Exception {
        // [MQTT-3.3.4-9]: no more unacknowledged QoS 1/2 PUBLISH packets to a client than its Receive Maximum
        String topic = Names.topic("recvmax");
        try (RawClient client = RawClient.open(broker, Transport.TCP);
                Paho5 publisher = Paho5.connect(broker, Transport.TCP, Names.clientId("pub"))) {
            client.connect(Packets.connect(Packets.V5, Names.clientId("slowreader"))
                    .properties(Properties5.none().add(Properties5.RECEIVE_MAXIMUM, 2)));
            client.subscribe(1, topic, 1);
            for (int i = 1; i <= 5; i++) {
                publisher.publish(topic, "m" + i, 1, false);
            }
            List<Packet> window = List.of(client.expect(Packet.PUBLISH), client.expect(Packet.PUBLISH));
            assertThat(window).extracting(Packet::payloadText).containsExactly("m1", "m2");
            client.expectNothing(QUIET); // two unacknowledged: the third waits
            List<String> rest = new ArrayList<>();
            client.send(Packets.ack(Packet.PUBACK, window.get(0).packetId()));
            Packet third = client.expect(Packet.PUBLISH);
            rest.add(third.payloadText());
            client.expectNothing(QUIET); // again two unacknowledged (m2, m3)
            client.send(Packets.ack(Packet.PUBACK, window.get(1).packetId()));
            client.send(Packets.ack(Packet.PUBACK, third.packetId()));
            for (int i = 0; i < 2; i++) {
                Packet p = client.expect(Packet.PUBLISH);
                rest.add(p.payloadText());
                client.send(Packets.ack(Packet.PUBACK, p.packetId()));
            }
            assertThat(rest).containsExactly("m3", "m4", "m5");
        }
    }

    @Test
    void messagesLargerThanTheClientsMaximumPacketSizeAreNotSent(Broker broker) throws Exception {
        // [MQTT-3.1.2-24], [MQTT-3.1.2-25]: the server does not send packets over the client's Maximum Packet
        // Size; it discards them as if delivered, and the connection goes on
        String topic = Names.topic("clientmax");
        try (RawClient client = RawClient.open(broker, Transport.TCP);
                Paho5 publisher = Paho5.connect(broker, Transport.TCP, Names.clientId("pub"))) {
            client.connect(Packets.connect(Packets.V5, Names.clientId("small"))
                    .properties(Properties5.none().add(Properties5.MAXIMUM_PACKET_SIZE, 512)));
            client.subscribe(1, topic, 1);
            publisher.publish(topic, "small 1", 1, false);
            publisher.publish(topic, "x".repeat(2000), 1, false);
            publisher.publish(topic, "small 2", 1, false);
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Packet p = client.expect(Packet.PUBLISH);
                assertThat(p.size()).as("size of a packet sent to a client with Maximum Packet Size 512").isLessThanOrEqualTo(512);
                got.add(p.payloadText());
                client.send(Packets.ack(Packet.PUBACK, p.packetId()));
            }
            assertThat(got).containsExactly("small 1", "small 2");
            client.expectNothing(QUIET);
        }
    }

    @Test
    void aClientWithMaximumPacketSize64ReceivesA32ByteMessage(Broker broker) throws Exception {
        // [MQTT-3.1.2-24]: only packets over the client's Maximum Packet Size are withheld. This one is at most 59
        // bytes (topic of at most 20 bytes, QoS 1, no properties), so nothing may be added that pushes it over 64
        // ([MQTT-3.3.2-17]); a client that asked for the broker's message id gets the message without it, as the id
        // would not fit
        String topic = Names.topic("max64");
        String payload = "0123456789abcdef0123456789abcdef";
        Mqtt5BlockingClient plain = Hive.v5(broker, Transport.TCP, Names.clientId("max64"));
        Mqtt5BlockingClient asking = Hive.v5(broker, Transport.TCP, Names.clientId("max64id"));
        try (Paho5 publisher = Paho5.connect(broker, Transport.TCP, Names.clientId("pub"));
                Mqtt5BlockingClient.Mqtt5Publishes plainPublishes = plain.publishes(MqttGlobalPublishFilter.ALL);
                Mqtt5BlockingClient.Mqtt5Publishes askingPublishes = asking.publishes(MqttGlobalPublishFilter.ALL)) {
            plain.connectWith().restrictions().maximumPacketSize(64).applyRestrictions().send();
            asking.connectWith().restrictions().maximumPacketSize(64).applyRestrictions()
                    .userProperties().add("sb-message-id", "request").applyUserProperties().send();
            plain.subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).send();
            asking.subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).send();
            publisher.publish(topic, payload, 1, false);

            for (Mqtt5Publish got : List.of(TransportsIT.receive(plainPublishes, "the client with Maximum Packet Size 64"),
                    TransportsIT.receive(askingPublishes, "the one also asking for the message id"))) {
                assertThat(new String(got.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo(payload);
                assertThat(got.getUserProperties().asList()).isEmpty();
            }
        } finally {
            Hive.disconnect(plain);
            Hive.disconnect(asking);
        }
    }

    @Test
    void subscriptionIdentifiersComeWithTheMessagesTheyMatched(Broker broker) throws Exception {
        // [MQTT-3.3.4-3], [MQTT-3.3.4-4], [MQTT-3.3.4-5] (3.8.2.1.2): the identifiers of the matching subscriptions
        String root = Names.topic("subid");
        try (Paho5 subscriber = Paho5.connect(broker, Transport.TCP, Names.clientId("sub"));
                Paho5 publisher = Paho5.connect(broker, Transport.TCP, Names.clientId("pub"))) {
            MqttProperties seven = new MqttProperties();
            seven.setSubscriptionIdentifier(7);
            subscriber.subscribe(seven, new MqttSubscription(root + "/+/temp", 1));
            MqttProperties nine = new MqttProperties();
            nine.setSubscriptionIdentifier(9);
            subscriber.subscribe(nine, new MqttSubscription(root + "/kitchen/#", 1));
            subscriber.subscribe(new MqttSubscription(root + "/none", 1));

            publisher.publish(root + "/kitchen/temp", "both", 1, false);
            // one copy with both identifiers, or one copy per matching subscription, each with its identifier
            Set<Integer> ids = new HashSet<>(subscriber.inbox().next().properties().getSubscriptionIdentifiers());
            if (!ids.containsAll(List.of(7, 9))) {
                ids.addAll(subscriber.inbox().next().properties().getSubscriptionIdentifiers());
            }
            assertThat(ids).as("identifiers delivered with a message matching both").containsExactlyInAnyOrder(7, 9);

            publisher.publish(root + "/hall/temp", "one", 1, false);
            assertThat(subscriber.inbox().next().properties().getSubscriptionIdentifiers()).containsExactly(7);
            publisher.publish(root + "/none", "no id", 1, false);
            assertThat(subscriber.inbox().next().properties().getSubscriptionIdentifiers()).as("identifiers of a subscription without one").isEmpty();
        }
    }

    @Test
    void noLocalKeepsAClientsOwnMessagesAway(Broker broker) throws Exception {
        // [MQTT-3.8.3-3]: No Local 1 -> not forwarded to the connection of the publishing client id
        String topic = Names.topic("nolocal");
        Mqtt5BlockingClient client = Hive.v5(broker, Transport.TCP, Names.clientId("nolocal"));
        Mqtt5BlockingClient other = Hive.v5(broker, Transport.TCP, Names.clientId("other"));
        client.connect();
        other.connect();
        try (Mqtt5BlockingClient.Mqtt5Publishes publishes = client.publishes(MqttGlobalPublishFilter.ALL)) {
            client.subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).noLocal(true).send();
            client.publishWith().topic(topic).payload("mine".getBytes()).qos(MqttQos.AT_LEAST_ONCE).send();
            other.publishWith().topic(topic).payload("theirs".getBytes()).qos(MqttQos.AT_LEAST_ONCE).send();
            assertThat(new String(TransportsIT.receive(publishes, "the no-local subscriber").getPayloadAsBytes())).isEqualTo("theirs");
            assertThat(publishes.receive(QUIET.toMillis(), TimeUnit.MILLISECONDS)).isEmpty();
        } finally {
            Hive.disconnect(client);
            Hive.disconnect(other);
        }
    }

    @Test
    void retainAsPublishedKeepsTheRetainFlagOnLiveDeliveries(Broker broker) throws Exception {
        // [MQTT-3.3.1-12]: RAP 0 -> RETAIN 0 on forwarding; [MQTT-3.3.1-13]: RAP 1 -> RETAIN as published
        String topic = Names.topic("rap");
        try (RawClient plain = RawClient.open(broker, Transport.TCP);
                RawClient keeping = RawClient.open(broker, Transport.TCP);
                Paho5 publisher = Paho5.connect(broker, Transport.TCP, Names.clientId("pub"))) {
            plain.connect(Packets.V5, Names.clientId("rap0"));
            keeping.connect(Packets.V5, Names.clientId("rap1"));
            plain.subscribe(1, topic, 0);
            keeping.subscribe(1, topic, 0x08);
            publisher.publish(topic, "retained", 0, true);
            publisher.publish(topic, "not retained", 0, false);
            assertThat(List.of(plain.expect(Packet.PUBLISH).retain(), plain.expect(Packet.PUBLISH).retain()))
                    .as("RETAIN flags without retain as published").containsExactly(false, false);
            assertThat(List.of(keeping.expect(Packet.PUBLISH).retain(), keeping.expect(Packet.PUBLISH).retain()))
                    .as("RETAIN flags with retain as published").containsExactly(true, false);
            publisher.publish(topic, "", 0, true); // clear
        }
    }

    @Test
    void retainHandlingDecidesWhetherRetainedMessagesAreSentOnSubscribe(Broker broker) throws Exception {
        // [MQTT-3.3.1-9] 0: on every subscribe; [MQTT-3.3.1-10] 1: only if the subscription did not exist;
        // [MQTT-3.3.1-11] 2: never
        String topic = Names.topic("rh");
        try (Paho5 publisher = Paho5.connect(broker, Transport.TCP, Names.clientId("pub"))) {
            publisher.publish(topic, "retained", 1, true);
        }
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            client.connect(Packets.V5, Names.clientId("rh"));
            client.subscribe(1, topic, 0x00);
            assertThat(client.expect(Packet.PUBLISH).retain()).as("retain handling 0, first subscribe").isTrue();
            client.subscribe(2, topic, 0x00);
            assertThat(client.expect(Packet.PUBLISH).retain()).as("retain handling 0, subscribing again").isTrue();
            client.subscribe(3, topic, 0x10);
            client.expectNothing(QUIET); // retain handling 1 and the subscription exists
            client.send(Packets.unsubscribe(Packets.V5, 4, topic));
            client.expect(Packet.UNSUBACK);
            client.subscribe(5, topic, 0x10);
            assertThat(client.expect(Packet.PUBLISH).retain()).as("retain handling 1, new subscription").isTrue();
            client.send(Packets.unsubscribe(Packets.V5, 6, topic));
            client.expect(Packet.UNSUBACK);
            client.subscribe(7, topic, 0x20);
            client.expectNothing(QUIET); // retain handling 2
        }
    }

    @Test
    void requestAndResponseWithResponseTopicAndCorrelationData(Broker broker) throws Exception {
        // [MQTT-3.3.2-15] response topic and [MQTT-3.3.2-16] correlation data are forwarded unaltered;
        // 4.10: the responder answers on the response topic with the correlation data
        String requests = Names.topic("requests");
        String replies = Names.topic("replies") + "/requester";
        Mqtt5BlockingClient requester = Hive.v5(broker, Transport.TCP, Names.clientId("requester"));
        Mqtt5BlockingClient responder = Hive.v5(broker, Transport.WEBSOCKET, Names.clientId("responder"));
        requester.connect();
        responder.connect();
        try (Mqtt5BlockingClient.Mqtt5Publishes answers = requester.publishes(MqttGlobalPublishFilter.ALL);
                Mqtt5BlockingClient.Mqtt5Publishes incoming = responder.publishes(MqttGlobalPublishFilter.ALL)) {
            requester.subscribeWith().topicFilter(replies).qos(MqttQos.AT_LEAST_ONCE).send();
            responder.subscribeWith().topicFilter(requests).qos(MqttQos.AT_LEAST_ONCE).send();
            byte[] correlation = {0, 1, 2, (byte) 0xFF};
            requester.publishWith().topic(requests).payload("what time is it?".getBytes()).qos(MqttQos.AT_LEAST_ONCE)
                    .responseTopic(replies).correlationData(correlation).send();

            Mqtt5Publish request = TransportsIT.receive(incoming, "the responder");
            assertThat(request.getResponseTopic()).as("Response Topic").map(Object::toString).contains(replies);
            assertThat(request.getCorrelationData()).as("Correlation Data").map(Mqtt5FeaturesIT::bytes).contains(correlation);
            responder.publishWith().topic(request.getResponseTopic().get()).payload("noon".getBytes())
                    .qos(MqttQos.AT_LEAST_ONCE).correlationData(request.getCorrelationData().get()).send();

            Mqtt5Publish answer = TransportsIT.receive(answers, "the requester");
            assertThat(new String(answer.getPayloadAsBytes())).isEqualTo("noon");
            assertThat(answer.getCorrelationData()).map(Mqtt5FeaturesIT::bytes).contains(correlation);
        } finally {
            Hive.disconnect(requester);
            Hive.disconnect(responder);
        }
    }

    @Test
    void requestResponseInformationIsAnsweredWithAUsableResponseTopicBase(Broker broker) throws Exception {
        // 3.1.2.11.7 Request Response Information 1 -> CONNACK Response Information (3.2.2.3.15), the basis of a
        // response topic; 0 (the default) -> none [MQTT-3.1.2-28]
        String id = Names.clientId("rri");
        Mqtt5BlockingClient asking = Hive.v5(broker, Transport.TCP, id);
        Mqtt5BlockingClient notAsking = Hive.v5(broker, Transport.TCP, Names.clientId("norri"));
        try {
            Mqtt5ConnAck withInfo = asking.connectWith().restrictions().requestResponseInformation(true).applyRestrictions().send();
            assertThat(withInfo.getResponseInformation()).as("Response Information when requested").isPresent();
            String base = withInfo.getResponseInformation().get().toString();
            assertThat(base).isNotEmpty();
            Mqtt5ConnAck withoutInfo = notAsking.connect();
            assertThat(withoutInfo.getResponseInformation()).as("Response Information when not requested").isEmpty();

            String responseTopic = base + (base.endsWith("/") ? "" : "/") + "answers";
            try (Mqtt5BlockingClient.Mqtt5Publishes publishes = asking.publishes(MqttGlobalPublishFilter.ALL)) {
                asking.subscribeWith().topicFilter(responseTopic).qos(MqttQos.AT_LEAST_ONCE).send();
                notAsking.publishWith().topic(responseTopic).payload("answer".getBytes()).qos(MqttQos.AT_LEAST_ONCE).send();
                assertThat(new String(TransportsIT.receive(publishes, "the requester").getPayloadAsBytes())).isEqualTo("answer");
            }
        } finally {
            Hive.disconnect(asking);
            Hive.disconnect(notAsking);
        }
    }

    @Test
    void contentTypeAndPayloadFormatIndicatorAreForwarded(Broker broker) throws Exception {
        // [MQTT-3.3.2-4] payload format indicator and [MQTT-3.3.2-20] content type forwarded unaltered
        String topic = Names.topic("contenttype");
        Mqtt5BlockingClient subscriber = Hive.v5(broker, Transport.TLS, Names.clientId("sub"));
        Mqtt5BlockingClient publisher = Hive.v5(broker, Transport.TCP, Names.clientId("pub"));
        subscriber.connect();
        publisher.connect();
        try (Mqtt5BlockingClient.Mqtt5Publishes publishes = subscriber.publishes(MqttGlobalPublishFilter.ALL)) {
            subscriber.subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).send();
            publisher.publishWith().topic(topic).payload("{\"t\":21.5}".getBytes(StandardCharsets.UTF_8)).qos(MqttQos.AT_LEAST_ONCE)
                    .contentType("application/json").payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8).send();
            Mqtt5Publish got = TransportsIT.receive(publishes, "the subscriber");
            assertThat(got.getContentType()).map(Object::toString).contains("application/json");
            assertThat(got.getPayloadFormatIndicator()).contains(Mqtt5PayloadFormatIndicator.UTF_8);
        } finally {
            Hive.disconnect(subscriber);
            Hive.disconnect(publisher);
        }
    }

    @Test
    void aPayloadThatIsNotTheUtf8ItsFormatIndicatorClaimsIsRefused(Broker broker) throws Exception {
        // 3.3.2.3.2 / [MQTT-3.3.2-4]: the server may check a payload flagged UTF-8; if it is not, PUBACK 0x99 (Payload
        // format invalid) and the message is not forwarded
        String topic = Names.topic("pfi");
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            client.connect(Packets.V5, Names.clientId("pfi"));
            client.subscribe(1, topic, 1);
            client.send(Packets.publish(Packets.V5, topic, 1, false, false, 2, new byte[] {'o', 'k', (byte) 0xC3, (byte) 0x28},
                    Properties5.none().add(Properties5.PAYLOAD_FORMAT_INDICATOR, 1)));
            Packet puback = client.expect(Packet.PUBACK);
            assertThat(puback.reasonCode()).as("PUBACK reason code " + puback).isEqualTo(0x99);
            client.expectNothing(QUIET);
        }
    }

    @Test
    void aPublishNobodySubscribedToIsAcknowledgedWithNoMatchingSubscribers(Broker broker) throws Exception {
        // 3.4.2.1: PUBACK 0x10 (No matching subscribers) instead of 0x00 when the server knows there are none; a success
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            client.connect(Packets.V5, Names.clientId("nobody"));
            client.send(Packets.publish(Packets.V5, Names.topic("nobody"), 1, false, 3, "anyone?"));
            assertThat(client.expect(Packet.PUBACK).reasonCode()).as("PUBACK reason code").isIn(0x00, 0x10);
            client.send(Packets.publish(Packets.V5, Names.topic("nobody"), 2, false, 4, "anyone?"));
            assertThat(client.expect(Packet.PUBREC).reasonCode()).as("PUBREC reason code").isIn(0x00, 0x10);
        }
    }

    @Test
    void retainHandlingWithTheHiveMqClient(Broker broker) throws Exception {
        // the same rule as a HiveMQ client user sets it: DO_NOT_SEND
        String topic = Names.topic("rhhive");
        Mqtt5BlockingClient client = Hive.v5(broker, Transport.TCP, Names.clientId("rhhive"));
        client.connect();
        try (Mqtt5BlockingClient.Mqtt5Publishes publishes = client.publishes(MqttGlobalPublishFilter.ALL)) {
            client.publishWith().topic(topic).payload("retained".getBytes()).retain(true).qos(MqttQos.AT_LEAST_ONCE).send();
            client.subscribeWith().topicFilter(topic).retainHandling(Mqtt5RetainHandling.DO_NOT_SEND).send();
            assertThat(publishes.receive(QUIET.toMillis(), TimeUnit.MILLISECONDS)).as("retained message with DO_NOT_SEND").isEmpty();
            client.publishWith().topic(topic).payload(new byte[0]).retain(true).send();
        } finally {
            Hive.disconnect(client);
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }
}
