package io.switchboard.itest.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.switchboard.itest.mqtt.support.Broker;
import io.switchboard.itest.mqtt.support.BrokerExtension;
import io.switchboard.itest.mqtt.support.BrokerExtension.Dedicated;
import io.switchboard.itest.mqtt.support.Names;
import io.switchboard.itest.mqtt.support.Packet;
import io.switchboard.itest.mqtt.support.Packets;
import io.switchboard.itest.mqtt.support.Paho5;
import io.switchboard.itest.mqtt.support.Properties5;
import io.switchboard.itest.mqtt.support.RawClient;
import io.switchboard.itest.mqtt.support.Transport;

/**
 * The server's own limits, on a distribution of its own configured with small ones
 * ({@code configadmin/io.switchboard.mqtt.cfg}: server keep alive 2 s, 5 messages in flight, 2 topic
 * aliases, sessions of at most 5 s; listeners: packets of at most 2048 bytes): the MQTT 5 CONNACK
 * announces them and a client exceeding one is disconnected with its reason code (0x93, 0x94, 0x95).
 */
@ExtendWith(BrokerExtension.class)
@Dedicated(config = {
    "io.switchboard.mqtt.cfg: server.keep.alive = 2",
    "io.switchboard.mqtt.cfg: max.inflight = 5",
    "io.switchboard.mqtt.cfg: topic.alias.maximum = 2",
    "io.switchboard.mqtt.cfg: max.session.expiry = 5"},
        listener = "max.packet.size = 2048")
class LimitsIT {

    private static final Duration CLOSE = Duration.ofSeconds(10);

    @Test
    void v5ConnackAnnouncesTheConfiguredLimits(Broker broker) throws Exception {
        broker.assumeDistribution();
        // 3.2.2.3: Receive Maximum, Topic Alias Maximum, Maximum Packet Size, Server Keep Alive (3.2.2.3.14), and the
        // Session Expiry Interval the server uses when it differs from the client's (3.2.2.3.2)
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            Packet connack = client.connect(Packets.connect(Packets.V5, Names.clientId("limits")).keepAlive(60)
                    .properties(Properties5.none().add(Properties5.SESSION_EXPIRY_INTERVAL, 3600)));
            Properties5 p = connack.properties();
            assertThat(p.integer(Properties5.RECEIVE_MAXIMUM)).as("Receive Maximum in " + connack).isEqualTo(5);
            assertThat(p.integer(Properties5.TOPIC_ALIAS_MAXIMUM)).as("Topic Alias Maximum in " + connack).isEqualTo(2);
            assertThat(p.integer(Properties5.MAXIMUM_PACKET_SIZE)).as("Maximum Packet Size in " + connack).isEqualTo(2048);
            assertThat(p.integer(Properties5.SERVER_KEEP_ALIVE)).as("Server Keep Alive in " + connack).isEqualTo(2);
            assertThat(p.integer(Properties5.SESSION_EXPIRY_INTERVAL)).as("Session Expiry Interval in " + connack).isEqualTo(5);
        }
    }

    @Test
    void theServerKeepAliveIsTheOneEnforced(Broker broker) throws Exception {
        broker.assumeDistribution();
        // [MQTT-3.2.2-21]: the client must use the Server Keep Alive; the server enforces it (1.5 x 2 s), not the 60 s
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            long start = System.nanoTime();
            client.connect(Packets.connect(Packets.V5, Names.clientId("skasilent")).keepAlive(60));
            client.awaitClosed(CLOSE);
            long closedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(closedAfter).as("ms until a silent client was disconnected (server keep alive 2 s)").isBetween(1800L, 6000L);
        }
    }

    @Test
    void aClientExceedingTheServersReceiveMaximumIsDisconnected(Broker broker) throws Exception {
        broker.assumeDistribution();
        // 4.9 / 3.3.4: more unacknowledged QoS 2 PUBLISH packets than Receive Maximum -> DISCONNECT 0x93
        String topic = Names.topic("flood");
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            client.connect(Packets.V5, Names.clientId("flood"));
            for (int id = 1; id <= 6; id++) { // no PUBREL: each stays in flight
                client.sendQuietly(Packets.publish(Packets.V5, topic, 2, false, id, "in flight " + id));
            }
            List<Packet> before = client.awaitClosed(CLOSE);
            assertThat(before).as("packets before the close").anySatisfy(p -> {
                assertThat(p.type()).isEqualTo(Packet.DISCONNECT);
                assertThat(p.reasonCode()).as("DISCONNECT reason code").isEqualTo(0x93);
            });
        }
        roundTrip(broker);
    }

    @Test
    void aClientStillWritingWhenDisconnectedReadsTheReasonCode(Broker broker) throws Exception {
        broker.assumeDistribution();
        // [MQTT-3.3.4-9] DISCONNECT 0x93 reaches a client that writes on: the broker half-closes and drops the
        // client's data for a moment instead of resetting the connection (a write would fail with a broken pipe)
        String topic = Names.topic("writing-on");
        String payload = "x".repeat(1000);
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            client.connect(Packets.V5, Names.clientId("writing-on"));
            for (int id = 1; id <= 3000; id++) { // 3 MB, more than the socket buffers hold
                client.send(Packets.publish(Packets.V5, topic, 1, false, id, payload));
            }
            List<Packet> before = client.awaitClosed(CLOSE);
            assertThat(before).as("packets before the close").anySatisfy(p -> {
                assertThat(p.type()).isEqualTo(Packet.DISCONNECT);
                assertThat(p.reasonCode()).as("DISCONNECT reason code").isEqualTo(0x93);
            });
        }
    }

    @Test
    void v311ClientBeyondTheInFlightLimitIsNotReadUntilItCatchesUp(Broker broker) throws Exception {
        broker.assumeDistribution();
        // io.switchboard.mqtt max.inflight (documented): a 3.1.1 client, which has no Receive Maximum, is read again
        // once it is below the limit
        String topic = Names.topic("backpressure");
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            client.connect(Packets.V311, Names.clientId("bp"));
            for (int id = 1; id <= 5; id++) { // up to the limit: each is read and answered
                client.send(Packets.publish(Packets.V311, topic, 2, false, id, "m" + id));
                assertThat(client.expect(Packet.PUBREC).packetId()).isEqualTo(id);
            }
            // (sent after the five PUBRECs: six sent back to back in one TCP segment are all decoded and answered,
            // see the report; reading stops at the socket, not in the decoder's buffer)
            client.send(Packets.publish(Packets.V311, topic, 2, false, 6, "m6"));
            client.expectNothing(Duration.ofMillis(400));
            client.send(Packets.ack(Packet.PUBREL, 1)); // below the limit again once this completes
            List<Packet> after = new java.util.ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Packet p = client.next(RawClient.WAIT);
                if (p == null) {
                    break;
                }
                after.add(p);
            }
            assertThat(after).as("after the PUBREL: its PUBCOMP, then the sixth PUBLISH is read and answered")
                    .extracting(Packet::toString).containsExactlyInAnyOrder("PUBCOMP(id=1, code=0x0, [])", "PUBREC(id=6, code=0x0, [])");
        }
    }

    @Test
    void aTopicAliasAboveTheMaximumIsDisconnected(Broker broker) throws Exception {
        broker.assumeDistribution();
        // 3.3.2.3.4: a Topic Alias of 0 or above the server's Topic Alias Maximum -> DISCONNECT 0x94 (Topic Alias invalid)
        for (int alias : new int[] {3, 0}) {
            try (RawClient client = RawClient.open(broker, Transport.TCP)) {
                client.connect(Packets.V5, Names.clientId("alias" + alias));
                client.sendQuietly(Packets.publish(Packets.V5, Names.topic("alias"), 0, false, false, 0, "x".getBytes(),
                        Properties5.none().add(Properties5.TOPIC_ALIAS, alias)));
                List<Packet> before = client.awaitClosed(CLOSE);
                assertThat(before).as("packets before the close, alias " + alias).anySatisfy(p -> {
                    assertThat(p.type()).isEqualTo(Packet.DISCONNECT);
                    assertThat(p.reasonCode()).as("DISCONNECT reason code for alias " + alias).isEqualTo(0x94);
                });
            }
        }
        roundTrip(broker);
    }

    @Test
    void anUnknownTopicAliasIsAProtocolError(Broker broker) throws Exception {
        broker.assumeDistribution();
        // 3.3.2.3.4 / 4.13: an empty topic name with an alias that has no mapping -> DISCONNECT 0x82 (Protocol Error)
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            client.connect(Packets.V5, Names.clientId("unknownalias"));
            client.sendQuietly(Packets.publish(Packets.V5, "", 0, false, false, 0, "x".getBytes(),
                    Properties5.none().add(Properties5.TOPIC_ALIAS, 1)));
            List<Packet> before = client.awaitClosed(CLOSE);
            assertThat(before).as("packets before the close").anySatisfy(p -> {
                assertThat(p.type()).isEqualTo(Packet.DISCONNECT);
                assertThat(p.reasonCode()).as("DISCONNECT reason code").isEqualTo(0x82);
            });
        }
        roundTrip(broker);
    }

    @Test
    void aPacketAboveTheMaximumPacketSizeIsDisconnected(Broker broker) throws Exception {
        broker.assumeDistribution();
        // 5.0 3.2.2.3.6 / 4.13: DISCONNECT 0x95 (Packet too large); 3.1.1: the connection is closed
        for (int version : new int[] {Packets.V5, Packets.V311}) {
            try (RawClient client = RawClient.open(broker, Transport.TCP)) {
                client.connect(version, Names.clientId("big" + version));
                client.sendQuietly(Packets.publish(version, Names.topic("big"), 1, false, 1, "x".repeat(3000)));
                List<Packet> before = client.awaitClosed(CLOSE);
                if (version == Packets.V5) {
                    assertThat(before).as("packets before the close").anySatisfy(p -> {
                        assertThat(p.type()).isEqualTo(Packet.DISCONNECT);
                        assertThat(p.reasonCode()).as("DISCONNECT reason code").isEqualTo(0x95);
                    });
                }
                assertThat(before).as("no PUBACK for the oversized PUBLISH").noneMatch(p -> p.type() == Packet.PUBACK);
            }
        }
        try (RawClient client = RawClient.open(broker, Transport.WEBSOCKET)) {
            client.connect(Packets.V5, Names.clientId("bigws"));
            client.sendQuietly(Packets.publish(Packets.V5, Names.topic("bigws"), 0, false, 0, "x".repeat(3000)));
            client.awaitClosed(CLOSE);
        }
        roundTrip(broker);
    }

    @Test
    void aPacketOfExactlyTheMaximumPacketSizeIsAccepted(Broker broker) throws Exception {
        broker.assumeDistribution();
        // 3.2.2.3.6: Maximum Packet Size is the largest packet (fixed header included) the server accepts: 2048 bytes
        String topic = Names.topic("fits");
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            client.connect(Packets.V5, Names.clientId("fits"));
            byte[] probe = Packets.publish(Packets.V5, topic, 1, false, 1, "");
            byte[] exact = Packets.publish(Packets.V5, topic, 1, false, 1, "y".repeat(2048 - probe.length - 1));
            assertThat(exact).as("the packet sent").hasSize(2048);
            client.send(exact);
            assertThat(client.expect(Packet.PUBACK).packetId()).as("PUBACK for a 2048-byte PUBLISH").isEqualTo(1);
        }
    }

    private static void roundTrip(Broker broker) throws Exception {
        String topic = Names.topic("after");
        try (Paho5 client = Paho5.connect(broker, Transport.TCP, Names.clientId("after"))) {
            client.subscribe(topic, 1);
            client.publish(topic, "still works", 1, false);
            assertThat(client.inbox().next().text()).isEqualTo("still works");
        }
    }
}
