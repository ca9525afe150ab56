package io.switchboard.itest.mqtt.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

/** The check after an abuse: another, well-behaved client subscribes and gets its own QoS 1 message back. */
public final class RoundTrip {

    private RoundTrip() {
    }

    public static void check(Broker broker) throws Exception {
        check(broker, Transport.TCP);
    }

    /** The check by a new MQTT 5 client on {@code transport}'s listener. */
    public static void check(Broker broker, Transport transport) throws Exception {
        try (RawClient c = RawClient.open(broker, transport)) {
            assertThat(c.connect(Packets.V5, Names.clientId("steady")).reasonCode()).isZero();
            on(c, 1);
        }
    }

    /**
     * The check by {@code connected}, an MQTT 5 client connected already (one that was there before the
     * abuse), with packet identifiers {@code packetId} and the next.
     */
    public static void on(RawClient connected, int packetId) throws Exception {
        String topic = Names.topic("steady");
        assertThat(connected.subscribe(packetId, topic, 1).reasonCodes()).containsExactly(1);
        connected.send(Packets.publish(Packets.V5, topic, 1, false, packetId + 1, "still here"));
        Packet first = connected.next(Duration.ofSeconds(5));
        Packet second = connected.next(Duration.ofSeconds(5));
        assertThat(List.of(first.type(), second.type())).as(first + " / " + second)
                .containsExactlyInAnyOrder(Packet.PUBACK, Packet.PUBLISH);
        Packet delivered = first.type() == Packet.PUBLISH ? first : second;
        assertThat(delivered.payloadText()).isEqualTo("still here");
    }
}
