package io.switchboard.mqtt.internal.protocol;

import static io.netty.handler.codec.mqtt.MqttMessageType.PUBLISH;
import static io.netty.handler.codec.mqtt.MqttMessageType.SUBACK;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.switchboard.api.Message;
import io.switchboard.api.admin.TrafficStats;
import org.junit.jupiter.api.Test;

/**
 * User properties on delivered messages: forwarded exactly as published ([MQTT-3.3.2-17], [MQTT-3.3.2-18]),
 * plus the broker's message id only for a connection that asked for it in its CONNECT
 * ({@link MessageIdProperty}), and never at the cost of the client's Maximum Packet Size
 * ([MQTT-3.1.2-24], [MQTT-3.1.2-25]).
 */
class DeliveredUserPropertiesTest extends LoopbackTest {

    private static final String ID = ProtocolSettings.DEFAULT_MESSAGE_ID_PROPERTY;
    /** 32 bytes: on topic "sensors/a" at QoS 1 a 48-byte PUBLISH, 67 bytes with a one-digit message id. */
    private static final String PAYLOAD_32 = "0123456789abcdef0123456789abcdef";

    @Test
    void aSubscriberThatDidNotAskGetsExactlyThePublishedUserPropertiesInOrder() {
        // [MQTT-3.3.2-17], [MQTT-3.3.2-18]: forwarded unaltered, in order; names may repeat, and a publisher's
        // property named like the broker's message id is just another user property
        TestClient sub = connected("plain", new MqttProperties());
        publishWithUserProperties("lang=en", ID + "=4711", "lang=de", "empty=");

        assertThat(userProperties(sub.expect(PUBLISH))).containsExactly("lang=en", ID + "=4711", "lang=de", "empty=");
    }

    @Test
    void aSubscriberWithoutUserPropertiesGetsNone() {
        // [MQTT-3.3.2-17]: nothing added to a message published without user properties
        TestClient sub = connected("plain", new MqttProperties());
        TestClient pub = connected("pub", new MqttProperties());
        pub.publish("sensors/a", 1, 1, "bare");

        assertThat(sub.expect(PUBLISH).property(MqttProperties.USER_PROPERTY)).isNull();
    }

    @Test
    void aSubscriberThatAskedGetsTheBrokersMessageIdAfterThePublishedUserProperties() {
        TestClient asking = connected("asking", asking(ID, MessageIdProperty.REQUEST));
        TestClient plain = connected("plain", new MqttProperties());
        publishWithUserProperties("lang=en", ID + "=4711", "lang=de");

        Message m = broker.published.get(0);
        // on a connection that asked, the name carries the broker's id only: the publisher's 4711 is left out
        assertThat(userProperties(asking.expect(PUBLISH))).containsExactly("lang=en", "lang=de", ID + "=" + m.id());
        assertThat(userProperties(plain.expect(PUBLISH))).containsExactly("lang=en", ID + "=4711", "lang=de");
    }

    @Test
    void anotherValueOrNameDoesNotAsk() {
        TestClient otherValue = connected("yes", asking(ID, "yes"));
        TestClient otherCase = connected("upper", asking(ID.toUpperCase(), MessageIdProperty.REQUEST));
        publishWithUserProperties("k=v");

        assertThat(userProperties(otherValue.expect(PUBLISH))).containsExactly("k=v");
        assertThat(userProperties(otherCase.expect(PUBLISH))).containsExactly("k=v");
    }

    @Test
    void theConfiguredNameIsTheOneToAskWith() {
        settings = settings.withMessageIdProperty("msg-id");
        TestClient asking = connected("asking", asking("msg-id", MessageIdProperty.REQUEST));
        TestClient askingTheDefault = connected("default", asking(ID, MessageIdProperty.REQUEST));
        publishWithUserProperties("k=v");

        long id = broker.published.get(0).id();
        assertThat(userProperties(asking.expect(PUBLISH))).containsExactly("k=v", "msg-id=" + id);
        assertThat(userProperties(askingTheDefault.expect(PUBLISH))).containsExactly("k=v");
    }

    @Test
    void anEmptyConfiguredNameNeverSendsTheId() {
        settings = settings.withMessageIdProperty("");
        TestClient asking = connected("asking", asking(ID, MessageIdProperty.REQUEST));
        publishWithUserProperties("k=v", ID + "=4711");

        assertThat(userProperties(asking.expect(PUBLISH))).containsExactly("k=v", ID + "=4711");
    }

    @Test
    void aClientWithMaximumPacketSize64ReceivesA32ByteMessage() {
        // [MQTT-3.1.2-24]: only packets over the client's Maximum Packet Size are withheld; this one is 48 bytes
        TestClient small = connected("small", maximumPacketSize(new MqttProperties(), 64));
        TestClient pub = connected("pub", new MqttProperties());
        pub.publish("sensors/a", 1, 1, PAYLOAD_32);

        TestClient.Packet got = small.expect(PUBLISH);
        assertThat(got.text()).isEqualTo(PAYLOAD_32);
        assertThat(got.property(MqttProperties.USER_PROPERTY)).isNull();
    }

    @Test
    void theAskedForIdIsLeftOutRatherThanTheMessageWhenBothWouldNotFit() {
        // [MQTT-3.1.2-24]: the id would make the packet 67 bytes; the message goes without it. [MQTT-3.1.2-25]: a
        // message too large even without it is still discarded
        TestClient small = connected("small", maximumPacketSize(asking(ID, MessageIdProperty.REQUEST), 64));
        TestClient pub = connected("pub", new MqttProperties());
        pub.publish("sensors/a", 1, 1, PAYLOAD_32);
        pub.publish("sensors/a", 1, 2, "x".repeat(100));
        pub.publish("sensors/a", 1, 3, "ok");

        TestClient.Packet withoutId = small.expect(PUBLISH);
        assertThat(withoutId.text()).isEqualTo(PAYLOAD_32);
        assertThat(withoutId.property(MqttProperties.USER_PROPERTY)).isNull();
        TestClient.Packet withId = small.expect(PUBLISH);
        assertThat(withId.text()).isEqualTo("ok");
        assertThat(userProperties(withId)).containsExactly(ID + "=" + broker.published.get(2).id());
        eventually(() -> assertThat(broker.outcomesOf("small").get(1).result.getNow(""))
                .startsWith("failed: larger than the client's maximum packet size"));
        small.expectNothing(200);
        assertThat(protocol.traffic().dropped(TrafficStats.TOO_LARGE)).as("counted as dropped, too large").isEqualTo(1);
    }

    // ---- helpers

    /** An MQTT 5 client with {@code connectProperties}, subscribed to "sensors/#" at QoS 1. */
    private TestClient connected(String clientId, MqttProperties connectProperties) {
        TestClient c = client();
        c.connect(TestClient.connectBuilder(MqttVersion.MQTT_5, clientId, true).properties(connectProperties).build());
        c.subscribe(1, "sensors/#", 1);
        c.expect(SUBACK);
        return c;
    }

    private static MqttProperties asking(String name, String value) {
        MqttProperties p = new MqttProperties();
        MqttProperties.UserProperties user = new MqttProperties.UserProperties();
        user.add(name, value);
        p.add(user);
        return p;
    }

    private static MqttProperties maximumPacketSize(MqttProperties p, int bytes) {
        p.add(new MqttProperties.IntegerProperty(MqttProperties.MAXIMUM_PACKET_SIZE, bytes));
        return p;
    }

    /** Publishes to "sensors/a" at QoS 1 with user properties given as "name=value". */
    private void publishWithUserProperties(String... pairs) {
        publishWithUserPropertiesTo("sensors/a", pairs);
    }

    @SuppressWarnings("unchecked")
    private static List<String> userProperties(TestClient.Packet p) {
        Object pairs = p.property(MqttProperties.USER_PROPERTY);
        assertThat(pairs).as("user properties of " + p.message()).isNotNull();
        return ((List<MqttProperties.StringPair>) pairs).stream().map(pair -> pair.key + "=" + pair.value).toList();
    }
}
