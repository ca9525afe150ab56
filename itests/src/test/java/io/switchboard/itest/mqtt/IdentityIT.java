package io.switchboard.itest.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;

import io.switchboard.itest.mqtt.support.Broker;
import io.switchboard.itest.mqtt.support.BrokerExtension;
import io.switchboard.itest.mqtt.support.BrokerExtension.Dedicated;
import io.switchboard.itest.mqtt.support.Names;
import io.switchboard.itest.mqtt.support.Packet;
import io.switchboard.itest.mqtt.support.Packets;
import io.switchboard.itest.mqtt.support.RawClient;
import io.switchboard.itest.mqtt.support.TestKeys;
import io.switchboard.itest.mqtt.support.Transport;

/**
 * Identity is what authentication established: the other modules (here the shipped audit module, which records each
 * message's sender) see the user the auth module verified or {@code anonymous}, never a name a client merely claimed;
 * a persistent session is not handed to another user; a client certificate's CN is the identity the ACL judges, whatever
 * user name the client sends; and {@code sb:trace} and the audit log name the rule behind a decision.
 */
@ExtendWith(BrokerExtension.class)
@Dedicated
class IdentityIT {

    private static final int V5 = Packets.V5;
    private static final int V3 = 4;

    /** Passwords and {@code acl} in force (plus {@code extra} auth settings), once an anonymous client is refused '#'. */
    private static void configure(Broker broker, String acl, Map<String, String> extra) throws Exception {
        Path etc = broker.home().resolve("etc");
        Files.createDirectories(etc);
        if (!Files.exists(etc.resolve("passwords"))) {
            Files.writeString(etc.resolve("passwords"), "");
        }
        Files.writeString(etc.resolve("acl"), acl);
        Map<String, String> config = new LinkedHashMap<>(Map.of("password.file", "etc/passwords", "acl.file", "etc/acl",
                "allow.anonymous", "loopback", "reload.interval.ms", "200"));
        config.putAll(extra);
        broker.writeConfig("io.switchboard.module.auth.cfg", config);
        Awaitility.await("the ACL in force").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            try (RawClient c = RawClient.open(broker, Transport.TCP)) {
                c.connect(Packets.connect(V5, Names.clientId("probe")));
                return c.subscribe(1, "#", 0).reasonCodes().equals(List.of(0x87));
            }
        });
    }

    private static Packet connect(RawClient c, int version, String clientId, String user, String password, boolean clean)
            throws IOException {
        Packets.Connect connect = Packets.connect(version, clientId).cleanStart(clean);
        if (user != null) {
            connect.userName(user).password(password);
        }
        return c.connect(connect);
    }

    /** Publishes at QoS 1 and returns the PUBACK's reason code. */
    private static int publish(RawClient c, String topic) throws IOException {
        c.send(Packets.publish(V5, topic, 1, false, 7, "x"));
        return c.expect(Packet.PUBACK).reasonCode();
    }

    /**
     * The shipped audit log records decisions only (docs/benchmarks.md: a line per message is opt-in); these tests
     * read its message lines too: turned on, and in force once a probe's publish shows up.
     */
    private static void recordMessagesInTheAuditLog(Broker broker) throws Exception {
        broker.writeConfig("io.switchboard.module.audit.cfg", Map.of("events", "message, decision", "service.ranking", "2000"));
        Path audit = broker.home().resolve("logs/audit.jsonl");
        String probe = "id/" + Names.topic("audit-probe");
        Awaitility.await("the audit log recording messages").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
                .until(() -> {
                    try (RawClient c = RawClient.open(broker, Transport.TCP)) {
                        connect(c, V5, Names.clientId("audit-probe"), null, null, true);
                        publish(c, probe);
                    }
                    return Files.exists(audit) && Files.readAllLines(audit).stream().anyMatch(l -> l.contains(probe));
                });
    }

    /** The audit module's line about {@code topic} (the shipped audit log), once written. */
    private static String auditLine(Broker broker, String event, String topic) {
        Path audit = broker.home().resolve("logs/audit.jsonl");
        return Awaitility.await("the audit line of the " + event + " to " + topic).atMost(Duration.ofSeconds(10))
                .until(() -> !Files.exists(audit) ? null : Files.readAllLines(audit).stream()
                        .filter(l -> l.contains("\"event\":\"" + event + "\"") && l.contains("\"topic\":\"" + topic + "\""))
                        .findFirst().orElse(null), line -> line != null);
    }

    @Test
    void anotherModuleSeesTheVerifiedUserOrAnonymousNeverTheClaimedName(Broker broker) throws Exception {
        broker.assumeDistribution();
        // no password file (as shipped): a user name proves nothing
        configure(broker, "topic readwrite id/#\n", Map.of("password.file", ""));
        recordMessagesInTheAuditLog(broker);
        String claimedTopic = "id/" + Names.topic("claimed");
        // once the new rules are in force (the earlier test's may still be), the publish is accepted
        Awaitility.await("the claimer's publish accepted").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300))
                .until(() -> {
                    try (RawClient c = RawClient.open(broker, Transport.TCP)) {
                        return connect(c, V5, Names.clientId("claimer"), "alice", "anything", true).reasonCode() == 0
                                && publish(c, claimedTopic) == 0x10;
                    }
                });
        assertThat(auditLine(broker, "message", claimedTopic)).contains("\"from\":\"anonymous\"").doesNotContain("alice");

        configure(broker, "topic readwrite id/#\nuser alice\ntopic readwrite id/#\n", Map.of());
        // the earlier rules also refuse '#', so configure() may return before the password file is in force
        Awaitility.await("the password file in force").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> broker.shell("auth:passwd alice pw").out().contains("alice"));
        String verifiedTopic = "id/" + Names.topic("verified");
        String impostorTopic = "id/" + Names.topic("impostor");
        try (RawClient alice = RawClient.open(broker, Transport.TCP); RawClient impostor = RawClient.open(broker, Transport.TCP)) {
            assertThat(connect(alice, V5, Names.clientId("alice-phone"), "alice", "pw", true).reasonCode()).isZero();
            // the client id is the user's name: before, the broker called such a client 'alice'
            assertThat(connect(impostor, V5, "alice", null, null, true).reasonCode()).as("anonymous on loopback").isZero();
            assertThat(publish(alice, verifiedTopic)).isEqualTo(0x10);
            assertThat(publish(impostor, impostorTopic)).isEqualTo(0x10);
        }
        assertThat(auditLine(broker, "message", verifiedTopic)).contains("\"from\":\"alice\"");
        assertThat(auditLine(broker, "message", impostorTopic)).contains("\"from\":\"anonymous\"");
    }

    @Test
    void aPersistentSessionIsNotHandedToAnotherUser(Broker broker) throws Exception {
        broker.assumeDistribution();
        configure(broker, "topic readwrite id/#\nuser bob\ntopic readwrite id/#\n", Map.of());
        broker.shell("auth:passwd bob pw");
        String device = Names.clientId("device");
        try (RawClient bob = RawClient.open(broker, Transport.TCP)) {
            assertThat(connect(bob, V3, device, "bob", "pw", false).reasonCode()).isZero();
            assertThat(bob.subscribe(1, "id/bob/#", 1).reasonCodes()).containsExactly(1);
        }
        try (RawClient bob = RawClient.open(broker, Transport.TCP)) {
            assertThat(connect(bob, V3, device, "bob", "pw", false).sessionPresent()).as("bob resumes his session").isTrue();
        }
        try (RawClient impostor = RawClient.open(broker, Transport.TCP)) {
            Packet connack = connect(impostor, V3, device, null, null, false);
            assertThat(connack.reasonCode()).isZero();
            assertThat(connack.sessionPresent()).as("an anonymous client with bob's client id gets a fresh session").isFalse();
        }
        try (RawClient bob = RawClient.open(broker, Transport.TCP)) {
            assertThat(connect(bob, V3, device, "bob", "pw", false).sessionPresent())
                    .as("bob's session ended when another user took its client id").isFalse();
        }
    }

    @Test
    void sbTraceAndTheAuditLogNameTheRuleBehindADecision(Broker broker) throws Exception {
        broker.assumeDistribution();
        configure(broker, "user carol\ntopic readwrite id/#\ntopic deny id/secret/#\n", Map.of());
        broker.shell("auth:passwd carol pw");

        String allowed = broker.shell("sb:trace --from carol id/open hello").out();
        assertThat(allowed).contains("auth").contains("acl:2 topic readwrite id/#");
        String refused = broker.shell("sb:trace --from carol id/secret/x hello").out();
        assertThat(refused).contains("consumed by auth").contains("acl:3 topic deny id/secret/#");
        String anonymous = broker.shell("sb:trace --from anonymous id/open hello").out();
        assertThat(anonymous).as("anonymous clients have no rule here").contains("no ACL rule grants it");

        String secret = "id/secret/" + Names.topic("audited");
        String carolId = Names.clientId("carol");
        try (RawClient carol = RawClient.open(broker, Transport.TCP)) {
            assertThat(connect(carol, V5, carolId, "carol", "pw", true).reasonCode()).isZero();
            assertThat(carol.subscribe(1, secret + "/#", 1).reasonCodes()).containsExactly(0x87);
            assertThat(carol.subscribe(2, "id/open/#", 1).reasonCodes()).containsExactly(1);
            assertThat(publish(carol, secret)).isEqualTo(0x87);
        }
        // the refused message: a decision line (the shipped audit log records messages and decisions; statuses are opt-in)
        assertThat(auditLine(broker, "decision", secret)).contains("\"subject\":\"message\"")
                .contains("\"decision\":\"refused\"").contains("\"module\":\"auth\"").contains("acl:3 topic deny id/secret/#");
        // the audit log names the module and the rule behind each login and subscription, allowed or refused
        assertThat(auditLine(broker, "decision", secret + "/#")).contains("\"subject\":\"subscribe\"")
                .contains("\"decision\":\"refused\"").contains("\"module\":\"auth\"").contains("acl:3 topic deny id/secret/#");
        assertThat(auditLine(broker, "decision", "id/open/#")).contains("\"decision\":\"allowed\"")
                .contains("acl:2 topic readwrite id/#");
        Path audit = broker.home().resolve("logs/audit.jsonl");
        assertThat(Files.readAllLines(audit)).anySatisfy(l -> assertThat(l).contains("\"event\":\"decision\"")
                .contains("\"subject\":\"login\"").contains("\"client\":\"" + carolId + "\"")
                .contains("\"decision\":\"allowed\"").contains("password"));
        try (RawClient wrong = RawClient.open(broker, Transport.TCP)) {
            String wrongId = Names.clientId("wrong");
            assertThat(connect(wrong, V5, wrongId, "carol", "not-her-password", true).reasonCode()).isEqualTo(0x86);
            Awaitility.await("the refused login audited").atMost(Duration.ofSeconds(10)).until(() -> Files.readAllLines(audit)
                    .stream().anyMatch(l -> l.contains("\"subject\":\"login\"") && l.contains(wrongId)
                            && l.contains("\"decision\":\"refused\"")));
        }
    }

    @Test
    void aClientCertificateIsTheIdentityWhateverUserNameTheClientSends(Broker broker, @TempDir Path dir) throws Exception {
        broker.assumeDistribution();
        Path[] identity = TestKeys.clientIssuedByCa(dir, "sensor-17");
        configure(broker, "user sensor-17\ntopic readwrite sensors/17/#\nuser admin\ntopic readwrite #\n",
                Map.of("use.identity.as.username", "cn"));
        broker.shell("auth:passwd admin admin-pw");
        int port = Broker.freePort();
        Map<String, String> listener = new LinkedHashMap<>();
        listener.put("transport", "tcp");
        listener.put("host", broker.host());
        listener.put("port", Integer.toString(port));
        listener.put("tls", "true");
        listener.put("tls.keystore", broker.keys().keyStore().toAbsolutePath().toString());
        listener.put("tls.keystore.password", TestKeys.PASSWORD);
        listener.put("tls.client.auth", "need");
        listener.put("tls.truststore", identity[1].toAbsolutePath().toString());
        listener.put("tls.truststore.password", TestKeys.PASSWORD);
        Path file = broker.writeConfig("io.switchboard.mqtt.listener-mtls.cfg", listener);
        try {
            // the client claims to be admin, with admin's password even: the certificate decides who it is
            Mqtt5BlockingClient client = Mqtt5Client.builder().identifier(Names.clientId("sensor")).serverHost("localhost")
                    .serverPort(port).sslConfig().keyManagerFactory(keyManagers(identity[0]))
                    .trustManagerFactory(broker.keys().trustManagerFactory()).applySslConfig()
                    .simpleAuth().username("admin").password("admin-pw".getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                    .buildBlocking();
            Awaitility.await("a TLS connection with the client certificate").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(300)).ignoreExceptions().until(() -> {
                        client.connect();
                        return true;
                    });
            try {
                Mqtt5SubAck allowed = client.subscribeWith().topicFilter("sensors/17/#").qos(MqttQos.AT_LEAST_ONCE).send();
                assertThat(allowed.getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.GRANTED_QOS_1);
                // HiveMQ's client throws when every filter of a SUBSCRIBE is refused
                assertThatThrownBy(() -> client.subscribeWith().topicFilter("sensors/18/#").qos(MqttQos.AT_LEAST_ONCE).send())
                        .as("admin's rules do not apply").isInstanceOfSatisfying(Mqtt5SubAckException.class,
                                e -> assertThat(e.getMqttMessage().getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.NOT_AUTHORIZED));

                try (Mqtt5BlockingClient.Mqtt5Publishes publishes = client.publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL)) {
                    Mqtt5PublishResult ok = client.publishWith().topic("sensors/17/t").qos(MqttQos.AT_LEAST_ONCE)
                            .payload("21.5".getBytes(StandardCharsets.UTF_8)).send();
                    assertThat(ok.getError()).isEmpty();
                    assertThat(publishes.receive(10, TimeUnit.SECONDS)).as("its own message back").isPresent();
                    // HiveMQ's client throws on a PUBACK with an error code
                    assertThatThrownBy(() -> client.publishWith().topic("sensors/18/t").qos(MqttQos.AT_LEAST_ONCE)
                            .payload("21.5".getBytes(StandardCharsets.UTF_8)).send())
                            .as("publishing beyond the certificate user's rules").isInstanceOfSatisfying(Mqtt5PubAckException.class,
                                    e -> assertThat(e.getMqttMessage().getReasonCode().getCode()).isEqualTo(0x87));
                }
            } finally {
                client.disconnect();
            }
            String audited = auditLine(broker, "message", "sensors/17/t");
            assertThat(audited).contains("\"from\":\"sensor-17\"");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static KeyManagerFactory keyManagers(Path keyStore) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(keyStore)) {
            keys.load(in, TestKeys.PASSWORD.toCharArray());
        }
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(keys, TestKeys.PASSWORD.toCharArray());
        return factory;
    }
}
