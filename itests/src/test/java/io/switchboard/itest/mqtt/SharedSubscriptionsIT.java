package io.switchboard.itest.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.switchboard.itest.mqtt.support.Broker;
import io.switchboard.itest.mqtt.support.BrokerExtension;
import io.switchboard.itest.mqtt.support.Names;
import io.switchboard.itest.mqtt.support.Packet;
import io.switchboard.itest.mqtt.support.Packets;
import io.switchboard.itest.mqtt.support.Paho3;
import io.switchboard.itest.mqtt.support.Paho5;
import io.switchboard.itest.mqtt.support.RawClient;
import io.switchboard.itest.mqtt.support.Transport;

/**
 * Shared subscriptions {@code $share/<group>/<filter>} (MQTT 5.0 section 4.8.2): each message goes to
 * one member of each group, every group and every ordinary subscriber gets every message, members can
 * leave, and the MQTT 5 rules for the share name and options. Also for MQTT 3.1.1 clients (an
 * extension many brokers offer; 3.1.1 itself does not define shared subscriptions).
 */
@ExtendWith(BrokerExtension.class)
class SharedSubscriptionsIT {

    private static final int MESSAGES = 30;

    @Test
    void eachMessageGoesToExactlyOneMemberOfTheGroup(Broker broker) throws Exception {
        String topic = Names.topic("shared");
        String group = "g" + Math.abs(topic.hashCode());
        try (Paho5 a = Paho5.connect(broker, Transport.TCP, Names.clientId("memberA"));
                Paho5 b = Paho5.connect(broker, Transport.WEBSOCKET, Names.clientId("memberB"));
                Paho5 c = Paho5.connect(broker, Transport.TLS, Names.clientId("memberC"));
                Paho5 everything = Paho5.connect(broker, Transport.TCP, Names.clientId("plain"));
                Paho5 publisher = Paho5.connect(broker, Transport.TCP, Names.clientId("pub"))) {
            for (Paho5 member : List.of(a, b, c)) {
                assertThat(member.subscribe("$share/" + group + "/" + topic + "/#", 1)).as("SUBACK for the shared subscription").isEqualTo(1);
            }
            everything.subscribe(topic + "/#", 1);
            for (int i = 0; i < MESSAGES; i++) {
                publisher.publish(topic + "/m", "m" + i, 1, false);
            }
            assertThat(everything.inbox().next(MESSAGES)).as("an ordinary subscriber gets every message").hasSize(MESSAGES);
            List<String> shared = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (shared.size() < MESSAGES && System.nanoTime() < deadline) {
                for (Paho5 member : List.of(a, b, c)) {
                    member.inbox().drain().forEach(r -> shared.add(r.text()));
                }
                Thread.sleep(20); // polling three inboxes; bounded by the deadline
            }
            for (Paho5 member : List.of(a, b, c)) {
                member.inbox().drain().forEach(r -> shared.add(r.text()));
            }
            assertThat(shared).as("messages the group's members received together").hasSize(MESSAGES);
            assertThat(new HashSet<>(shared)).as("each exactly once").hasSize(MESSAGES);
            a.inbox().expectNothing(Duration.ofMillis(200));
        }
    }

    @Test
    void everyGroupGetsEveryMessage(Broker broker) throws Exception {
        String topic = Names.topic("groups");
        try (Paho5 first = Paho5.connect(broker, Transport.TCP, Names.clientId("g1"));
                Paho5 second = Paho5.connect(broker, Transport.TCP, Names.clientId("g2"));
                Paho5 publisher = Paho5.connect(broker, Transport.TCP, Names.clientId("pub"))) {
            first.subscribe("$share/one/" + topic, 1);
            second.subscribe("$share/two/" + topic, 1);
            for (int i = 0; i < 5; i++) {
                publisher.publish(topic, "m" + i, 1, false);
            }
            assertThat(first.inbox().next(5)).extracting(Paho5.Received::text).containsExactly("m0", "m1", "m2", "m3", "m4");
            assertThat(second.inbox().next(5)).extracting(Paho5.Received::text).containsExactly("m0", "m1", "m2", "m3", "m4");
        }
    }

    @Test
    void whenAMemberLeavesTheOthersGetTheMessages(Broker broker) throws Exception {
        String topic = Names.topic("leave");
        String filter = "$share/leavers/" + topic;
        try (Paho5 staying = Paho5.connect(broker, Transport.TCP, Names.clientId("stay"));
                Paho5 publisher = Paho5.connect(broker, Transport.TCP, Names.clientId("pub"))) {
            staying.subscribe(filter, 1);
            try (Paho5 leaving = Paho5.connect(broker, Transport.TCP, Names.clientId("leave"))) {
                leaving.subscribe(filter, 1);
                leaving.client().unsubscribe(filter).waitForCompletion(10_000);
            }
            for (int i = 0; i < 10; i++) {
                publisher.publish(topic, "m" + i, 1, false);
            }
            assertThat(staying.inbox().next(10)).as("the remaining member gets all").hasSize(10);
        }
    }

    @Test
    void mqtt311ClientsCanShareASubscriptionToo(Broker broker) throws Exception {
        String topic = Names.topic("shared311");
        try (Paho3 a = Paho3.connect(broker, Transport.TCP, Names.clientId("a3"));
                Paho3 b = Paho3.connect(broker, Transport.TCP, Names.clientId("b3"));
                Paho3 publisher = Paho3.connect(broker, Transport.TCP, Names.clientId("pub"))) {
            assertThat(a.subscribe("$share/g311/" + topic, 1)).isEqualTo(1);
            assertThat(b.subscribe("$share/g311/" + topic, 1)).isEqualTo(1);
            for (int i = 0; i < 10; i++) {
                publisher.publish(topic, "m" + i, 1, false);
            }
            Set<String> got = new HashSet<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            int total = 0;
            while (total < 10 && System.nanoTime() < deadline) {
                for (Paho3 member : List.of(a, b)) {
                    for (Paho3.Received r : member.inbox().drain()) {
                        got.add(r.text());
                        total++;
                    }
                }
                Thread.sleep(20); // polling two inboxes; bounded by the deadline
            }
            assertThat(total).as("copies received by the group").isEqualTo(10);
            assertThat(got).hasSize(10);
        }
    }

    @Test
    void noLocalOnASharedSubscriptionIsAProtocolError(Broker broker) throws Exception {
        // 5.0 [MQTT-3.8.3-4]: No Local 1 on a shared subscription is a Protocol Error -> DISCONNECT 0x82
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            client.connect(Packets.V5, Names.clientId("sharednolocal"));
            client.sendQuietly(Packets.subscribe(Packets.V5, 1, "$share/g/" + Names.topic("nolocal"), 0x04 | 1));
            List<Packet> before = client.awaitClosed(Duration.ofSeconds(10));
            assertThat(before).as("packets before the close").anySatisfy(p -> {
                assertThat(p.type()).isEqualTo(Packet.DISCONNECT);
                assertThat(p.reasonCode()).as("DISCONNECT reason code").isEqualTo(0x82);
            });
        }
        TransportsIT.roundTripStillWorks(broker);
    }

    @Test
    void aShareNameWithWildcardsOrWithoutAFilterIsRefused(Broker broker) throws Exception {
        // 5.0 4.8.2: ShareName MUST NOT contain '/', '+', '#'; a filter must follow [MQTT-4.8.2-1], [MQTT-4.8.2-2]:
        // SUBACK 0x8F (Topic Filter invalid) or a malformed-packet DISCONNECT (0x81 / 0x82 / 0x8F)
        for (String bad : List.of("$share/gr+oup/" + Names.topic("x"), "$share/group", "$share//" + Names.topic("y"))) {
            try (RawClient client = RawClient.open(broker, Transport.TCP)) {
                client.connect(Packets.V5, Names.clientId("badshare"));
                client.sendQuietly(Packets.subscribe(Packets.V5, 1, bad, 1));
                Packet answer = client.next(RawClient.WAIT);
                assertThat(answer).as("an answer to SUBSCRIBE " + bad).isNotNull();
                if (answer.type() == Packet.SUBACK) {
                    assertThat(answer.reasonCodes()).as("SUBACK for " + bad).containsExactly(0x8F);
                } else {
                    assertThat(answer.type()).as("answer to " + bad).isEqualTo(Packet.DISCONNECT);
                    assertThat(answer.reasonCode()).as("DISCONNECT for " + bad).isIn(0x81, 0x82, 0x8F);
                }
            }
        }
        TransportsIT.roundTripStillWorks(broker);
    }
}
