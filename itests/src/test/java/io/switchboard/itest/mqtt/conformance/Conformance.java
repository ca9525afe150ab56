package io.switchboard.itest.mqtt.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;

import io.switchboard.itest.mqtt.support.Broker;
import io.switchboard.itest.mqtt.support.Inbox;
import io.switchboard.itest.mqtt.support.Names;
import io.switchboard.itest.mqtt.support.Packet;
import io.switchboard.itest.mqtt.support.Packets;
import io.switchboard.itest.mqtt.support.Paho5;
import io.switchboard.itest.mqtt.support.Properties5;
import io.switchboard.itest.mqtt.support.RawClient;
import io.switchboard.itest.mqtt.support.Transport;

/** Helpers shared by the conformance tests. */
final class Conformance {

    /** A bounded window for checking that nothing (more) arrives. */
    static final Duration QUIET = Duration.ofMillis(400);

    private Conformance() {
    }

    /** The next message of a HiveMQ publish stream within {@link Inbox#WAIT}; fails if none. */
    static Mqtt5Publish receive(Mqtt5BlockingClient.Mqtt5Publishes publishes, String who) throws InterruptedException {
        Optional<Mqtt5Publish> p = publishes.receive(Inbox.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(p).as(who + " received a message within " + Inbox.WAIT.toMillis() + " ms").isPresent();
        return p.get();
    }

    static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }

    /** The properties of {@code p} other than user properties, as "0xNN:value" strings (binary values as text). */
    static List<String> otherProperties(Properties5 p) {
        List<String> out = new ArrayList<>();
        for (Properties5.Property property : p.all()) {
            if (property.id() != Properties5.USER_PROPERTY) {
                out.add(property.toString());
            }
        }
        return out;
    }

    /** A raw client that received a QoS 1 or 2 PUBLISH completes its flow. */
    static void acknowledge(RawClient client, Packet publish) {
        try {
            if (publish.qos() == 1) {
                client.send(Packets.ack(Packet.PUBACK, publish.packetId()));
            } else if (publish.qos() == 2) {
                client.send(Packets.ack(Packet.PUBREC, publish.packetId()));
                Packet pubrel = client.expect(Packet.PUBREL);
                client.send(Packets.ack(Packet.PUBCOMP, pubrel.packetId()));
            }
        } catch (java.io.IOException e) {
            throw new AssertionError("acknowledging " + publish, e);
        }
    }

    /** A raw client publishes and completes the QoS 1 or 2 flow of its PUBLISH (packet identifier {@code id}). */
    static void publish(RawClient client, int version, String topic, int qos, boolean retain, int id, String payload) throws java.io.IOException {
        client.send(Packets.publish(version, topic, qos, retain, id, payload));
        if (qos == 1) {
            client.expect(Packet.PUBACK);
        } else if (qos == 2) {
            client.send(Packets.ack(Packet.PUBREL, client.expect(Packet.PUBREC).packetId()));
            client.expect(Packet.PUBCOMP);
        }
    }

    /** A fresh round trip through the broker still works (after a test made it close a connection). */
    static void roundTrip(Broker broker) throws Exception {
        String topic = Names.topic("after");
        try (Paho5 client = Paho5.connect(broker, Transport.TCP, Names.clientId("after"))) {
            client.subscribe(topic, 1);
            client.publish(topic, "still works", 1, false);
            assertThat(client.inbox().next().text()).isEqualTo("still works");
        }
    }
}
