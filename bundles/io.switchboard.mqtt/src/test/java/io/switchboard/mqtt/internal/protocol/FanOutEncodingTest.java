package io.switchboard.mqtt.internal.protocol;

import static io.netty.handler.codec.mqtt.MqttMessageType.PUBACK;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBLISH;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.switchboard.api.Message;
import org.junit.jupiter.api.Test;

/**
 * One message delivered to many connections of the same event loops is encoded once per form and copied: every
 * subscriber still gets its own packet (its protocol version, topic alias, subscription identifiers, message id
 * property, packet id), and the listener counts every PUBLISH written.
 */
class FanOutEncodingTest extends LoopbackTest {

    private static final String ID = ProtocolSettings.DEFAULT_MESSAGE_ID_PROPERTY;

    private TestClient connected(MqttVersion version, String id, MqttProperties connectProperties) {
        TestClient c = client();
        c.connect(TestClient.connectBuilder(version, id, true).properties(connectProperties).build());
        return c;
    }

    private static MqttProperties property(MqttProperties.MqttProperty<?> p) {
        MqttProperties properties = new MqttProperties();
        properties.add(p);
        return properties;
    }

    @Test
    void everySubscriberGetsItsOwnFormOfOneEncoding() throws Exception {
        List<TestClient> plain = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            plain.add(connected(MqttVersion.MQTT_3_1_1, "plain-" + i, MqttProperties.NO_PROPERTIES));
        }
        TestClient v5 = connected(MqttVersion.MQTT_5, "v5", MqttProperties.NO_PROPERTIES);
        TestClient aliased = connected(MqttVersion.MQTT_5, "aliased",
                property(new MqttProperties.IntegerProperty(MqttProperties.TOPIC_ALIAS_MAXIMUM, 4)));
        MqttProperties.UserProperties asking = new MqttProperties.UserProperties();
        asking.add(ID, MessageIdProperty.REQUEST);
        TestClient withId = connected(MqttVersion.MQTT_5, "with-id", property(asking));

        Message m = Message.builder("fan/out").id(4711).qos(0).payload("to all").payloadUtf8(true)
                .userProperty("k", "v").expiresAt(System.currentTimeMillis() + 600_000).build();
        for (int i = 0; i < plain.size(); i++) {
            broker.deliverTo("plain-" + i, m);
        }
        broker.deliverTo("v5", m, List.of(5));
        broker.deliverTo("with-id", m, List.of(5, 9));
        broker.deliverTo("aliased", m);
        broker.deliverTo("aliased", m);

        for (TestClient c : plain) {
            TestClient.Packet p = c.expect(PUBLISH);
            assertThat(p.publish().variableHeader().topicName()).isEqualTo("fan/out");
            assertThat(p.publish().fixedHeader().qosLevel()).isEqualTo(MqttQoS.AT_MOST_ONCE);
            assertThat(p.text()).isEqualTo("to all");
        }
        TestClient.Packet toV5 = v5.expect(PUBLISH);
        assertThat(toV5.properties().getProperties(MqttProperties.SUBSCRIPTION_IDENTIFIER))
                .extracting(MqttProperties.MqttProperty::value).containsExactly(5);
        assertThat(toV5.property(MqttProperties.PUBLICATION_EXPIRY_INTERVAL)).isEqualTo(600);
        assertThat(toV5.property(MqttProperties.TOPIC_ALIAS)).isNull();
        assertThat(userProperties(toV5)).containsExactly("k=v");
        TestClient.Packet toWithId = withId.expect(PUBLISH);
        assertThat(toWithId.properties().getProperties(MqttProperties.SUBSCRIPTION_IDENTIFIER))
                .extracting(MqttProperties.MqttProperty::value).containsExactly(5, 9);
        assertThat(userProperties(toWithId)).containsExactly("k=v", ID + "=4711");
        TestClient.Packet first = aliased.expect(PUBLISH);
        TestClient.Packet second = aliased.expect(PUBLISH);
        assertThat(first.publish().variableHeader().topicName()).isEqualTo("fan/out");
        assertThat(first.property(MqttProperties.TOPIC_ALIAS)).isEqualTo(1);
        assertThat(second.publish().variableHeader().topicName()).as("the alias is set: no topic").isEmpty();
        assertThat(second.property(MqttProperties.TOPIC_ALIAS)).isEqualTo(1);
        assertThat(second.text()).isEqualTo("to all");

        // 9 connections of one form on at most 4 event loops: at least 5 of them got a copy, not an encoding
        assertThat(reusedEncodings()).isGreaterThanOrEqualTo(plain.size() - 4);
        eventually(() -> assertThat(protocol.traffic().listeners().get(0).messagesSent()).isEqualTo(plain.size() + 4));
    }

    @Test
    void qos1CopiesCarryTheirOwnPacketIds() {
        List<TestClient> subs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            subs.add(connected(i % 2 == 0 ? MqttVersion.MQTT_3_1_1 : MqttVersion.MQTT_5, "sub-" + i,
                    MqttProperties.NO_PROPERTIES));
        }
        // a different number of messages before, so the packet ids of the shared message differ between subscribers
        for (int i = 0; i < subs.size(); i++) {
            for (int k = 0; k < i; k++) {
                broker.deliverTo("sub-" + i, Message.builder("before").id(100 + k).qos(1).payload("b").build());
            }
        }
        Message m = Message.builder("shared").id(4711).qos(1).payload("once").build();
        for (int i = 0; i < subs.size(); i++) {
            broker.deliverTo("sub-" + i, m);
        }
        for (int i = 0; i < subs.size(); i++) {
            TestClient c = subs.get(i);
            for (int k = 0; k < i; k++) {
                TestClient.Packet before = c.expect(PUBLISH);
                assertThat(before.publish().variableHeader().packetId()).isEqualTo(k + 1);
                c.reply(PUBACK, k + 1, 0);
            }
            TestClient.Packet shared = c.expect(PUBLISH);
            assertThat(shared.publish().variableHeader().topicName()).isEqualTo("shared");
            assertThat(shared.publish().variableHeader().packetId()).as("sub-%d", i).isEqualTo(i + 1);
            assertThat(shared.publish().fixedHeader().isDup()).isFalse();
            assertThat(shared.text()).isEqualTo("once");
            c.reply(PUBACK, i + 1, 0);
        }
        eventually(() -> assertThat(broker.outcomesOf("sub-5")).extracting(o -> o.result.getNow(""))
                .containsOnly("delivered"));
    }

    /** Encodings copied instead of made, summed over the event loops of the server's connections. */
    private long reusedEncodings() throws Exception {
        Set<EventLoop> loops = new HashSet<>();
        for (Channel c : serverChannels) {
            loops.add(c.eventLoop());
        }
        long hits = 0;
        for (EventLoop loop : loops) {
            hits += loop.submit(() -> protocol.recentEncodings().hits()).get();
        }
        return hits;
    }

    private static List<String> userProperties(TestClient.Packet p) {
        List<String> pairs = new ArrayList<>();
        for (MqttProperties.MqttProperty<?> property : p.properties().getProperties(MqttProperties.USER_PROPERTY)) {
            for (MqttProperties.StringPair pair : MessageProperties.pairs(property)) {
                pairs.add(pair.key + "=" + pair.value);
            }
        }
        return pairs;
    }
}
