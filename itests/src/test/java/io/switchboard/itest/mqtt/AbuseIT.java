package io.switchboard.itest.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import io.switchboard.itest.mqtt.support.Broker;
import io.switchboard.itest.mqtt.support.BrokerExtension;
import io.switchboard.itest.mqtt.support.Names;
import io.switchboard.itest.mqtt.support.Packet;
import io.switchboard.itest.mqtt.support.Packets;
import io.switchboard.itest.mqtt.support.RawClient;
import io.switchboard.itest.mqtt.support.RoundTrip;
import io.switchboard.itest.mqtt.support.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Input meant to exhaust the broker, each followed by a normal round trip from another client that must
 * still work (the issue's abuse list; the fuzzer is {@link FuzzIT}).
 */
@ExtendWith(BrokerExtension.class)
class AbuseIT {

    private static final int V3 = 4;

    @Test
    void aTopicOfTenThousandLevelsIsRefusedAndTheBrokerServesOn(Broker broker) throws Exception {
        String deep = Names.topic("deep") + "/x".repeat(9_999);
        try (RawClient c = RawClient.open(broker, Transport.TCP)) {
            assertThat(c.connect(Packets.V5, Names.clientId("deep")).reasonCode()).isZero();
            c.send(Packets.publish(Packets.V5, deep, 1, false, 1, "deep"));
            Packet ack = c.expect(Packet.PUBACK);
            assertThat(ack.reasonCode()).as("0x90 Topic Name invalid: " + ack).isEqualTo(0x90);
            assertThat(ack.reasonString()).contains("max.topic.levels");
            assertThat(c.subscribe(2, deep + "/#", 1).reasonCodes()).as("0x8F Topic Filter invalid").containsExactly(0x8F);
        }
        try (RawClient c = RawClient.open(broker, Transport.TCP)) {
            assertThat(c.connect(V3, Names.clientId("deep3")).reasonCode()).isZero();
            assertThat(c.subscribe(1, deep, 1).reasonCodes()).as("3.1.1: failure").containsExactly(0x80);
        }
        RoundTrip.check(broker);
    }

    @Test
    void aTopicAtTheLevelLimitIsServed(Broker broker) throws Exception {
        String topic = Names.topic("limit") + "/x".repeat(125); // 128 levels with the three of the name
        try (RawClient c = RawClient.open(broker, Transport.TCP)) {
            assertThat(c.connect(Packets.V5, Names.clientId("limit")).reasonCode()).isZero();
            assertThat(topic.split("/", -1)).hasSize(128);
            assertThat(c.subscribe(1, topic, 1).reasonCodes()).containsExactly(1);
            c.send(Packets.publish(Packets.V5, topic, 1, false, 2, "at the limit"));
            assertThat(java.util.List.of(c.next(Duration.ofSeconds(5)).type(), c.next(Duration.ofSeconds(5)).type()))
                    .containsExactlyInAnyOrder(Packet.PUBACK, Packet.PUBLISH);
        }
    }
}
