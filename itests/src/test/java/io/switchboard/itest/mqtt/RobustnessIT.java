package io.switchboard.itest.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.switchboard.itest.mqtt.support.Broker;
import io.switchboard.itest.mqtt.support.BrokerExtension;
import io.switchboard.itest.mqtt.support.BrokerExtension.Dedicated;
import io.switchboard.itest.mqtt.support.Names;
import io.switchboard.itest.mqtt.support.Packet;
import io.switchboard.itest.mqtt.support.Packets;
import io.switchboard.itest.mqtt.support.Paho3;
import io.switchboard.itest.mqtt.support.Paho5;
import io.switchboard.itest.mqtt.support.RawClient;
import io.switchboard.itest.mqtt.support.Transport;
import io.switchboard.itest.mqtt.support.Wire;

/**
 * Bad input on raw sockets, on a distribution of its own (connect timeout 2 s): malformed and
 * truncated packets, random bytes, unsupported protocol levels and names, packets before CONNECT or
 * after it again, protocol violations, an oversized packet, garbage from many connections at once.
 * Each bad connection is closed, with the CONNACK or DISCONNECT reason code the protocol version has
 * for it (MQTT 5.0 section 4.13, 3.1.1 section 4.8); after each, a client connected all along
 * ("bystander") still works and a new client connects and round-trips.
 */
@ExtendWith(BrokerExtension.class)
@Dedicated(config = "io.switchboard.mqtt.cfg: connect.timeout = 2")
class RobustnessIT {

    private static final Duration CLOSE = Duration.ofSeconds(10);
    private static Paho5 bystander;
    private static String bystanderTopic;

    @BeforeAll
    static void connectBystander(Broker broker) throws Exception {
        bystanderTopic = Names.topic("bystander");
        bystander = Paho5.connect(broker, Transport.TCP, Names.clientId("bystander"));
        bystander.subscribe(bystanderTopic, 1);
    }

    @AfterAll
    static void disconnectBystander() {
        if (bystander != null) {
            bystander.close();
        }
    }

    @AfterEach
    void othersAreUnaffected(Broker broker) throws Exception {
        assertThat(bystander.client().isConnected()).as("the bystander client is still connected").isTrue();
        bystander.publish(bystanderTopic, "still here", 1, false);
        assertThat(bystander.inbox().next().text()).as("the bystander's round trip").isEqualTo("still here");
        TransportsIT.roundTripStillWorks(broker);
    }

    // ------------------------------------------------------------------------------ before or instead of CONNECT

    @ParameterizedTest(name = "protocol level {0}")
    @ValueSource(ints = {Packets.V311, Packets.V5})
    void aPublishBeforeConnectClosesTheConnection(int version, Broker broker) throws Exception {
        // 3.1.1 [MQTT-3.1.0-1] / 5.0 [MQTT-3.1.0-1]: the first packet MUST be CONNECT; otherwise the server closes
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            client.version(version).sendQuietly(Packets.publish(version, Names.topic("early"), 1, false, 1, "too early"));
            assertThat(client.awaitClosed(CLOSE)).as("packets before the close").isEmpty();
        }
    }

    @Test
    void aSubscribeBeforeConnectClosesTheConnection(Broker broker) throws Exception {
        try (RawClient client = RawClient.open(broker, Transport.WEBSOCKET)) {
            client.version(Packets.V311).sendQuietly(Packets.subscribe(Packets.V311, 1, "#", 0));
            assertThat(client.awaitClosed(CLOSE)).as("packets before the close").isEmpty();
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 3, 4711})
    void randomBytesCloseTheConnection(long seed, Broker broker) throws Exception {
        byte[] garbage = new byte[1024];
        new Random(seed).nextBytes(garbage);
        if (((garbage[0] >> 4) & 0x0f) == Packet.CONNECT) {
            garbage[0] = (byte) 0xF7; // not a CONNECT: the connection must not wait for more
        }
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            client.sendQuietly(garbage);
            List<Packet> before = client.awaitClosed(CLOSE);
            assertThat(before).as("packets before the close").noneSatisfy(p -> {
                assertThat(p.type()).isEqualTo(Packet.CONNACK);
                assertThat(p.reasonCode()).isZero();
            });
        }
    }

    @Test
    void randomBytesInAWebSocketFrameCloseTheConnection(Broker broker) throws Exception {
        byte[] garbage = new byte[512];
        new Random(7).nextBytes(garbage);
        garbage[0] = (byte) 0xF7;
        try (RawClient client = RawClient.open(broker, Transport.WEBSOCKET)) {
            client.sendQuietly(garbage);
            client.awaitClosed(CLOSE);
        }
    }

    @Test
    void randomBytesAfterTheTlsHandshakeCloseTheConnection(Broker broker) throws Exception {
        byte[] garbage = new byte[512];
        new Random(8).nextBytes(garbage);
        garbage[0] = (byte) 0xF7;
        try (RawClient client = RawClient.open(broker, Transport.TLS)) {
            client.sendQuietly(garbage);
            client.awaitClosed(CLOSE);
        }
    }

    @ParameterizedTest(name = "protocol level byte {0}")
    @ValueSource(ints = {6, 3, 0, 255})
    void anUnsupportedProtocolLevelIsRefused(int level, Broker broker) throws Exception {
        // 3.1.1 [MQTT-3.1.2-2]: CONNACK 0x01 (unacceptable protocol level), then close; 5.0 3.1.2.2: CONNACK 0x84
        // (Unsupported Protocol Version) then close [MQTT-3.1.2-2]
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            client.version(Packets.V311);
            client.sendQuietly(Packets.connect(Packets.V311, Names.clientId("level" + level)).level(level).encode());
            List<Packet> before = client.awaitClosed(CLOSE);
            assertThat(before).as("packets before the close").singleElement().satisfies(p -> {
                assertThat(p.type()).as("packet type").isEqualTo(Packet.CONNACK);
                assertThat(p.reasonCode()).as("CONNACK code for protocol level " + level).isIn(0x01, 0x84);
            });
        }
    }

    @ParameterizedTest(name = "protocol name {0}")
    @ValueSource(strings = {"MQIsdp", "HTTP", "mqtt"})
    void aWrongProtocolNameIsRefused(String name, Broker broker) throws Exception {
        // 3.1.1 [MQTT-3.1.2-1] / 5.0 [MQTT-3.1.2-1]: "MQTT" only; otherwise the server disconnects (5.0: it may send
        // CONNACK 0x84 first)
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            client.version(Packets.V311);
            client.sendQuietly(Packets.connect(Packets.V311, Names.clientId("name")).protocolName(name).encode());
            List<Packet> before = client.awaitClosed(CLOSE);
            assertThat(before).as("packets before the close").allSatisfy(p -> {
                assertThat(p.type()).isEqualTo(Packet.CONNACK);
                assertThat(p.reasonCode()).as("CONNACK code").isIn(0x01, 0x84);
            });
        }
    }

    @ParameterizedTest(name = "protocol level {0}")
    @ValueSource(ints = {Packets.V311, Packets.V5})
    void theReservedConnectFlagMustBeZero(int version, Broker broker) throws Exception {
        // 3.1.1 [MQTT-3.1.2-3]: disconnect; 5.0 [MQTT-3.1.2-3]: Malformed Packet (CONNACK 0x81 allowed, 4.13)
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            client.version(version).sendQuietly(Packets.connect(version, Names.clientId("reserved")).reservedFlag().encode());
            List<Packet> before = client.awaitClosed(CLOSE);
            assertThat(before).as("packets before the close").allSatisfy(p -> {
                assertThat(p.type()).isEqualTo(Packet.CONNACK);
                assertThat(p.reasonCode()).as("CONNACK code").isEqualTo(version == Packets.V5 ? 0x81 : -1);
            });
        }
    }

    @Test
    void aTruncatedConnectIsClosedAtTheConnectTimeout(Broker broker) throws Exception {
        // "If the Server does not receive a CONNECT packet within a reasonable amount of time after the Network
        // Connection is established, the Server SHOULD close the Network Connection" (3.1.4 / 4.8): connect.timeout 2 s
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            byte[] connect = Packets.connect(Packets.V5, Names.clientId("half")).encode();
            client.send(Arrays.copyOf(connect, connect.length / 2));
            long start = System.nanoTime();
            client.awaitClosed(CLOSE);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("ms until closed").isLessThan(6000);
        }
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAtTheConnectTimeout(Broker broker) throws Exception {
        try (RawClient client = RawClient.open(broker, Transport.WEBSOCKET)) {
            client.awaitClosed(CLOSE);
        }
    }

    @Test
    void aTruncatedPacketFollowedByAClosedSocketLeavesNoTrace(Broker broker) throws Exception {
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            client.connect(Packets.V311, Names.clientId("trunc"));
            byte[] publish = Packets.publish(Packets.V311, Names.topic("trunc"), 1, false, 1, "x".repeat(500));
            client.send(Arrays.copyOf(publish, 100));
        } // socket closed mid-packet
    }

    // ------------------------------------------------------------------------------ after CONNECT

    @ParameterizedTest(name = "protocol level {0}")
    @ValueSource(ints = {Packets.V311, Packets.V5})
    void aSecondConnectIsAProtocolViolation(int version, Broker broker) throws Exception {
        // 3.1.1 [MQTT-3.1.0-2]: disconnect; 5.0 [MQTT-3.1.0-2]: Protocol Error -> DISCONNECT 0x82 then close
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            client.connect(version, Names.clientId("twice"));
            client.sendQuietly(Packets.connect(version, Names.clientId("twice")).encode());
            expectDisconnect(client, version, 0x82);
        }
    }

    @ParameterizedTest(name = "protocol level {0}")
    @ValueSource(ints = {Packets.V311, Packets.V5})
    void aRemainingLengthOfFiveBytesIsMalformed(int version, Broker broker) throws Exception {
        // 1.5.5: a Variable Byte Integer has at most 4 bytes -> Malformed Packet (5.0: DISCONNECT 0x81)
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            client.connect(version, Names.clientId("vbi"));
            client.sendQuietly(new byte[] {0x30, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x01, 0, 0});
            expectDisconnect(client, version, 0x81);
        }
    }

    @ParameterizedTest(name = "protocol level {0}")
    @ValueSource(ints = {Packets.V311, Packets.V5})
    void aPublishWithBothQosBitsSetIsMalformed(int version, Broker broker) throws Exception {
        // 3.1.1 [MQTT-3.3.1-4] / 5.0 [MQTT-3.3.1-4]: QoS 3 -> close (5.0: Malformed Packet, DISCONNECT 0x81)
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            client.connect(version, Names.clientId("qos3"));
            byte[] publish = Packets.publish(version, Names.topic("qos3"), 1, false, 1, "three");
            publish[0] = (byte) (0x30 | 0x06);
            client.sendQuietly(publish);
            expectDisconnect(client, version, 0x81);
        }
    }

    @ParameterizedTest(name = "protocol level {0}")
    @ValueSource(ints = {Packets.V311, Packets.V5})
    void aWildcardInAPublishTopicIsRefused(int version, Broker broker) throws Exception {
        // 3.1.1 [MQTT-3.3.2-2] / 5.0 [MQTT-3.3.2-2]: no wildcards in a Topic Name (5.0: DISCONNECT 0x90 Topic Name
        // invalid, or 0x81/0x82 for the malformed packet)
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            client.connect(version, Names.clientId("wildpub"));
            client.sendQuietly(Packets.publish(version, Names.topic("wild") + "/+", 1, false, 1, "wild"));
            expectDisconnect(client, version, 0x90, 0x81, 0x82);
        }
    }

    @ParameterizedTest(name = "protocol level {0}")
    @ValueSource(ints = {Packets.V311, Packets.V5})
    void illFormedUtf8InATopicIsMalformed(int version, Broker broker) throws Exception {
        // 3.1.1 [MQTT-1.5.3-1] / 5.0 [MQTT-1.5.4-1]: ill-formed UTF-8 -> close (5.0: Malformed Packet 0x81)
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            client.connect(version, Names.clientId("utf8"));
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            byte[] topic = {'a', '/', (byte) 0xC3, (byte) 0x28};
            Wire.binary(body, topic);
            Wire.u16(body, 1);
            if (version == Packets.V5) {
                body.write(0);
            }
            body.writeBytes("bad topic".getBytes());
            client.sendQuietly(Wire.packet(Packet.PUBLISH, 0x02, body.toByteArray()));
            expectDisconnect(client, version, 0x81);
        }
    }

    @ParameterizedTest(name = "protocol level {0}")
    @ValueSource(ints = {Packets.V311, Packets.V5})
    void aNullCharacterInATopicIsMalformed(int version, Broker broker) throws Exception {
        // 3.1.1 [MQTT-1.5.3-2] / 5.0 [MQTT-1.5.4-2]: U+0000 in a UTF-8 string -> close (5.0: 0x81)
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            client.connect(version, Names.clientId("nul"));
            client.sendQuietly(Packets.publish(version, Names.topic("nul") + "\u0000x", 0, false, 0, "nul"));
            expectDisconnect(client, version, 0x81);
        }
    }

    @ParameterizedTest(name = "protocol level {0}")
    @ValueSource(ints = {Packets.V311, Packets.V5})
    void packetIdentifierZeroIsNotAllowed(int version, Broker broker) throws Exception {
        // 3.1.1 [MQTT-2.3.1-1] / 5.0 [MQTT-2.2.1-3]: QoS > 0 packets carry a non-zero identifier (5.0: 0x81 / 0x82)
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            client.connect(version, Names.clientId("id0"));
            client.sendQuietly(Packets.publish(version, Names.topic("id0"), 1, false, 0, "id zero"));
            expectDisconnect(client, version, 0x81, 0x82);
        }
    }

    @ParameterizedTest(name = "protocol level {0}")
    @ValueSource(ints = {Packets.V311, Packets.V5})
    void subscribeFixedHeaderFlagsMustBe0010(int version, Broker broker) throws Exception {
        // 3.1.1 [MQTT-3.8.1-1] / 5.0 [MQTT-3.8.1-1]: reserved bits 0010, else Malformed Packet (5.0: 0x81)
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            client.connect(version, Names.clientId("subflags"));
            byte[] subscribe = Packets.subscribe(version, 1, Names.topic("flags"), 0);
            subscribe[0] = (byte) 0x80;
            client.sendQuietly(subscribe);
            expectDisconnect(client, version, 0x81);
        }
    }

    @ParameterizedTest(name = "protocol level {0}")
    @ValueSource(ints = {Packets.V311, Packets.V5})
    void aSubscribeWithoutFiltersIsAViolation(int version, Broker broker) throws Exception {
        // 3.1.1 [MQTT-3.8.3-3] / 5.0 [MQTT-3.8.3-2]: at least one filter (5.0: Protocol Error 0x82, or 0x81)
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            client.connect(version, Names.clientId("nofilter"));
            client.sendQuietly(Packets.subscribe(version, 1, io.switchboard.itest.mqtt.support.Properties5.none(), new String[0], new int[0]));
            expectDisconnect(client, version, 0x82, 0x81);
        }
    }

    @ParameterizedTest(name = "protocol level {0}")
    @ValueSource(ints = {Packets.V311, Packets.V5})
    void aServerOnlyPacketFromAClientIsAViolation(int version, Broker broker) throws Exception {
        // a CONNACK sent by a client: not a packet a server accepts (5.0: Protocol Error 0x82 / Malformed 0x81)
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            client.connect(version, Names.clientId("connack"));
            client.sendQuietly(version == Packets.V5 ? new byte[] {0x20, 0x03, 0x00, 0x00, 0x00} : new byte[] {0x20, 0x02, 0x00, 0x00});
            expectDisconnect(client, version, 0x82, 0x81);
        }
    }

    @ParameterizedTest(name = "protocol level {0}")
    @ValueSource(ints = {Packets.V311, Packets.V5})
    void anOversizedPacketIsRefused(int version, Broker broker) throws Exception {
        // the listener's max.packet.size (test listeners: 256 KiB), announced in the 5.0 CONNACK as Maximum Packet Size:
        // 5.0 DISCONNECT 0x95 (Packet too large); 3.1.1 close
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            Packet connack = client.connect(version, Names.clientId("huge"));
            if (version == Packets.V5) {
                assertThat(connack.properties().integer(io.switchboard.itest.mqtt.support.Properties5.MAXIMUM_PACKET_SIZE))
                        .as("Maximum Packet Size").isEqualTo(Broker.DEFAULT_MAX_PACKET_SIZE);
            }
            client.sendQuietly(Packets.publish(version, Names.topic("huge"), 1, false, 1, "z".repeat(Broker.DEFAULT_MAX_PACKET_SIZE + 1)));
            expectDisconnect(client, version, 0x95);
        }
    }

    // ------------------------------------------------------------------------------ many at once

    @Test
    void garbageFromManyConnectionsAtOnceDoesNotDisturbTraffic(Broker broker) throws Exception {
        String topic = Names.topic("busy");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (Paho3 client = Paho3.connect(broker, Transport.TCP, Names.clientId("busy"))) {
            client.subscribe(topic, 1);
            List<Future<?>> attacks = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                int seed = i;
                attacks.add(pool.submit(() -> {
                    byte[] garbage = new byte[2048];
                    new Random(seed).nextBytes(garbage);
                    garbage[0] = (byte) (seed % 2 == 0 ? 0xF7 : 0x30); // half: a PUBLISH before CONNECT
                    Transport transport = Transport.values()[seed % Transport.values().length];
                    try (RawClient raw = RawClient.open(broker, transport)) {
                        raw.sendQuietly(garbage);
                        raw.awaitClosed(CLOSE);
                    }
                    return null;
                }));
            }
            for (int i = 0; i < 50; i++) {
                client.publish(topic, "m" + i, 1, false);
            }
            assertThat(client.inbox().next(50)).extracting(Paho3.Received::text).startsWith("m0").endsWith("m49");
            for (Future<?> attack : attacks) {
                attack.get(30, TimeUnit.SECONDS); // each garbage connection was closed (awaitClosed)
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ------------------------------------------------------------------------------ helpers

    /**
     * Waits for the close; MQTT 5 must say why first with a DISCONNECT carrying one of {@code codes}
     * (5.0 4.13: "SHOULD send a DISCONNECT packet containing the reason code"); 3.1.1 has no server DISCONNECT.
     */
    private static void expectDisconnect(RawClient client, int version, Integer... codes) {
        List<Packet> before = client.awaitClosed(CLOSE);
        if (version == Packets.V5) {
            assertThat(before).as("packets before the close").anySatisfy(p -> {
                assertThat(p.type()).isEqualTo(Packet.DISCONNECT);
                assertThat(p.reasonCode()).as("DISCONNECT reason code").isIn((Object[]) codes);
            });
        } else {
            assertThat(before).as("packets a 3.1.1 client received before the close").noneMatch(p -> p.type() == Packet.DISCONNECT);
        }
    }
}
