package io.switchboard.itest.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;

import io.switchboard.itest.mqtt.support.Broker;
import io.switchboard.itest.mqtt.support.BrokerExtension;
import io.switchboard.itest.mqtt.support.Hive;
import io.switchboard.itest.mqtt.support.Names;
import io.switchboard.itest.mqtt.support.Packet;
import io.switchboard.itest.mqtt.support.Packets;
import io.switchboard.itest.mqtt.support.Paho3;
import io.switchboard.itest.mqtt.support.Paho5;
import io.switchboard.itest.mqtt.support.Properties5;
import io.switchboard.itest.mqtt.support.RawClient;
import io.switchboard.itest.mqtt.support.Transport;
import io.switchboard.itest.support.FixtureBundle;

/**
 * Modules acting on real MQTT clients: the shipped profanity module masks (its default configuration)
 * and, with a factory configuration file written into {@code configadmin/}, consumes a client's message;
 * fixture modules built at test time ({@code src/test/fixtures/io/switchboard/itest/fixture/mqtt}) and
 * dropped into {@code deploy/} refuse logins and subscriptions (the CONNACK and SUBACK reason codes of
 * both protocol versions), delay {@code slow/#} asynchronously without stalling other clients, and turn
 * client read receipts ({@code $read/<message id>}) into messages; a listener's mandatory modules.
 */
@ExtendWith(BrokerExtension.class)
class ModuleInterplayIT {

    private static final Duration APPLY = Duration.ofSeconds(30);

    /** What the fixture gatekeeper (src/test/fixtures/.../mqtt/gatekeeper) refuses; fixture classes are not on this class path. */
    private static final class GatekeeperModule {
        static final String NAME = "gatekeeper";
        static final String INTRUDER = "intruder";
        static final String INTRUDER_REASON = "intruders are not let in";
        static final String WRONG_PASSWORD = "wrongpass";
        static final String SLOW_INTRUDER = "slowintruder";
    }

    /** The fixture delay module: {@code slow/#} decided after 1500 ms. */
    private static final class DelayModule {
        static final String NAME = "delay";
        static final long DELAY_MILLIS = 1500;
    }

    /** The fixture receipts module: READ statuses as messages on {@code itest-receipts/<message id>}. */
    private static final class ReceiptsModule {
        static final String NAME = "receipts";
        static final String TOPIC_PREFIX = "itest-receipts/";
    }

    @TempDir
    static Path jars;

    private static final List<Path> deployed = new ArrayList<>();

    @BeforeAll
    static void deployFixtureModules(Broker broker) throws Exception {
        broker.assumeDistribution();
        File api = broker.apiJar();
        for (String fixture : List.of("gatekeeper", "delay", "receipts")) {
            File jar = FixtureBundle.of("io.switchboard.itest.fixture.mqtt." + fixture)
                    .symbolicName("io.switchboard.itest.fixture.mqtt." + fixture)
                    .classpath(api)
                    .buildTo(jars.resolve(fixture + ".jar").toFile());
            deployed.add(broker.deploy(jar, "itest-" + fixture + ".jar"));
        }
        broker.awaitShell("sb:modules lists the fixture modules ACTIVE", "sb:modules", APPLY,
                out -> active(out, GatekeeperModule.NAME) && active(out, DelayModule.NAME) && active(out, ReceiptsModule.NAME));
    }

    @AfterAll
    static void undeployFixtureModules() throws Exception {
        for (Path jar : deployed) {
            Files.deleteIfExists(jar);
        }
    }

    // ------------------------------------------------------------------------------ profanity

    @Test
    void theShippedProfanityModuleMasksARealClientsMessage(Broker broker) throws Exception {
        // configadmin/io.switchboard.module.profanity-default.cfg: darn, heck, frick, crud; MASK with '*'
        String topic = Names.topic("chat");
        try (Paho5 reader = Paho5.connect(broker, Transport.WEBSOCKET, Names.clientId("reader"));
                Paho3 writer = Paho3.connect(broker, Transport.TCP, Names.clientId("writer"))) {
            reader.subscribe(topic, 1);
            writer.publish(topic, "what the heck, darn it", 1, false);
            assertThat(reader.inbox().next().text()).isEqualTo("what the ****, **** it");
            Mqtt5BlockingClient v5 = Hive.v5(broker, Transport.TLS, Names.clientId("writer5"));
            v5.connect();
            try {
                v5.publishWith().topic(topic).payload("Frick! CRUD!".getBytes(StandardCharsets.UTF_8)).send();
            } finally {
                Hive.disconnect(v5);
            }
            assertThat(reader.inbox().next().text()).as("case-insensitive, whole words").isEqualTo("*****! ****!");
        }
    }

    @Test
    void aProfanityInstanceConfiguredToConsumeDropsTheMessage(Broker broker) throws Exception {
        broker.assumeDistribution();
        String topic = Names.topic("consume");
        Map<String, String> config = new LinkedHashMap<>();
        config.put("words", "darn, heck");
        config.put("mode", "CONSUME");
        config.put("service.ranking", "200");
        config.put("switchboard.module.topics", topic);
        Path file = broker.writeConfig("io.switchboard.module.profanity-itestconsume.cfg", config);
        try {
            broker.awaitShell("sb:chain lists profanity:itestconsume", "sb:chain", APPLY,
                    out -> out.contains("profanity:itestconsume"));
            try (Paho3 reader = Paho3.connect(broker, Transport.TCP, Names.clientId("reader"));
                    Paho5 writer = Paho5.connect(broker, Transport.TCP, Names.clientId("writer"))) {
                reader.subscribe(topic, 1);
                // the profanity README: an MQTT 5 publisher of a consumed message gets PUBACK 0x83 (Implementation specific error)
                int[] codes = writer.publish(topic, "darn this", 1, false).getReasonCodes();
                assertThat(codes).as("PUBACK reason code for a consumed message").containsExactly(0x83);
                writer.publish(topic, "all good", 1, false);
                // one publisher's messages keep their order: had the first passed, it would arrive first
                assertThat(reader.inbox().next().text()).isEqualTo("all good");
                writer.publish(Names.topic("elsewhere"), "heck", 1, false); // other topics: not this instance's
            }
        } finally {
            Files.deleteIfExists(file);
        }
        broker.awaitShell("sb:chain no longer lists profanity:itestconsume", "sb:chain", APPLY,
                out -> !out.contains("profanity:itestconsume"));
    }

    // ------------------------------------------------------------------------------ login refusal

    @Test
    void v311LoginRefusedByAModuleGetsConnackReturnCodes(Broker broker) throws Exception {
        broker.assumeDistribution();
        // Admission.refuse(NOT_AUTHORIZED) -> 3.1.1 CONNACK 0x05 (not authorized); BAD_USER_NAME_OR_PASSWORD -> 0x04;
        // then the server closes the connection [MQTT-3.2.2-5]
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            Packet connack = client.connect(Packets.connect(Packets.V311, Names.clientId("intruder3"))
                    .userName(GatekeeperModule.INTRUDER).password("x"));
            assertThat(connack.reasonCode()).as("CONNACK return code").isEqualTo(0x05);
            assertThat(connack.sessionPresent()).isFalse();
            client.awaitClosed(Duration.ofSeconds(10));
        }
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            Packet connack = client.connect(Packets.connect(Packets.V311, Names.clientId("wrongpw3"))
                    .userName(GatekeeperModule.WRONG_PASSWORD).password("guess"));
            assertThat(connack.reasonCode()).as("CONNACK return code").isEqualTo(0x04);
            client.awaitClosed(Duration.ofSeconds(10));
        }
        try (Paho3 paho = Paho3.create(broker, Transport.WEBSOCKET, Names.clientId("pahointruder"))) {
            MqttException refused = catchThrowableOfType(MqttException.class, () -> paho.connect(o -> {
                o.setUserName(GatekeeperModule.INTRUDER);
                o.setPassword("x".toCharArray());
            }));
            assertThat(refused).as("Paho's connect").isNotNull();
            assertThat(refused.getReasonCode()).as("MqttException reason code (the CONNACK return code)")
                    .isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED);
        }
        TransportsIT.roundTripStillWorks(broker);
    }

    @Test
    void v5LoginRefusedByAModuleGetsConnackReasonCodeAndReasonString(Broker broker) throws Exception {
        broker.assumeDistribution();
        // 5.0 3.2.2.2: CONNACK 0x87 (Not authorized) / 0x86 (Bad User Name or Password), the module's reason as the
        // Reason String (3.2.2.3.9), then close [MQTT-3.2.2-7]
        Mqtt5BlockingClient hive = Hive.v5(broker, Transport.TCP, Names.clientId("intruder5"));
        Mqtt5ConnAckException refused = catchThrowableOfType(Mqtt5ConnAckException.class, () -> hive.connectWith()
                .simpleAuth().username(GatekeeperModule.INTRUDER).password("x".getBytes()).applySimpleAuth().send());
        assertThat(refused).as("HiveMQ's connect").isNotNull();
        assertThat(refused.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
        assertThat(refused.getMqttMessage().getReasonString()).map(Object::toString).contains(GatekeeperModule.INTRUDER_REASON);

        try (RawClient client = RawClient.open(broker, Transport.TLS)) {
            Packet connack = client.connect(Packets.connect(Packets.V5, Names.clientId("wrongpw5"))
                    .userName(GatekeeperModule.WRONG_PASSWORD).password("guess"));
            assertThat(connack.reasonCode()).as("CONNACK reason code").isEqualTo(0x86);
            client.awaitClosed(Duration.ofSeconds(10));
        }
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            long start = System.nanoTime();
            Packet connack = client.connect(Packets.connect(Packets.V5, Names.clientId("slow5")).userName(GatekeeperModule.SLOW_INTRUDER));
            assertThat(connack.reasonCode()).as("CONNACK reason code of an asynchronous refusal").isEqualTo(0x87);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("ms (the module decides after 300 ms)")
                    .isGreaterThanOrEqualTo(250);
            client.awaitClosed(Duration.ofSeconds(10));
        }
        TransportsIT.roundTripStillWorks(broker);
    }

    // ------------------------------------------------------------------------------ subscription refusal

    @Test
    void v311SubscriptionRefusedByAModuleGetsSubackFailure(Broker broker) throws Exception {
        broker.assumeDistribution();
        // 3.1.1 [MQTT-3.9.3-...]: SUBACK 0x80 (failure) for the refused filter only; the others are granted
        String root = Names.topic("acl3");
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            client.connect(Packets.V311, Names.clientId("acl3"));
            client.send(Packets.subscribe(Packets.V311, 10, Properties5.none(),
                    new String[] {root + "/open", root + "/forbidden/x", root + "/overquota"}, new int[] {1, 1, 0}));
            Packet suback = client.expect(Packet.SUBACK);
            assertThat(suback.reasonCodes()).as("SUBACK return codes").containsExactly(0x01, 0x80, 0x80);
            try (Paho3 publisher = Paho3.connect(broker, Transport.TCP, Names.clientId("pub"))) {
                publisher.publish(root + "/forbidden/x", "secret", 1, false);
                publisher.publish(root + "/open", "public", 1, false);
            }
            Packet got = client.expect(Packet.PUBLISH);
            assertThat(got.payloadText()).as("the first message delivered (the refused filter gets nothing)").isEqualTo("public");
        }
    }

    @Test
    void v5SubscriptionRefusedByAModuleGetsSubackReasonCodes(Broker broker) throws Exception {
        broker.assumeDistribution();
        // 5.0 3.9.3: SUBACK 0x87 (Not authorized), 0x97 (Quota exceeded) per filter, with a Reason String
        String root = Names.topic("acl5");
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            client.connect(Packets.V5, Names.clientId("acl5"));
            client.send(Packets.subscribe(Packets.V5, 11, Properties5.none(),
                    new String[] {root + "/forbidden/#", root + "/open", root + "/overquota"}, new int[] {2, 2, 1}));
            Packet suback = client.expect(Packet.SUBACK);
            assertThat(suback.reasonCodes()).as("SUBACK reason codes").containsExactly(0x87, 0x02, 0x97);
            assertThat(suback.reasonString()).as("Reason String of " + suback).isNotBlank();
        }
        try (RawClient quiet = RawClient.open(broker, Transport.TCP)) {
            // Request Problem Information 0: no Reason String on a SUBACK [MQTT-3.1.2-29]
            quiet.connect(Packets.connect(Packets.V5, Names.clientId("quiet"))
                    .properties(Properties5.none().add(Properties5.REQUEST_PROBLEM_INFORMATION, 0)));
            Packet suback = quiet.subscribe(1, root + "/forbidden", 1);
            assertThat(suback.reasonCodes()).containsExactly(0x87);
            assertThat(suback.properties().has(Properties5.REASON_STRING)).as("Reason String with Request Problem Information 0").isFalse();
        }
        try (Paho5 paho = Paho5.connect(broker, Transport.WEBSOCKET, Names.clientId("paho5acl"))) {
            assertThat(paho.subscribe(new MqttSubscription(root + "/forbidden", 1), new MqttSubscription(root + "/fine", 1)))
                    .as("Paho's subscribe reason codes").containsExactly(0x87, 0x01);
        }
    }

    // ------------------------------------------------------------------------------ asynchronous module

    @Test
    void anAsynchronousModuleDelayingSlowTopicsDoesNotStallOtherClients(Broker broker) throws Exception {
        broker.assumeDistribution();
        String slow = "slow/" + Names.topic("x").replace('/', '-');
        String fast = Names.topic("fast");
        try (Paho5 watcher = Paho5.connect(broker, Transport.TCP, Names.clientId("watch"));
                Paho5 slowPublisher = Paho5.connect(broker, Transport.TCP, Names.clientId("slowpub"));
                Paho5 fastPublisher = Paho5.connect(broker, Transport.TCP, Names.clientId("fastpub"))) {
            watcher.subscribe(slow, 1);
            watcher.subscribe(fast, 1);
            long start = System.nanoTime();
            slowPublisher.client().publish(slow, new MqttMessage("slow one".getBytes(), 1, false, new MqttProperties()));
            for (int i = 0; i < 5; i++) {
                fastPublisher.publish(fast, "fast " + i, 1, false);
            }
            for (int i = 0; i < 5; i++) {
                Paho5.Received got = watcher.inbox().next();
                assertThat(got.text()).as("message " + i + " the watcher received").isEqualTo("fast " + i);
            }
            long fastDone = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(fastDone).as("ms until another client's 5 messages arrived (the slow one takes "
                    + DelayModule.DELAY_MILLIS + " ms)").isLessThan(DelayModule.DELAY_MILLIS);
            Paho5.Received delayed = watcher.inbox().next();
            assertThat(delayed.text()).isEqualTo("slow one");
            assertThat(delayed.properties().getUserProperties()).extracting(p -> p.getKey() + "=" + p.getValue()).contains("delayed=true");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("ms until the slow message arrived")
                    .isGreaterThanOrEqualTo(DelayModule.DELAY_MILLIS - 100);
        }
    }

    // ------------------------------------------------------------------------------ read receipts

    @Test
    void aClientReadReceiptReachesTheModules(Broker broker) throws Exception {
        broker.assumeDistribution();
        // the documented convention (io.switchboard.mqtt ReadReceipts, MessageIdProperty): a client asking with the
        // CONNECT user property sb-message-id=request gets the broker's message id in the user property "sb-message-id"
        // of each delivered message; publishing to $read/<id> reports it read (status READ)
        String topic = Names.topic("receipt");
        String readerId = Names.clientId("reader");
        try (RawClient reader = RawClient.open(broker, Transport.TCP);
                Paho5 watcher = Paho5.connect(broker, Transport.TCP, Names.clientId("watch"));
                Paho5 sender = Paho5.connect(broker, Transport.TCP, Names.clientId("sender"))) {
            reader.connect(Packets.connect(Packets.V5, readerId)
                    .properties(Properties5.none().user("sb-message-id", "request")));
            reader.subscribe(1, topic, 1);
            sender.publish(topic, "did you read this?", 1, false);
            Packet delivered = reader.expect(Packet.PUBLISH);
            reader.send(Packets.ack(Packet.PUBACK, delivered.packetId()));
            String messageId = delivered.properties().userProperties().stream()
                    .filter(p -> p.startsWith("sb-message-id=")).map(p -> p.substring("sb-message-id=".length()))
                    .findFirst().orElseThrow(() -> new AssertionError("no sb-message-id user property in " + delivered));
            watcher.subscribe(ReceiptsModule.TOPIC_PREFIX + messageId, 1);

            reader.send(Packets.publish(Packets.V5, "$read/" + messageId, 1, false, 2, ""));
            assertThat(reader.expect(Packet.PUBACK).reasonCode()).as("PUBACK of the read receipt").isLessThan(0x80);
            // the reader is who authentication established: an anonymous client on loopback (not its client id)
            assertThat(watcher.inbox().next().text()).isEqualTo("read by anonymous");

            reader.send(Packets.publish(Packets.V5, "$read/not-a-number", 1, false, 3, ""));
            assertThat(reader.expect(Packet.PUBACK).reasonCode()).as("PUBACK of a malformed read receipt").isEqualTo(0x90);
        }
    }

    // ------------------------------------------------------------------------------ mandatory modules

    @Test
    void aListenerWithAMissingMandatoryModuleRefusesClients(Broker broker) throws Exception {
        broker.assumeDistribution();
        // listener attribute mandatory.modules: until every named module is active, CONNECT is refused
        // (5.0 CONNACK 0x88 Server unavailable, 3.1.1 CONNACK 0x03 server unavailable), naming the missing module
        int port = Broker.freePort();
        Map<String, String> guarded = new LinkedHashMap<>();
        guarded.put("transport", "tcp");
        guarded.put("host", broker.host());
        guarded.put("port", Integer.toString(port));
        guarded.put("mandatory.modules", GatekeeperModule.NAME + ", nosuchmodule");
        Path file = broker.writeConfig("io.switchboard.mqtt.listener-guarded.cfg", guarded);
        try {
            Packet refused = awaitConnack(broker, port, Packets.V5);
            assertThat(refused.reasonCode()).as("CONNACK reason code " + refused).isEqualTo(0x88);
            assertThat(refused.reasonString()).as("Reason String").contains("nosuchmodule").doesNotContain(GatekeeperModule.NAME + ",");
            assertThat(awaitConnack(broker, port, Packets.V311).reasonCode()).as("3.1.1 CONNACK return code").isEqualTo(0x03);

            guarded.put("mandatory.modules", GatekeeperModule.NAME);
            broker.writeConfig("io.switchboard.mqtt.listener-guarded.cfg", guarded);
            long deadline = System.nanoTime() + APPLY.toNanos();
            Packet accepted = awaitConnack(broker, port, Packets.V5);
            while (accepted.reasonCode() != 0 && System.nanoTime() < deadline) {
                Thread.sleep(200); // the listener rebinds with the new configuration; bounded by APPLY
                accepted = awaitConnack(broker, port, Packets.V5);
            }
            assertThat(accepted.reasonCode()).as("CONNACK once every mandatory module is active").isZero();
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Connects to {@code port} (waiting, bounded, for the listener to bind) and returns the CONNACK. */
    private static Packet awaitConnack(Broker broker, int port, int version) throws Exception {
        long deadline = System.nanoTime() + APPLY.toNanos();
        while (true) {
            try (java.net.Socket probe = new java.net.Socket()) {
                probe.connect(new java.net.InetSocketAddress(broker.host(), port), 500);
                break;
            } catch (java.io.IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the listener 'guarded' did not bind port " + port + " within " + APPLY + broker.diagnostics());
                }
                Thread.sleep(100);
            }
        }
        try (RawClient client = RawClient.openPort(broker, port)) {
            return client.connect(Packets.connect(version, Names.clientId("guarded")));
        }
    }

    private static boolean active(String modules, String name) {
        return modules.lines().anyMatch(line -> List.of(line.trim().split("\\s+")).contains(name) && line.contains("ACTIVE"));
    }
}
