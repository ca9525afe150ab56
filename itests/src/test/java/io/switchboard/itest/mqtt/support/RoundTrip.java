package io.switchboard.itest.mqtt.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

/** The check after an abuse: another, well-behaved client subscribes and gets its own QoS 1 message back. */
public final class RoundTrip {

    private RoundTrip() {
    }

    public static void check(Broker broker) throws Exception {
        try (RawClient c = RawClient.open(broker, Transport.TCP)) {
            assertThat(c.connect(Packets.V5, Names.clientId("steady")).reasonCode()).isZero();
            String topic = Names.topic("steady");
            assertThat(c.subscribe(1, topic, 1).reasonCodes()).containsExactly(1);
            c.send(Packets.publish(Packets.V5, topic, 1, false, 2, "still here"));
            Packet first = c.next(Duration.ofSeconds(5));
            Packet second = c.next(Duration.ofSeconds(5));
            assertThat(List.of(first.type(), second.type())).as(first + " / " + second)
                    .containsExactlyInAnyOrder(Packet.PUBACK, Packet.PUBLISH);
            Packet delivered = first.type() == Packet.PUBLISH ? first : second;
            assertThat(delivered.payloadText()).isEqualTo("still here");
        }
    }
}
