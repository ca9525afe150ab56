package io.switchboard.mqtt.internal.protocol;

import static io.netty.handler.codec.mqtt.MqttMessageType.DISCONNECT;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBACK;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBCOMP;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBLISH;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBREC;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBREL;
import static io.netty.handler.codec.mqtt.MqttMessageType.SUBACK;
import static io.netty.handler.codec.mqtt.MqttMessageType.UNSUBACK;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption;
import io.netty.handler.codec.mqtt.MqttUnsubAckMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.switchboard.api.Admission;
import io.switchboard.api.Message;
import io.switchboard.api.ReasonCode;
import io.switchboard.api.UserProperty;
import io.switchboard.api.broker.PublishResult;
import org.junit.jupiter.api.Test;

/** PUBLISH in both directions at QoS 0/1/2, SUBSCRIBE/UNSUBSCRIBE and the MQTT 5 publish features. */
class PublishFlowTest extends LoopbackTest {

    private TestClient connected(MqttVersion version, String id) {
        TestClient c = client();
        c.connect(version, id, true);
        return c;
    }

    private static TestClient.Packet subscribed(TestClient c, int packetId, String filter, int qos) {
        c.subscribe(packetId, filter, qos);
        TestClient.Packet ack = c.expect(SUBACK);
        assertThat(ack.packetId()).isEqualTo(packetId);
        return ack;
    }

    private static List<Integer> codes(TestClient.Packet suback) {
        return ((MqttSubAckMessage) suback.message()).payload().reasonCodes();
    }

    @Test
    void qos0InAndOut() {
        TestClient sub = connected(MqttVersion.MQTT_3_1_1, "sub");
        subscribed(sub, 1, "t/#", 0);
        TestClient pub = connected(MqttVersion.MQTT_3_1_1, "pub");
        pub.publish("t/a", 0, 0, "zero");

        TestClient.Packet p = sub.expect(PUBLISH);
        assertThat(p.publish().variableHeader().topicName()).isEqualTo("t/a");
        assertThat(p.publish().fixedHeader().qosLevel()).isEqualTo(MqttQoS.AT_MOST_ONCE);
        assertThat(p.text()).isEqualTo("zero");
        eventually(() -> assertThat(broker.outcomesOf("sub")).extracting(o -> o.result.getNow("")).containsExactly("delivered"));
        Message published = broker.published.get(0);
        assertThat(published.qos()).isZero();
        assertThat(published.payloadText()).isEqualTo("zero");
    }

    @Test
    void qos1BothWays() {
        TestClient sub = connected(MqttVersion.MQTT_5, "sub");
        subscribed(sub, 1, "t/#", 1);
        TestClient pub = connected(MqttVersion.MQTT_5, "pub");
        pub.publish("t/a", 1, 7, "one");

        TestClient.Packet ack = pub.expect(PUBACK);
        assertThat(ack.packetId()).isEqualTo(7);
        assertThat(ack.reasonCode()).isZero();
        TestClient.Packet p = sub.expect(PUBLISH);
        assertThat(p.publish().fixedHeader().qosLevel()).isEqualTo(MqttQoS.AT_LEAST_ONCE);
        int id = p.publish().variableHeader().packetId();
        assertThat(id).isPositive();
        FakeBroker.Outcome outcome = broker.outcomesOf("sub").get(0);
        assertThat(outcome.result).isNotDone();
        sub.reply(PUBACK, id, 0);
        eventually(() -> assertThat(outcome.result.getNow("")).isEqualTo("delivered"));
    }

    @Test
    void qos2BothWaysExactlyOnce() {
        TestClient sub = connected(MqttVersion.MQTT_5, "sub");
        subscribed(sub, 1, "t/#", 2);
        TestClient pub = connected(MqttVersion.MQTT_5, "pub");
        pub.publish("t/a", 2, 9, "two");
        assertThat(pub.expect(PUBREC).packetId()).isEqualTo(9);
        // the PUBREC got lost: the client resends the PUBLISH with DUP; it must not be published again
        pub.send(MqttMessageBuilders.publish().topicName("t/a").qos(MqttQoS.EXACTLY_ONCE).messageId(9)
                .payload(Unpooled.copiedBuffer("two", StandardCharsets.UTF_8)).build());
        assertThat(pub.expect(PUBREC).packetId()).isEqualTo(9);
        pub.reply(PUBREL, 9, 0);
        TestClient.Packet comp = pub.expect(PUBCOMP);
        assertThat(comp.packetId()).isEqualTo(9);
        assertThat(comp.reasonCode()).isZero();
        assertThat(broker.published).hasSize(1);

        TestClient.Packet p = sub.expect(PUBLISH);
        assertThat(p.publish().fixedHeader().qosLevel()).isEqualTo(MqttQoS.EXACTLY_ONCE);
        int id = p.publish().variableHeader().packetId();
        FakeBroker.Outcome outcome = broker.outcomesOf("sub").get(0);
        sub.reply(PUBREC, id, 0);
        assertThat(sub.expect(PUBREL).packetId()).isEqualTo(id);
        assertThat(outcome.result).isNotDone();
        sub.reply(PUBCOMP, id, 0);
        eventually(() -> assertThat(outcome.result.getNow("")).isEqualTo("delivered"));
        sub.expectNothing(200);
    }

    @Test
    void unknownPacketIdsGet0x92() {
        TestClient c = connected(MqttVersion.MQTT_5, "c");
        c.reply(PUBREL, 33, 0);
        TestClient.Packet comp = c.expect(PUBCOMP);
        assertThat(comp.reasonCode()).isEqualTo(0x92);
        c.reply(PUBREC, 34, 0);
        assertThat(c.expect(PUBREL).reasonCode()).isEqualTo(0x92);
    }

    @Test
    void downgradesToTheSubscriptionQos() {
        TestClient sub = connected(MqttVersion.MQTT_3_1_1, "sub");
        subscribed(sub, 1, "t", 1);
        TestClient pub = connected(MqttVersion.MQTT_3_1_1, "pub");
        pub.publish("t", 2, 3, "x");
        pub.expect(PUBREC);
        TestClient.Packet p = sub.expect(PUBLISH);
        assertThat(p.publish().fixedHeader().qosLevel()).isEqualTo(MqttQoS.AT_LEAST_ONCE);
    }

    @Test
    void aConsumingModuleReasonReachesMqtt5PubAckOnly() {
        broker.consumePolicy = m -> new PublishResult(m.id(), false, 0, ReasonCode.QUOTA_EXCEEDED, "rate limit: 10/s");
        TestClient c5 = connected(MqttVersion.MQTT_5, "c5");
        c5.publish("t", 1, 1, "x");
        TestClient.Packet ack = c5.expect(PUBACK);
        assertThat(ack.reasonCode()).isEqualTo(0x97);
        assertThat(ack.property(MqttProperties.REASON_STRING)).isEqualTo("rate limit: 10/s");
        c5.publish("t", 2, 2, "x");
        TestClient.Packet rec = c5.expect(PUBREC);
        assertThat(rec.reasonCode()).isEqualTo(0x97);
        // a refused QoS 2 flow ends at PUBREC: the packet id is free again
        c5.publish("t", 2, 2, "y");
        assertThat(c5.expect(PUBREC).reasonCode()).isEqualTo(0x97);
        assertThat(broker.published).hasSize(3);

        TestClient c3 = connected(MqttVersion.MQTT_3_1_1, "c3");
        c3.publish("t", 1, 1, "x");
        assertThat(c3.expect(PUBACK).message().variableHeader()).isNotNull();

        broker.consumePolicy = m -> new PublishResult(m.id(), false, 0, ReasonCode.SERVER_BUSY, "busy");
        c5.publish("t", 1, 3, "x");
        assertThat(c5.expect(PUBACK).reasonCode()).as("0x89 is no PUBACK code").isEqualTo(0x80);
    }

    @Test
    void noMatchingSubscribersIs0x10ForMqtt5() {
        TestClient c = connected(MqttVersion.MQTT_5, "alone");
        c.publish("nobody/listens", 1, 1, "x");
        assertThat(c.expect(PUBACK).reasonCode()).isEqualTo(0x10);
    }

    @Test
    void problemInformationCanBeSwitchedOff() {
        broker.consumePolicy = m -> new PublishResult(m.id(), false, 0, ReasonCode.NOT_AUTHORIZED, "not yours");
        MqttProperties p = new MqttProperties();
        p.add(new MqttProperties.IntegerProperty(MqttProperties.REQUEST_PROBLEM_INFORMATION, 0));
        TestClient c = client();
        c.connect(TestClient.connectBuilder(MqttVersion.MQTT_5, "quiet", true).properties(p).build());
        c.publish("t", 1, 1, "x");
        TestClient.Packet ack = c.expect(PUBACK);
        assertThat(ack.reasonCode()).isEqualTo(0x87);
        assertThat(ack.property(MqttProperties.REASON_STRING)).isNull();
    }

    @Test
    void mqtt5PropertiesTravelBothWays() {
        TestClient sub = connected(MqttVersion.MQTT_5, "sub");
        subscribed(sub, 1, "req/#", 1);
        TestClient pub = connected(MqttVersion.MQTT_5, "pub");
        MqttProperties p = new MqttProperties();
        p.add(new MqttProperties.IntegerProperty(MqttProperties.PAYLOAD_FORMAT_INDICATOR, 1));
        p.add(new MqttProperties.StringProperty(MqttProperties.CONTENT_TYPE, "text/plain"));
        p.add(new MqttProperties.StringProperty(MqttProperties.RESPONSE_TOPIC, "resp/pub"));
        p.add(new MqttProperties.BinaryProperty(MqttProperties.CORRELATION_DATA, new byte[] {1, 2, 3}));
        p.add(new MqttProperties.IntegerProperty(MqttProperties.PUBLICATION_EXPIRY_INTERVAL, 120));
        MqttProperties.UserProperties user = new MqttProperties.UserProperties();
        user.add("lang", "en");
        user.add("lang", "de");
        user.add(ProtocolSettings.DEFAULT_MESSAGE_ID_PROPERTY, "4711"); // forwarded as is: the client did not ask for ids
        p.add(user);
        pub.publish("req/1", 1, 1, "héllo", false, p);
        pub.expect(PUBACK);

        Message m = broker.published.get(0);
        assertThat(m.payloadUtf8()).isTrue();
        assertThat(m.contentType()).isEqualTo("text/plain");
        assertThat(m.responseTopic()).isEqualTo("resp/pub");
        assertThat(m.correlationData()).containsExactly(1, 2, 3);
        assertThat(m.userProperties()).containsExactly(new UserProperty("lang", "en"), new UserProperty("lang", "de"),
                new UserProperty(ProtocolSettings.DEFAULT_MESSAGE_ID_PROPERTY, "4711"));
        assertThat(m.expiresAt()).isBetween(System.currentTimeMillis() + 110_000, System.currentTimeMillis() + 121_000);

        TestClient.Packet out = sub.expect(PUBLISH);
        assertThat(out.text()).isEqualTo("héllo");
        assertThat(out.property(MqttProperties.PAYLOAD_FORMAT_INDICATOR)).isEqualTo(1);
        assertThat(out.property(MqttProperties.CONTENT_TYPE)).isEqualTo("text/plain");
        assertThat(out.property(MqttProperties.RESPONSE_TOPIC)).isEqualTo("resp/pub");
        assertThat((byte[]) out.property(MqttProperties.CORRELATION_DATA)).containsExactly(1, 2, 3);
        assertThat((Integer) out.property(MqttProperties.PUBLICATION_EXPIRY_INTERVAL)).isBetween(110, 120);
        @SuppressWarnings("unchecked")
        List<MqttProperties.StringPair> pairs = (List<MqttProperties.StringPair>) out.property(MqttProperties.USER_PROPERTY);
        // [MQTT-3.3.2-17], [MQTT-3.3.2-18]: unaltered, in order
        assertThat(pairs).containsExactly(new MqttProperties.StringPair("lang", "en"),
                new MqttProperties.StringPair("lang", "de"),
                new MqttProperties.StringPair(ProtocolSettings.DEFAULT_MESSAGE_ID_PROPERTY, "4711"));
    }

    @Test
    void rejectsAPayloadThatIsNotTheUtf8ItClaims() {
        TestClient c = connected(MqttVersion.MQTT_5, "c");
        MqttProperties p = new MqttProperties();
        p.add(new MqttProperties.IntegerProperty(MqttProperties.PAYLOAD_FORMAT_INDICATOR, 1));
        c.send(MqttMessageBuilders.publish().topicName("t").qos(MqttQoS.AT_LEAST_ONCE).messageId(1)
                .payload(Unpooled.wrappedBuffer(new byte[] {(byte) 0xC3, (byte) 0x28})).properties(p).build());
        assertThat(c.expect(PUBACK).reasonCode()).isEqualTo(0x99);
        assertThat(broker.published).isEmpty();
    }

    @Test
    void inboundTopicAliases() {
        TestClient sub = connected(MqttVersion.MQTT_3_1_1, "sub");
        subscribed(sub, 1, "long/topic/name", 0);
        TestClient c = connected(MqttVersion.MQTT_5, "aliaser");
        c.publish("long/topic/name", 0, 0, "first", false, alias(3));
        c.publish("", 0, 0, "second", false, alias(3));
        assertThat(sub.expect(PUBLISH).text()).isEqualTo("first");
        TestClient.Packet second = sub.expect(PUBLISH);
        assertThat(second.publish().variableHeader().topicName()).isEqualTo("long/topic/name");
        assertThat(second.text()).isEqualTo("second");

        c.publish("x", 0, 0, "bad", false, alias(ProtocolSettings.DEFAULT_TOPIC_ALIAS_MAXIMUM + 1));
        assertThat(c.expect(DISCONNECT).reasonCode()).isEqualTo(0x94);
        c.expectClosed();
    }

    @Test
    void anUnsetTopicAliasIsAProtocolError() {
        TestClient c = connected(MqttVersion.MQTT_5, "c");
        c.publish("", 0, 0, "who", false, alias(2));
        assertThat(c.expect(DISCONNECT).reasonCode()).isEqualTo(0x82);
        c.expectClosed();
    }

    @Test
    void outboundTopicAliasesOnlyWhenTheClientAllowsThem() {
        MqttProperties p = new MqttProperties();
        p.add(new MqttProperties.IntegerProperty(MqttProperties.TOPIC_ALIAS_MAXIMUM, 1));
        TestClient sub = client();
        sub.connect(TestClient.connectBuilder(MqttVersion.MQTT_5, "sub", true).properties(p).build());
        subscribed(sub, 1, "t/#", 0);
        TestClient plain = connected(MqttVersion.MQTT_5, "plain");
        subscribed(plain, 1, "t/#", 0);
        TestClient pub = connected(MqttVersion.MQTT_5, "pub");
        pub.publish("t/a", 0, 0, "1");
        pub.publish("t/a", 0, 0, "2");
        pub.publish("t/b", 0, 0, "3");

        TestClient.Packet first = sub.expect(PUBLISH);
        assertThat(first.publish().variableHeader().topicName()).isEqualTo("t/a");
        assertThat(first.property(MqttProperties.TOPIC_ALIAS)).isEqualTo(1);
        TestClient.Packet second = sub.expect(PUBLISH);
        assertThat(second.publish().variableHeader().topicName()).isEmpty();
        assertThat(second.property(MqttProperties.TOPIC_ALIAS)).isEqualTo(1);
        TestClient.Packet third = sub.expect(PUBLISH);
        assertThat(third.publish().variableHeader().topicName()).isEqualTo("t/b");
        assertThat(third.property(MqttProperties.TOPIC_ALIAS)).as("only 1 alias allowed").isNull();

        for (int i = 0; i < 3; i++) {
            assertThat(plain.expect(PUBLISH).property(MqttProperties.TOPIC_ALIAS)).isNull();
        }
    }

    private static MqttProperties alias(int alias) {
        MqttProperties p = new MqttProperties();
        p.add(new MqttProperties.IntegerProperty(MqttProperties.TOPIC_ALIAS, alias));
        return p;
    }

    @Test
    void neverMoreUnacknowledgedThanTheClientsReceiveMaximum() {
        MqttProperties p = new MqttProperties();
        p.add(new MqttProperties.IntegerProperty(MqttProperties.RECEIVE_MAXIMUM, 2));
        TestClient sub = client();
        sub.connect(TestClient.connectBuilder(MqttVersion.MQTT_5, "slow", true).properties(p).build());
        subscribed(sub, 1, "t", 1);
        TestClient pub = connected(MqttVersion.MQTT_5, "pub");
        for (int i = 1; i <= 5; i++) {
            pub.publish("t", 1, i, "m" + i);
            pub.expect(PUBACK);
        }
        TestClient.Packet a = sub.expect(PUBLISH);
        TestClient.Packet b = sub.expect(PUBLISH);
        sub.expectNothing(300);
        sub.reply(PUBACK, a.publish().variableHeader().packetId(), 0);
        assertThat(sub.expect(PUBLISH).text()).isEqualTo("m3");
        sub.expectNothing(200);
        sub.reply(PUBACK, b.publish().variableHeader().packetId(), 0);
        assertThat(sub.expect(PUBLISH).text()).isEqualTo("m4");
    }

    @Test
    void moreUnacknowledgedPublishesThanTheReceiveMaximumDisconnect() {
        settings = settings.withMaxInflight(2);
        broker.consumePolicy = m -> {
            try {
                Thread.sleep(300); // keep the first ones unacknowledged
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        };
        TestClient c = connected(MqttVersion.MQTT_5, "greedy");
        c.publish("t", 1, 1, "1");
        c.publish("t", 1, 2, "2");
        c.publish("t", 1, 3, "3");
        TestClient.Packet last = null;
        for (int i = 0; i < 3; i++) {
            TestClient.Packet p = c.next();
            if (p.type() == DISCONNECT) {
                last = p;
                break;
            }
        }
        assertThat(last).isNotNull();
        assertThat(last.reasonCode()).isEqualTo(0x93);
        c.expectClosed();
    }

    @Test
    void anInboundPacketOverTheListenerMaximumDisconnects() {
        maxPacketSize = 100;
        TestClient c = connected(MqttVersion.MQTT_5, "big");
        c.publish("t", 0, 0, "x".repeat(200));
        assertThat(c.expect(DISCONNECT).reasonCode()).isEqualTo(0x95);
        c.expectClosed();
    }

    @Test
    void neverSendsMoreThanTheClientsMaximumPacketSize() {
        MqttProperties p = new MqttProperties();
        p.add(new MqttProperties.IntegerProperty(MqttProperties.MAXIMUM_PACKET_SIZE, 64));
        TestClient sub = client();
        sub.connect(TestClient.connectBuilder(MqttVersion.MQTT_5, "small", true).properties(p).build());
        subscribed(sub, 1, "t", 1);
        TestClient pub = connected(MqttVersion.MQTT_5, "pub");
        pub.publish("t", 1, 1, "x".repeat(100));
        pub.expect(PUBACK);
        pub.publish("t", 1, 2, "ok");
        pub.expect(PUBACK);

        TestClient.Packet only = sub.expect(PUBLISH);
        assertThat(only.text()).isEqualTo("ok");
        eventually(() -> assertThat(broker.outcomesOf("small").get(0).result.getNow(""))
                .startsWith("failed: larger than the client's maximum packet size"));
        sub.expectNothing(200);
    }

    @Test
    void readReceiptsAreNotRoutedAndOnlyTakenForMessagesDeliveredToTheClient() {
        TestClient watcher = connected(MqttVersion.MQTT_5, "watcher");
        subscribed(watcher, 1, "$read/#", 0);
        TestClient c = connected(MqttVersion.MQTT_5, "reader");
        subscribed(c, 1, "news", 1);
        TestClient pub = connected(MqttVersion.MQTT_5, "pub");
        pub.publish("news", 1, 1, "hello");
        pub.expect(PUBACK);
        c.expect(PUBLISH);
        long delivered = broker.published.get(0).id();
        c.publish("$read/" + delivered, 1, 1, "");
        assertThat(c.expect(PUBACK).reasonCode()).isZero();
        c.publish("$read/" + (delivered + 1000), 1, 2, "");
        assertThat(c.expect(PUBACK).reasonCode()).as("never delivered to this client").isEqualTo(0x87);
        c.publish("$read/12x", 1, 3, "");
        assertThat(c.expect(PUBACK).reasonCode()).isEqualTo(0x90);
        c.publish("$read/" + delivered, 0, 0, "");
        eventually(() -> assertThat(broker.reads).containsExactly(delivered, delivered));
        assertThat(broker.published).hasSize(1);
        watcher.expectNothing(200);
    }

    @Test
    void subscriptionIdentifiersOfEveryMatchingFilter() {
        TestClient sub = connected(MqttVersion.MQTT_5, "sub");
        sub.subscribe(1, "a/+", MqttSubscriptionOption.onlyFromQos(MqttQoS.AT_MOST_ONCE), subscriptionId(5));
        sub.expect(SUBACK);
        sub.subscribe(2, "a/#", MqttSubscriptionOption.onlyFromQos(MqttQoS.AT_MOST_ONCE), subscriptionId(9));
        sub.expect(SUBACK);
        sub.subscribe(3, "b", MqttSubscriptionOption.onlyFromQos(MqttQoS.AT_MOST_ONCE), MqttProperties.NO_PROPERTIES);
        sub.expect(SUBACK);
        TestClient pub = connected(MqttVersion.MQTT_5, "pub");
        pub.publish("a/x", 0, 0, "1");
        pub.publish("b", 0, 0, "2");

        TestClient.Packet first = sub.expect(PUBLISH);
        assertThat(first.properties().getProperties(MqttProperties.SUBSCRIPTION_IDENTIFIER))
                .extracting(MqttProperties.MqttProperty::value).containsExactly(5, 9);
        TestClient.Packet second = sub.expect(PUBLISH);
        assertThat(second.properties().getProperties(MqttProperties.SUBSCRIPTION_IDENTIFIER)).isEmpty();
    }

    @Test
    void aPublishCarriesTheIdentifiersOfItsDeliveryWithoutMatchingTheClientsFiltersAgain() {
        TestClient sub = connected(MqttVersion.MQTT_5, "routed");
        sub.subscribe(1, "x/#", MqttSubscriptionOption.onlyFromQos(MqttQoS.AT_LEAST_ONCE), subscriptionId(4));
        sub.expect(SUBACK);

        broker.deliverTo("routed", Message.builder("y/z").qos(1).payload("routed").build(), List.of(3, 8));
        TestClient.Packet p = sub.expect(PUBLISH);
        assertThat(p.properties().getProperties(MqttProperties.SUBSCRIPTION_IDENTIFIER))
                .extracting(MqttProperties.MqttProperty::value).as("the broker's, not those of 'x/#'").containsExactly(3, 8);
        sub.reply(PUBACK, p.publish().variableHeader().packetId(), 0);
        broker.deliverTo("routed", Message.builder("x/a").qos(0).payload("none").build(), List.of());
        assertThat(sub.expect(PUBLISH).properties().getProperties(MqttProperties.SUBSCRIPTION_IDENTIFIER)).isEmpty();
    }

    private static MqttProperties subscriptionId(int id) {
        MqttProperties p = new MqttProperties();
        p.add(new MqttProperties.IntegerProperty(MqttProperties.SUBSCRIPTION_IDENTIFIER, id));
        return p;
    }

    @Test
    void subscriptionOptionsReachTheBroker() {
        TestClient c = connected(MqttVersion.MQTT_5, "opts");
        c.subscribe(1, "o/#", new MqttSubscriptionOption(MqttQoS.EXACTLY_ONCE, true, true,
                MqttSubscriptionOption.RetainedHandlingPolicy.DONT_SEND_AT_SUBSCRIBE), MqttProperties.NO_PROPERTIES);
        assertThat(codes(c.expect(SUBACK))).containsExactly(2);
        assertThat(broker.events).contains("subscribe opts Subscription[topicFilter=o/#, qos=2, noLocal=true, "
                + "retainAsPublished=true, retainHandling=2, identifier=0]");
        // no local: its own message does not come back
        c.publish("o/1", 0, 0, "mine");
        c.expectNothing(200);
    }

    @Test
    void retainedMessagesAndRetainHandling() {
        TestClient pub = connected(MqttVersion.MQTT_5, "pub");
        pub.publish("r/1", 1, 1, "kept", true, MqttProperties.NO_PROPERTIES);
        pub.expect(PUBACK);

        TestClient sub = connected(MqttVersion.MQTT_5, "sub");
        subscribed(sub, 1, "r/#", 1);
        TestClient.Packet p = sub.expect(PUBLISH);
        assertThat(p.publish().fixedHeader().isRetain()).isTrue();
        assertThat(p.text()).isEqualTo("kept");
        sub.reply(PUBACK, p.publish().variableHeader().packetId(), 0);

        sub.subscribe(2, "r/#", new MqttSubscriptionOption(MqttQoS.AT_LEAST_ONCE, false, false,
                MqttSubscriptionOption.RetainedHandlingPolicy.SEND_AT_SUBSCRIBE_IF_NOT_YET_EXISTS),
                MqttProperties.NO_PROPERTIES);
        sub.expect(SUBACK);
        sub.expectNothing(200);
    }

    @Test
    void invalidAndRefusedFilters() {
        broker.subscribePolicy = s -> s.topicFilter().startsWith("secret")
                ? Admission.refuse(ReasonCode.NOT_AUTHORIZED, "not for you") : Admission.accept();
        TestClient c5 = connected(MqttVersion.MQTT_5, "c5");
        c5.send(MqttMessageBuilders.subscribe().messageId(4).addSubscription(MqttQoS.AT_LEAST_ONCE, "ok/#")
                .addSubscription(MqttQoS.AT_LEAST_ONCE, "bad/#/x").addSubscription(MqttQoS.EXACTLY_ONCE, "secret/x")
                .addSubscription(MqttQoS.EXACTLY_ONCE, "$share/g/shared/+").build());
        TestClient.Packet ack = c5.expect(SUBACK);
        assertThat(codes(ack)).containsExactly(1, 0x8F, 0x87, 2);
        assertThat((String) ack.property(MqttProperties.REASON_STRING)).contains("bad/#/x").contains("not for you");

        TestClient c3 = connected(MqttVersion.MQTT_3_1_1, "c3");
        c3.send(MqttMessageBuilders.subscribe().messageId(5).addSubscription(MqttQoS.AT_LEAST_ONCE, "ok/#")
                .addSubscription(MqttQoS.AT_LEAST_ONCE, "bad/#/x").addSubscription(MqttQoS.EXACTLY_ONCE, "secret/x").build());
        assertThat(((MqttSubAckMessage) c3.expect(SUBACK).message()).payload().grantedQoSLevels())
                .containsExactly(1, 0x80, 0x80);
    }

    @Test
    void grantsAtMostTheMaximumQos() {
        settings = settings.withPublishLimits(1, true, ProtocolSettings.NEVER);
        TestClient c = connected(MqttVersion.MQTT_5, "c");
        assertThat(codes(subscribed(c, 1, "t", 2))).containsExactly(1);
        c.publish("t", 2, 1, "too much");
        assertThat(c.expect(DISCONNECT).reasonCode()).isEqualTo(0x9B);
    }

    @Test
    void retainedPublishWhenRetainIsNotAvailable() {
        settings = settings.withPublishLimits(2, false, ProtocolSettings.NEVER);
        TestClient c = client();
        TestClient.Packet ack = c.connect(MqttVersion.MQTT_5, "c", true);
        assertThat(ack.property(MqttProperties.RETAIN_AVAILABLE)).isEqualTo(0);
        c.publish("t", 0, 0, "keep me", true, MqttProperties.NO_PROPERTIES);
        assertThat(c.expect(DISCONNECT).reasonCode()).isEqualTo(0x9A);
    }

    @Test
    void unsubscribeSaysWhetherTheSubscriptionExisted() {
        TestClient c5 = connected(MqttVersion.MQTT_5, "c5");
        subscribed(c5, 1, "a", 0);
        c5.send(MqttMessageBuilders.unsubscribe().messageId(2).addTopicFilter("a").addTopicFilter("never").build());
        TestClient.Packet ack = c5.expect(UNSUBACK);
        assertThat(ack.packetId()).isEqualTo(2);
        assertThat(((MqttUnsubAckMessage) ack.message()).payload().unsubscribeReasonCodes()).containsExactly((short) 0,
                (short) 0x11);

        TestClient c3 = connected(MqttVersion.MQTT_3_1_1, "c3");
        c3.send(MqttMessageBuilders.unsubscribe().messageId(3).addTopicFilter("a").build());
        assertThat(c3.expect(UNSUBACK).packetId()).isEqualTo(3);
    }

    @Test
    void unsubscribeRightAfterSubscribeWaitsForIt() {
        // [MQTT-4.6.0] the UNSUBSCRIBE takes effect after the SUBSCRIBE before it, and its UNSUBACK follows the SUBACK
        TestClient c = connected(MqttVersion.MQTT_5, "c");
        c.subscribe(1, "a", 1);
        c.send(MqttMessageBuilders.unsubscribe().messageId(2).addTopicFilter("a").build());

        assertThat(c.expect(SUBACK).packetId()).isEqualTo(1);
        TestClient.Packet ack = c.expect(UNSUBACK);
        assertThat(ack.packetId()).isEqualTo(2);
        assertThat(((MqttUnsubAckMessage) ack.message()).payload().unsubscribeReasonCodes()).containsExactly((short) 0);
        assertThat(broker.events).filteredOn(e -> e.contains("subscribe c ")).extracting(e -> e.split(" ")[0])
                .containsExactly("subscribe", "unsubscribe");
    }

    @Test
    void unsubscribeOfAnInvalidFilterIsAnsweredTopicFilterInvalid() {
        TestClient c = connected(MqttVersion.MQTT_5, "c");
        c.send(MqttMessageBuilders.unsubscribe().messageId(2).addTopicFilter("a/#/b").build());
        assertThat(((MqttUnsubAckMessage) c.expect(UNSUBACK).message()).payload().unsubscribeReasonCodes())
                .containsExactly((short) 0x8F);
    }

    @Test
    void sharedSubscriptionsAreSubscribed() {
        TestClient c = connected(MqttVersion.MQTT_5, "worker");
        assertThat(codes(subscribed(c, 1, "$share/jobs/work/+", 1))).containsExactly(1);
        TestClient pub = connected(MqttVersion.MQTT_5, "pub");
        pub.publish("work/1", 1, 1, "job");
        assertThat(c.expect(PUBLISH).text()).isEqualTo("job");
    }
}
