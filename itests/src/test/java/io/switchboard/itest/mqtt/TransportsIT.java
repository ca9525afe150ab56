package io.switchboard.itest.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;

import io.switchboard.itest.mqtt.support.Broker;
import io.switchboard.itest.mqtt.support.BrokerExtension;
import io.switchboard.itest.mqtt.support.Hive;
import io.switchboard.itest.mqtt.support.Names;
import io.switchboard.itest.mqtt.support.Packet;
import io.switchboard.itest.mqtt.support.Packets;
import io.switchboard.itest.mqtt.support.Paho3;
import io.switchboard.itest.mqtt.support.Paho5;
import io.switchboard.itest.mqtt.support.RawClient;
import io.switchboard.itest.mqtt.support.TestKeys;
import io.switchboard.itest.mqtt.support.Transport;

/**
 * The three listeners (TCP, WebSocket with subprotocol {@code mqtt} on {@code /mqtt}, TLS with the
 * test's key store), each driven by Eclipse Paho 3.1.1 and 5 and the HiveMQ client 3.1.1 and 5:
 * subscribe and publish at QoS 0, 1 and 2 and receive every message once, in order. Messages cross
 * transports and protocol versions. WebSocket framing rules of the MQTT specifications (chapter 6).
 */
@ExtendWith(BrokerExtension.class)
class TransportsIT {

    private static final Duration QUIET = Duration.ofMillis(300);

    @ParameterizedTest(name = "Paho 3.1.1 over {0}")
    @EnumSource(Transport.class)
    void paho311PublishesAndReceivesAtEveryQos(Transport transport, Broker broker) throws Exception {
        String topic = Names.topic("paho3-" + transport);
        try (Paho3 client = Paho3.connect(broker, transport, Names.clientId("p3" + transport))) {
            assertThat(client.subscribe(topic + "/#", 2)).as("granted QoS (SUBACK return code)").isEqualTo(2);
            for (int qos = 0; qos <= 2; qos++) {
                client.publish(topic + "/q" + qos, "hello " + qos, qos, false);
            }
            List<Paho3.Received> got = client.inbox().next(3);
            assertThat(got).extracting(Paho3.Received::topic).containsExactly(topic + "/q0", topic + "/q1", topic + "/q2");
            assertThat(got).extracting(Paho3.Received::text).containsExactly("hello 0", "hello 1", "hello 2");
            assertThat(got).extracting(r -> r.message().getQos()).containsExactly(0, 1, 2);
            client.inbox().expectNothing(QUIET);
        }
    }

    @ParameterizedTest(name = "Paho 5 over {0}")
    @EnumSource(Transport.class)
    void paho5PublishesAndReceivesAtEveryQos(Transport transport, Broker broker) throws Exception {
        String topic = Names.topic("paho5-" + transport);
        try (Paho5 client = Paho5.connect(broker, transport, Names.clientId("p5" + transport))) {
            assertThat(client.subscribe(new MqttSubscription(topic + "/#", 2))).as("SUBACK reason codes").containsExactly(2);
            for (int qos = 0; qos <= 2; qos++) {
                client.publish(topic + "/q" + qos, "hello " + qos, qos, false);
            }
            List<Paho5.Received> got = client.inbox().next(3);
            assertThat(got).extracting(Paho5.Received::topic).containsExactly(topic + "/q0", topic + "/q1", topic + "/q2");
            assertThat(got).extracting(Paho5.Received::text).containsExactly("hello 0", "hello 1", "hello 2");
            assertThat(got).extracting(r -> r.message().getQos()).containsExactly(0, 1, 2);
            client.inbox().expectNothing(QUIET);
        }
    }

    @ParameterizedTest(name = "HiveMQ client MQTT 5 over {0}")
    @EnumSource(Transport.class)
    void hiveMq5PublishesAndReceivesAtEveryQos(Transport transport, Broker broker) throws Exception {
        String topic = Names.topic("hive5-" + transport);
        Mqtt5BlockingClient client = Hive.v5(broker, transport, Names.clientId("h5" + transport));
        client.connect();
        try (Mqtt5BlockingClient.Mqtt5Publishes publishes = client.publishes(MqttGlobalPublishFilter.ALL)) {
            client.subscribeWith().topicFilter(topic + "/#").qos(MqttQos.EXACTLY_ONCE).send();
            for (MqttQos qos : MqttQos.values()) {
                client.publishWith().topic(topic + "/" + qos).payload(("hello " + qos).getBytes(StandardCharsets.UTF_8))
                        .qos(qos).send();
            }
            for (MqttQos qos : MqttQos.values()) {
                Mqtt5Publish publish = receive(publishes, "HiveMQ 5 over " + transport);
                assertThat(publish.getTopic().toString()).isEqualTo(topic + "/" + qos);
                assertThat(new String(publish.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("hello " + qos);
                assertThat(publish.getQos()).isEqualTo(qos);
            }
            assertThat(publishes.receive(QUIET.toMillis(), TimeUnit.MILLISECONDS)).as("nothing more").isEmpty();
        } finally {
            Hive.disconnect(client);
        }
    }

    @ParameterizedTest(name = "HiveMQ client MQTT 3.1.1 over {0}")
    @EnumSource(Transport.class)
    void hiveMq311PublishesAndReceivesAtEveryQos(Transport transport, Broker broker) throws Exception {
        String topic = Names.topic("hive3-" + transport);
        Mqtt3BlockingClient client = Hive.v3(broker, transport, Names.clientId("h3" + transport));
        client.connect();
        try (Mqtt3BlockingClient.Mqtt3Publishes publishes = client.publishes(MqttGlobalPublishFilter.ALL)) {
            client.subscribeWith().topicFilter(topic + "/#").qos(MqttQos.EXACTLY_ONCE).send();
            for (MqttQos qos : MqttQos.values()) {
                client.publishWith().topic(topic + "/" + qos).payload(("hello " + qos).getBytes(StandardCharsets.UTF_8))
                        .qos(qos).send();
            }
            for (MqttQos qos : MqttQos.values()) {
                var publish = publishes.receive(10, TimeUnit.SECONDS);
                assertThat(publish).as("HiveMQ 3.1.1 over " + transport + " receives the QoS " + qos + " message").isPresent();
                assertThat(publish.get().getTopic().toString()).isEqualTo(topic + "/" + qos);
                assertThat(publish.get().getQos()).isEqualTo(qos);
            }
        } finally {
            Hive.disconnect(client);
        }
    }

    @Test
    void messagesCrossTransportsAndProtocolVersions(Broker broker) throws Exception {
        String topic = Names.topic("cross");
        try (Paho3 overTls = Paho3.connect(broker, Transport.TLS, Names.clientId("tls3"));
                Paho5 overWebSocket = Paho5.connect(broker, Transport.WEBSOCKET, Names.clientId("ws5"));
                Paho3 overTcp = Paho3.connect(broker, Transport.TCP, Names.clientId("tcp3"))) {
            overWebSocket.subscribe(topic, 1);
            overTcp.subscribe(topic, 1);
            overTls.publish(topic, "from TLS", 1, false);
            assertThat(overWebSocket.inbox().next().text()).isEqualTo("from TLS");
            assertThat(overTcp.inbox().next().text()).isEqualTo("from TLS");
            overWebSocket.publish(topic, "from WebSocket", 1, false);
            assertThat(overTcp.inbox().next().text()).isEqualTo("from WebSocket");
        }
    }

    @Test
    void webSocketHandshakeSelectsTheMqttSubprotocol(Broker broker) throws Exception {
        // MQTT 5.0 section 6 [MQTT-6.0.0-4] (3.1.1 [MQTT-6.0.0-4] too): the server selects "mqtt"
        try (RawClient ws = RawClient.openWebSocket(broker, Broker.WEBSOCKET_PATH, "mqtt")) {
            assertThat(ws.handshakeStatus()).as("handshake status line").contains(" 101");
            assertThat(ws.handshakeHeader("Sec-WebSocket-Protocol")).as("selected subprotocol").isEqualTo("mqtt");
            Packet connack = ws.connect(Packets.V311, Names.clientId("wsraw"));
            assertThat(connack.reasonCode()).isZero();
        }
    }

    @Test
    void webSocketUpgradeOnAnotherPathIsNotFound(Broker broker) throws Exception {
        broker.assumeDistribution(); // the listener's documented behaviour (path = /mqtt; other paths 404)
        try (RawClient ws = RawClient.openWebSocket(broker, "/not-mqtt", "mqtt")) {
            assertThat(ws.handshakeStatus()).as("handshake status line for another path").contains(" 404");
        }
        try (RawClient ws = RawClient.openWebSocket(broker, Broker.WEBSOCKET_PATH + "?token=abc", "mqtt")) {
            assertThat(ws.handshakeStatus()).as("handshake status line with a query string").contains(" 101");
            assertThat(ws.connect(Packets.V5, Names.clientId("wsquery")).reasonCode()).isZero();
        }
    }

    @Test
    void mqttPacketsMaySpanWebSocketFramesAndShareThem(Broker broker) throws Exception {
        // [MQTT-6.0.0-2]: a frame may hold part of a packet or several packets; the receiver must not assume alignment
        String topic = Names.topic("frames");
        try (RawClient ws = RawClient.open(broker, Transport.WEBSOCKET)) {
            ws.version(Packets.V5);
            byte[] connect = Packets.connect(Packets.V5, Names.clientId("frames")).encode();
            int half = connect.length / 2;
            ws.sendFrame(0x2, java.util.Arrays.copyOfRange(connect, 0, half), true);
            ws.sendFrame(0x2, java.util.Arrays.copyOfRange(connect, half, connect.length), true);
            assertThat(ws.expect(Packet.CONNACK).reasonCode()).as("CONNACK after a CONNECT split over two frames").isZero();

            byte[] subscribe = Packets.subscribe(Packets.V5, 1, topic, 1);
            byte[] publish = Packets.publish(Packets.V5, topic, 1, false, 2, "two packets, one frame");
            byte[] both = new byte[subscribe.length + publish.length];
            System.arraycopy(subscribe, 0, both, 0, subscribe.length);
            System.arraycopy(publish, 0, both, subscribe.length, publish.length);
            ws.send(both);
            List<Packet> answers = List.of(ws.next(RawClient.WAIT), ws.next(RawClient.WAIT), ws.next(RawClient.WAIT));
            assertThat(answers).extracting(Packet::type).containsExactlyInAnyOrder(Packet.SUBACK, Packet.PUBACK, Packet.PUBLISH);
            Packet delivered = answers.stream().filter(p -> p.type() == Packet.PUBLISH).findFirst().orElseThrow();
            assertThat(delivered.payloadText()).isEqualTo("two packets, one frame");
        }
    }

    @Test
    void aWebSocketTextFrameClosesTheConnection(Broker broker) throws Exception {
        // [MQTT-6.0.0-1]: MQTT packets travel in binary frames; any other data frame closes the connection
        try (RawClient ws = RawClient.open(broker, Transport.WEBSOCKET)) {
            ws.connect(Packets.V311, Names.clientId("wstext"));
            ws.sendFrame(0x1, "not binary".getBytes(StandardCharsets.UTF_8), true); // valid UTF-8 text, still not allowed
            ws.awaitClosed(Duration.ofSeconds(10));
            if (broker.isDistribution() && ws.webSocketCloseCode() != -1) {
                assertThat(ws.webSocketCloseCode()).as("WebSocket close status (RFC 6455 1003: unacceptable data)").isEqualTo(1003);
            }
        }
        roundTripStillWorks(broker);
    }

    @Test
    void plainMqttOnTheTlsPortIsRefused(Broker broker) throws Exception {
        try (Socket socket = new Socket(broker.host(), broker.port(Transport.TLS))) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(Packets.connect(Packets.V311, Names.clientId("plain")).encode());
            byte[] answer = socket.getInputStream().readNBytes(4);
            // a TLS alert or nothing, never a CONNACK (0x20 0x02)
            assertThat(answer.length >= 2 && answer[0] == 0x20 && answer[1] == 0x02).as("a CONNACK over plain TCP on the TLS port").isFalse();
        } catch (SocketException e) {
            // reset by the broker: refused as well
        }
        roundTripStillWorks(broker);
    }

    /** A new client (HiveMQ, MQTT 3.1.1, TCP) connects, subscribes and gets its own QoS 1 message back. */
    @Test
    void aListenerRequiringClientCertificatesAdmitsOnlyClientsWithOne(Broker broker, @TempDir Path dir)
            throws Exception {
        broker.assumeDistribution();
        // listener attributes tls.client.auth = need + tls.truststore: a client without a trusted certificate fails
        // the TLS handshake; one with it connects and round-trips
        Path[] identity = TestKeys.clientIdentity(dir, "itest-client");
        int port = Broker.freePort();
        Map<String, String> config = new LinkedHashMap<>();
        config.put("transport", "tcp");
        config.put("host", broker.host());
        config.put("port", Integer.toString(port));
        config.put("tls", "true");
        config.put("tls.keystore", broker.keys().keyStore().toAbsolutePath().toString());
        config.put("tls.keystore.password", TestKeys.PASSWORD);
        config.put("tls.client.auth", "need");
        config.put("tls.truststore", identity[1].toAbsolutePath().toString());
        config.put("tls.truststore.password", TestKeys.PASSWORD);
        Path file = broker.writeConfig("io.switchboard.mqtt.listener-mtls.cfg", config);
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            MqttConnectOptions options = new MqttConnectOptions();
            options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
            options.setSocketFactory(broker.keys().sslContext(identity[0]).getSocketFactory());
            options.setConnectionTimeout(5);
            MqttClient client = new MqttClient(
                    "ssl://localhost:" + port, Names.clientId("mtls"), new MemoryPersistence());
            try {
                while (true) {
                    try {
                        client.connect(options);
                        break;
                    } catch (MqttException notYet) {
                        if (System.nanoTime() > deadline) {
                            throw new AssertionError("no MQTT connection with a client certificate to the 'mtls' listener within 30 s"
                                    + broker.diagnostics(), notYet);
                        }
                        Thread.sleep(200); // the listener binds after FileInstall reads the file; bounded by the deadline
                    }
                }
                String topic = Names.topic("mtls");
                BlockingQueue<String> received = new LinkedBlockingQueue<>();
                client.subscribe(topic, 1, (t, m) -> received.add(new String(m.getPayload(), StandardCharsets.UTF_8)));
                client.publish(topic, "mutual TLS".getBytes(StandardCharsets.UTF_8), 1, false);
                assertThat(received.poll(10, TimeUnit.SECONDS)).as("round trip with a client certificate").isEqualTo("mutual TLS");
                client.disconnect(0);
            } finally {
                client.close(true);
            }
            // no client certificate: the handshake fails, no CONNACK
            try (Socket plain = new Socket(broker.host(), port)) {
                SSLSocket tls = (SSLSocket) broker.keys().socketFactory()
                        .createSocket(plain, "localhost", port, true);
                tls.setSoTimeout(10_000);
                boolean refused;
                try {
                    tls.startHandshake();
                    tls.getOutputStream().write(Packets.connect(Packets.V311, Names.clientId("nocert")).encode());
                    tls.getOutputStream().flush();
                    refused = tls.getInputStream().read() < 0; // TLS 1.3: the refusal comes after the client's Finished
                } catch (IOException e) {
                    refused = true;
                }
                assertThat(refused).as("a client without a certificate was refused").isTrue();
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    static void roundTripStillWorks(Broker broker) throws Exception {
        String topic = Names.topic("still-works");
        Mqtt3BlockingClient client = Hive.v3(broker, Transport.TCP, Names.clientId("after"));
        client.connect();
        try (Mqtt3BlockingClient.Mqtt3Publishes publishes = client.publishes(MqttGlobalPublishFilter.ALL)) {
            client.subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).send();
            client.publishWith().topic(topic).payload("still works".getBytes(StandardCharsets.UTF_8)).qos(MqttQos.AT_LEAST_ONCE).send();
            var publish = publishes.receive(10, TimeUnit.SECONDS);
            assertThat(publish).as("a new client's round trip within 10 s").isPresent();
            assertThat(new String(publish.get().getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("still works");
        } finally {
            Hive.disconnect(client);
        }
    }

    static Mqtt5Publish receive(Mqtt5BlockingClient.Mqtt5Publishes publishes, String who) throws InterruptedException {
        Optional<Mqtt5Publish> publish = publishes.receive(10, TimeUnit.SECONDS);
        assertThat(publish).as(who + " receives a message within 10 s").isPresent();
        return publish.get();
    }
}
