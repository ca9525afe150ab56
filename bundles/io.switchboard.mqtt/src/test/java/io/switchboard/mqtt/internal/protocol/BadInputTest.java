package io.switchboard.mqtt.internal.protocol;

import static io.netty.handler.codec.mqtt.MqttMessageType.CONNACK;
import static io.netty.handler.codec.mqtt.MqttMessageType.DISCONNECT;
import static io.netty.handler.codec.mqtt.MqttMessageType.PINGRESP;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBACK;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBLISH;
import static io.netty.handler.codec.mqtt.MqttMessageType.SUBACK;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import io.netty.channel.Channel;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttVersion;
import org.junit.jupiter.api.Test;

/** Malformed packets and protocol violations close the offending connection only. */
class BadInputTest extends LoopbackTest {

    @Test
    void garbageBeforeConnectCloses() {
        TestClient c = client();
        c.sendRaw(MqttVersion.MQTT_3_1_1, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF);
        c.expectClosed();
        assertThat(c.received).isEmpty();
        assertThat(broker.logins).isEmpty();
    }

    @Test
    void aBadProtocolNameCloses() {
        TestClient c = client();
        c.sendRaw(MqttVersion.MQTT_3_1_1, (byte) 0x10, (byte) 12, (byte) 0, (byte) 4, (byte) 'H', (byte) 'T', (byte) 'T',
                (byte) 'P', (byte) 4, (byte) 0x02, (byte) 0, (byte) 60, (byte) 0, (byte) 0);
        c.expectClosed();
        assertThat(c.received).isEmpty();
    }

    @Test
    void aMalformedMqtt5ConnectGetsConnack0x81() {
        TestClient c = client();
        // MQTT 5 CONNECT with an unknown property (0x7F)
        c.sendRaw(MqttVersion.MQTT_5, (byte) 0x10, (byte) 15, (byte) 0, (byte) 4, (byte) 'M', (byte) 'Q', (byte) 'T',
                (byte) 'T', (byte) 5, (byte) 0x02, (byte) 0, (byte) 60, (byte) 2, (byte) 0x7F, (byte) 0, (byte) 0, (byte) 0);
        TestClient.Packet ack = c.next();
        assertThat(ack.type()).isEqualTo(CONNACK);
        assertThat(ack.reasonCode()).isEqualTo(0x81);
        c.expectClosed();
    }

    @Test
    void aReservedConnectFlagCloses() {
        TestClient c = client();
        // MQTT 3.1.1 CONNECT with the reserved flag bit 0 set
        c.sendRaw(MqttVersion.MQTT_3_1_1, (byte) 0x10, (byte) 13, (byte) 0, (byte) 4, (byte) 'M', (byte) 'Q', (byte) 'T',
                (byte) 'T', (byte) 4, (byte) 0x03, (byte) 0, (byte) 60, (byte) 0, (byte) 1, (byte) 'x');
        c.expectClosed();
        assertThat(broker.logins).isEmpty();
    }

    @Test
    void aMalformedPacketAfterConnectGetsDisconnect0x81AndOthersAreUnaffected() {
        TestClient bystander = client();
        bystander.connect(MqttVersion.MQTT_5, "bystander", true);
        bystander.subscribe(1, "t", 1);
        bystander.expect(SUBACK);

        TestClient bad = client();
        bad.connect(MqttVersion.MQTT_5, "bad", true);
        // SUBSCRIBE with the wrong fixed header flags (must be 0010)
        bad.sendRaw(MqttVersion.MQTT_5, (byte) 0x80, (byte) 6, (byte) 0, (byte) 1, (byte) 0, (byte) 0, (byte) 1, (byte) 't');
        assertThat(bad.expect(DISCONNECT).reasonCode()).isEqualTo(0x81);
        bad.expectClosed();

        TestClient pub = client();
        pub.connect(MqttVersion.MQTT_3_1_1, "pub", true);
        pub.publish("t", 1, 1, "still here");
        pub.expect(PUBACK);
        assertThat(bystander.expect(PUBLISH).text()).isEqualTo("still here");
        bystander.send(MqttMessage.PINGREQ);
        bystander.expect(PINGRESP);
    }

    @Test
    void aMalformed311PacketCloses() {
        TestClient c = client();
        c.connect(MqttVersion.MQTT_3_1_1, "bad3", true);
        // PUBLISH QoS 3
        c.sendRaw(MqttVersion.MQTT_3_1_1, (byte) 0x36, (byte) 3, (byte) 0, (byte) 1, (byte) 't');
        c.expectClosed();
        assertThat(c.received).isEmpty();
    }

    @Test
    void aWildcardTopicNameIsMalformed() {
        TestClient c = client();
        c.connect(MqttVersion.MQTT_5, "wild", true);
        c.sendRaw(MqttVersion.MQTT_5, (byte) 0x30, (byte) 6, (byte) 0, (byte) 3, (byte) 'a', (byte) '/', (byte) '+',
                (byte) 0);
        assertThat(c.expect(DISCONNECT).reasonCode()).isEqualTo(0x81);
        c.expectClosed();
    }

    @Test
    void dupOnQos0IsMalformed() {
        TestClient c = client();
        c.connect(MqttVersion.MQTT_3_1_1, "dup0", true);
        // PUBLISH QoS 0 with DUP (0x38), topic "t"
        c.sendRaw(MqttVersion.MQTT_3_1_1, (byte) 0x38, (byte) 3, (byte) 0, (byte) 1, (byte) 't');
        c.expectClosed();
        assertThat(broker.published).isEmpty();
    }

    @Test
    void invalidUtf8IsMalformed() {
        TestClient c = client();
        c.connect(MqttVersion.MQTT_5, "utf", true);
        // PUBLISH QoS 0 to a topic with an invalid UTF-8 sequence
        c.sendRaw(MqttVersion.MQTT_5, (byte) 0x30, (byte) 5, (byte) 0, (byte) 2, (byte) 0xC3, (byte) 0x28, (byte) 0);
        assertThat(c.expect(DISCONNECT).reasonCode()).isEqualTo(0x81);
        c.expectClosed();
    }

    @Test
    void serverPacketsFromAClientAreProtocolErrors() {
        TestClient c = client();
        c.connect(MqttVersion.MQTT_5, "confused", true);
        c.send(MqttMessage.PINGRESP);
        assertThat(c.expect(DISCONNECT).reasonCode()).isEqualTo(0x82);
        c.expectClosed();
    }

    @Test
    void aSubscriptionIdentifierInAClientPublishIsAProtocolError() {
        TestClient c = client();
        c.connect(MqttVersion.MQTT_5, "subid", true);
        MqttProperties p = new MqttProperties();
        p.add(new MqttProperties.IntegerProperty(MqttProperties.SUBSCRIPTION_IDENTIFIER, 3));
        c.publish("t", 0, 0, "x", false, p);
        assertThat(c.expect(DISCONNECT).reasonCode()).isEqualTo(0x82);
    }

    @Test
    void noLocalOnASharedSubscriptionIsAProtocolError() {
        TestClient c = client();
        c.connect(MqttVersion.MQTT_5, "shared", true);
        c.subscribe(1, "$share/g/t", new io.netty.handler.codec.mqtt.MqttSubscriptionOption(
                io.netty.handler.codec.mqtt.MqttQoS.AT_MOST_ONCE, true, false,
                io.netty.handler.codec.mqtt.MqttSubscriptionOption.RetainedHandlingPolicy.SEND_AT_SUBSCRIBE),
                MqttProperties.NO_PROPERTIES);
        assertThat(c.expect(DISCONNECT).reasonCode()).isEqualTo(0x82);
    }

    @Test
    void aQos0FloodIsNotReadFasterThanTheBrokerDecides() throws Exception {
        java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
        broker.consumePolicy = m -> {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        };
        TestClient c = client();
        c.connect(MqttVersion.MQTT_3_1_1, "flood", true);
        String payload = "x".repeat(1000);
        for (int i = 0; i < 5000; i++) {
            c.write(io.netty.handler.codec.mqtt.MqttMessageBuilders.publish().topicName("t")
                    .qos(io.netty.handler.codec.mqtt.MqttQoS.AT_MOST_ONCE)
                    .payload(io.netty.buffer.Unpooled.copiedBuffer(payload, java.nio.charset.StandardCharsets.UTF_8))
                    .build());
        }
        c.flush();
        eventually(() -> assertThat(broker.publishCalls.get()).isGreaterThanOrEqualTo(MqttConnectionHandler.MAX_PENDING_REQUESTS));
        // a task on the connection's event loop runs after the read that reached the limit; reading is off by then,
        // so the count can grow no more
        Channel server = serverChannels.get(0);
        assertThat(server.eventLoop().submit(() -> server.config().isAutoRead()).get(5, TimeUnit.SECONDS))
                .as("reading while the broker decides nothing").isFalse();
        assertThat(broker.publishCalls.get()).as("handed to the broker while it decides nothing")
                .isBetween(MqttConnectionHandler.MAX_PENDING_REQUESTS, MqttConnectionHandler.MAX_PENDING_REQUESTS + 200);
        gate.countDown();
        eventually(() -> assertThat(broker.published).hasSize(5000));
        c.send(MqttMessage.PINGREQ);
        c.expect(PINGRESP);
    }
}
