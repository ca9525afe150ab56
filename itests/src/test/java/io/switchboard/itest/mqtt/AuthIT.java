package io.switchboard.itest.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.switchboard.itest.mqtt.support.Broker;
import io.switchboard.itest.mqtt.support.BrokerExtension;
import io.switchboard.itest.mqtt.support.BrokerExtension.Dedicated;
import io.switchboard.itest.mqtt.support.Names;
import io.switchboard.itest.mqtt.support.Packet;
import io.switchboard.itest.mqtt.support.Packets;
import io.switchboard.itest.mqtt.support.RawClient;
import io.switchboard.itest.mqtt.support.Transport;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The shipped auth module with Mosquitto's files, against the distribution: a password file written by
 * {@code mosquitto_passwd} and users added with {@code auth:passwd}, ACL rules on publish, subscribe and
 * delivery (retained messages too), a live edit and a bad line, and anonymous clients refused on a
 * listener bound beyond loopback.
 */
@ExtendWith(BrokerExtension.class)
@Dedicated
class AuthIT {

    private static final int V5 = Packets.V5;
    private static final int V3 = 4;

    private static Packet connect(RawClient c, int version, String clientId, String user, String password) throws IOException {
        Packets.Connect connect = Packets.connect(version, clientId);
        if (user != null) {
            connect.userName(user).password(password);
        }
        return c.connect(connect);
    }

    /** Turns on passwords and ACLs with {@code acl} and waits until the broker applies them. */
    private static void configure(Broker broker, String acl) throws Exception {
        Path etc = broker.home().resolve("etc");
        Files.createDirectories(etc);
        Path passwords = etc.resolve("passwords");
        if (!Files.exists(passwords)) {
            Files.writeString(passwords, "");
        }
        Files.writeString(etc.resolve("acl"), acl);
        broker.writeConfig("io.switchboard.module.auth.cfg", Map.of("password.file", "etc/passwords", "acl.file", "etc/acl",
                "allow.anonymous", "loopback", "reload.interval.ms", "200"));
        Awaitility.await("the ACL in force: an anonymous client cannot subscribe to '#'").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200)).until(() -> {
                    try (RawClient c = RawClient.open(broker, Transport.TCP)) {
                        connect(c, V5, Names.clientId("probe"), null, null);
                        return c.subscribe(1, "#", 0).reasonCodes().equals(List.of(0x87));
                    }
                });
    }

    @Test
    void passwordsFromMosquittoPasswdAndFromTheShellBothWork(Broker broker) throws Exception {
        broker.assumeDistribution();
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/mosquitto_passwd")), "mosquitto_passwd is not installed");
        Path passwords = broker.home().resolve("etc/passwords");
        Files.createDirectories(passwords.getParent());
        Process p = new ProcessBuilder("/usr/bin/mosquitto_passwd", "-c", "-b", passwords.toString(), "alice", "s3cret").start();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        configure(broker, "user alice\ntopic readwrite #\n");

        try (RawClient c = RawClient.open(broker, Transport.TCP)) {
            assertThat(connect(c, V5, Names.clientId("alice"), "alice", "s3cret").reasonCode()).isZero();
        }
        try (RawClient c = RawClient.open(broker, Transport.TCP)) {
            assertThat(connect(c, V5, Names.clientId("alice"), "alice", "wrong").reasonCode()).as("MQTT 5").isEqualTo(0x86);
        }
        try (RawClient c = RawClient.open(broker, Transport.TCP)) {
            assertThat(connect(c, V3, Names.clientId("alice"), "alice", "wrong").reasonCode()).as("3.1.1 return code").isEqualTo(4);
        }

        Broker.ShellResult added = broker.shell("auth:passwd bob hunter2");
        assertThat(added.out()).as(added.toString()).contains("added user 'bob'");
        try (RawClient c = RawClient.open(broker, Transport.TCP)) {
            assertThat(connect(c, V5, Names.clientId("bob"), "bob", "hunter2").reasonCode()).isZero();
        }
        assertThat(Files.readString(passwords)).as("mosquitto_passwd's format").containsPattern("bob:\\$7\\$101\\$");
    }

    @Test
    void theAclRulesPublishSubscribeAndDeliveryAndAnEditAppliesLive(Broker broker) throws Exception {
        broker.assumeDistribution();
        configure(broker, """
                topic read public/#
                user carol
                topic readwrite carol/#
                topic deny carol/private/#
                pattern write clients/%c/status
                """);
        broker.shell("auth:passwd carol pw");
        String carolId = Names.clientId("carol");
        try (RawClient carol = RawClient.open(broker, Transport.TCP); RawClient anon = RawClient.open(broker, Transport.TCP)) {
            assertThat(connect(carol, V5, carolId, "carol", "pw").reasonCode()).isZero();
            String anonId = Names.clientId("anon");
            assertThat(connect(anon, V5, anonId, null, null).reasonCode()).as("anonymous on loopback").isZero();

            assertThat(anon.subscribe(1, "carol/#", 1).reasonCodes()).as("SUBACK").containsExactly(0x87);
            assertThat(anon.subscribe(2, "public/#", 1).reasonCodes()).containsExactly(1);
            assertThat(carol.subscribe(1, "carol/#", 1).reasonCodes()).containsExactly(1);

            carol.send(Packets.publish(V5, "carol/private/x", 1, false, 10, "secret"));
            carol.send(Packets.publish(V5, "carol/open", 1, false, 11, "open"));
            assertThat(carol.expect(Packet.PUBACK).reasonCode()).as("deny wins over readwrite carol/#").isEqualTo(0x87);
            // the PUBACK and carol's own copy may come in either order
            Packet first = carol.next(Duration.ofSeconds(5));
            Packet second = carol.next(Duration.ofSeconds(5));
            Packet ack = first.type() == Packet.PUBACK ? first : second;
            Packet delivered = first.type() == Packet.PUBLISH ? first : second;
            assertThat(ack.reasonCode()).as(ack.toString()).isZero();
            assertThat(delivered.topic()).as(delivered.toString()).isEqualTo("carol/open");

            anon.send(Packets.publish(V5, "public/news", 1, true, 20, "by anon"));
            assertThat(anon.expect(Packet.PUBACK).reasonCode()).as("anonymous may only read public/#").isEqualTo(0x87);
            anon.send(Packets.publish(V5, "clients/" + anonId + "/status", 1, false, 21, "up"));
            assertThat(anon.expect(Packet.PUBACK).reasonCode()).as("pattern %c: accepted, no subscribers").isEqualTo(0x10);

            // a retained message on a topic anonymous clients may not read stays with carol
            carol.send(Packets.publish(V5, "carol/retained", 1, true, 12, "kept"));
            assertThat(List.of(carol.next(Duration.ofSeconds(5)).type(), carol.next(Duration.ofSeconds(5)).type()))
                    .containsExactlyInAnyOrder(Packet.PUBACK, Packet.PUBLISH);
        }
        try (RawClient anon = RawClient.open(broker, Transport.TCP)) {
            connect(anon, V5, Names.clientId("anon"), null, null);
            assertThat(anon.subscribe(1, "public/#", 1).reasonCodes()).containsExactly(1);
            anon.expectNothing(Duration.ofMillis(500));
        }

        // a live edit: anonymous clients may now read carol/open; then a bad line keeps those rules
        Files.writeString(broker.home().resolve("etc/acl"), "topic read public/#\ntopic read carol/retained\n");
        Awaitility.await("the edited ACL").atMost(Duration.ofSeconds(10)).until(() -> {
            try (RawClient anon = RawClient.open(broker, Transport.TCP)) {
                connect(anon, V5, Names.clientId("anon"), null, null);
                return anon.subscribe(1, "carol/retained", 1).reasonCodes().equals(List.of(1))
                        && "kept".equals(anon.expect(Packet.PUBLISH).payloadText());
            }
        });
        Files.writeString(broker.home().resolve("etc/acl"), "topic read public/#\ntopic raed carol/#\n");
        Awaitility.await("the bad line named in the log").atMost(Duration.ofSeconds(10))
                .until(() -> (broker.log() + broker.console()).contains("etc/acl:2: unknown access 'raed'"));
        try (RawClient anon = RawClient.open(broker, Transport.TCP)) {
            connect(anon, V5, Names.clientId("anon"), null, null);
            assertThat(anon.subscribe(1, "carol/retained", 1).reasonCodes()).as("the last good rules").containsExactly(1);
        }
    }

    @Test
    void deliveriesWillsAndRetainedMessagesReachOnlyThoseAllowedToReadThem(Broker broker) throws Exception {
        broker.assumeDistribution();
        configure(broker, """
                topic read public/#
                user dave
                topic read sensors/#
                topic deny sensors/secret/#
                user erin
                topic readwrite sensors/#
                pattern read inbox/%u/#
                """);
        broker.shell("auth:passwd dave pw");
        broker.shell("auth:passwd erin pw");
        try (RawClient dave = RawClient.open(broker, Transport.TCP); RawClient erin = RawClient.open(broker, Transport.TCP)) {
            assertThat(connect(dave, V3, Names.clientId("dave"), "dave", "pw").reasonCode()).isZero();
            assertThat(connect(erin, V5, Names.clientId("erin"), "erin", "pw").reasonCode()).isZero();
            assertThat(dave.subscribe(1, "inbox/dave/#", 1).reasonCodes()).as("pattern %u").containsExactly(1);
            assertThat(dave.subscribe(2, "inbox/erin/#", 1).reasonCodes()).as("pattern %u, 3.1.1").containsExactly(0x80);
            assertThat(dave.subscribe(3, "sensors/#", 1).reasonCodes()).as("covers a topic dave may read").containsExactly(1);
            assertThat(erin.subscribe(1, "sensors/#", 1).reasonCodes()).containsExactly(1);

            erin.send(Packets.publish(V5, "sensors/secret/x", 1, false, 1, "secret"));
            erin.send(Packets.publish(V5, "sensors/open", 1, false, 2, "open"));
            assertThat(dave.expect(Packet.PUBLISH).topic()).as("the denied topic is not delivered").isEqualTo("sensors/open");

            // wills: erin's clients die without DISCONNECT; erin (allowed to read both) sees both wills, dave one
            for (String willTopic : List.of("sensors/secret/will", "sensors/will")) {
                RawClient dying = RawClient.open(broker, Transport.TCP);
                Packets.Connect withWill = Packets.connect(V5, Names.clientId("erin-will")).userName("erin").password("pw")
                        .will(willTopic, "gone", 1, false);
                assertThat(dying.connect(withWill).reasonCode()).isZero();
                dying.close();
            }
            List<String> erinSaw = new java.util.ArrayList<>();
            while (erinSaw.size() < 4) {
                Packet p = erin.next(Duration.ofSeconds(10));
                if (p.type() == Packet.PUBLISH) {
                    erinSaw.add(p.topic());
                }
            }
            assertThat(erinSaw).contains("sensors/secret/will", "sensors/will");
            // both wills were routed before this marker: what dave gets before it is all he was given of them
            erin.send(Packets.publish(V5, "sensors/marker", 0, false, 0, "m"));
            List<String> daveSaw = new java.util.ArrayList<>();
            while (!daveSaw.contains("sensors/marker")) {
                Packet p = dave.next(Duration.ofSeconds(10));
                if (p.type() == Packet.PUBLISH) {
                    daveSaw.add(p.topic());
                }
            }
            assertThat(daveSaw).containsExactly("sensors/will", "sensors/marker");

            // retained: a new subscription gets the retained messages its user may read, no others
            erin.send(Packets.publish(V5, "sensors/secret/r", 1, true, 3, "kept secret"));
            erin.send(Packets.publish(V5, "sensors/r", 1, true, 4, "kept"));
            int acks = 0;
            while (acks < 2) { // erin also gets her own marker and messages (she subscribed to sensors/#)
                if (erin.next(Duration.ofSeconds(10)).type() == Packet.PUBACK) {
                    acks++;
                }
            }
        }
        try (RawClient dave = RawClient.open(broker, Transport.TCP)) {
            connect(dave, V3, Names.clientId("dave"), "dave", "pw");
            assertThat(dave.subscribe(1, "sensors/secret/+", 1).reasonCodes()).as("only denied topics under it").containsExactly(0x80);
            assertThat(dave.subscribe(2, "sensors/+", 1).reasonCodes()).containsExactly(1);
            assertThat(dave.expect(Packet.PUBLISH).topic()).isEqualTo("sensors/r");
            dave.subscribe(3, "sensors/#", 1);
            assertThat(dave.expect(Packet.PUBLISH).topic()).as("the secret retained message is not sent").isEqualTo("sensors/r");
        }
    }

    @Test
    void aListenerBeyondLoopbackRefusesAnonymousClients(Broker broker) throws Exception {
        broker.assumeDistribution();
        Optional<InetAddress> external = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .flatMap(i -> Collections.list(i.getInetAddresses()).stream())
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()).findFirst();
        assumeTrue(external.isPresent(), "this machine has no non-loopback IPv4 address");
        int port = Broker.freePort();
        broker.writeConfig("io.switchboard.mqtt.listener-outside.cfg",
                Map.of("transport", "tcp", "host", external.get().getHostAddress(), "port", Integer.toString(port)));
        Awaitility.await("the listener on " + external.get()).atMost(Duration.ofSeconds(20)).until(() -> {
            try (Socket s = new Socket(external.get(), port)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        });
        try (RawClient c = RawClient.openAddress(external.get().getHostAddress(), port)) {
            assertThat(connect(c, V5, Names.clientId("outsider"), null, null).reasonCode()).isEqualTo(0x87);
        }
        try (RawClient c = RawClient.open(broker, Transport.TCP)) {
            assertThat(connect(c, V5, Names.clientId("insider"), null, null).reasonCode()).as("loopback").isZero();
        }
        assertThat(new String(Files.readAllBytes(broker.home().resolve("configadmin/io.switchboard.mqtt.listener-tcp.cfg")),
                StandardCharsets.UTF_8)).as("the shipped listener").contains("host = 127.0.0.1");
    }

    @Test
    void aClientCannotPublishToBrokerTopicsNorClaimAModulesName(Broker broker) throws Exception {
        broker.assumeDistribution();
        try (RawClient c = RawClient.open(broker, Transport.TCP)) {
            assertThat(connect(c, V5, Names.clientId("sys"), null, null).reasonCode()).isZero();
            c.send(Packets.publish(V5, "$SYS/broker/version", 1, false, 1, "fake"));
            Packet ack = c.expect(Packet.PUBACK);
            assertThat(ack.reasonCode()).as(ack.toString()).isEqualTo(0x87);
        }
        try (RawClient c = RawClient.open(broker, Transport.TCP)) {
            assertThat(connect(c, V5, Names.clientId("impostor"), "module:io.switchboard.module.ratelimit", "x").reasonCode())
                    .isEqualTo(0x87);
        }
    }
}
