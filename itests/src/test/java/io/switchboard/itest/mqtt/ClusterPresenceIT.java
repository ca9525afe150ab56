package io.switchboard.itest.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.switchboard.itest.mqtt.support.Broker;
import io.switchboard.itest.mqtt.support.ClusterNodes;
import io.switchboard.itest.mqtt.support.Paho3;
import io.switchboard.itest.mqtt.support.PrometheusText;
import io.switchboard.itest.mqtt.support.Transport;
import io.switchboard.itest.support.FixtureBundle;
import org.awaitility.Awaitility;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Presence across nodes (docs/cluster.md): three distributions as separate JVMs sharing one password file of the
 * shipped auth module. A module on node a asks {@code HostServices.isOnline} (the fixture {@code mqtt.presence},
 * asked and answered over MQTT by a client on a): a user connected to b is online for it, still while connected to c
 * after leaving b, offline once the last connection went, and offline once b, where it connected again, is killed
 * with SIGKILL.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterPresenceIT {

    private static final String USER = "ann";
    private static final String PASSWORD = "s3cret";
    private static final String ASK_PREFIX = "itest-presence/ask/";
    private static final String ANSWER_PREFIX = "itest-presence/answer/";
    private static final Pattern ROW = ClusterNodes.SB_CLUSTER_ROW;

    @TempDir
    static Path work;
    private static ClusterNodes cluster;
    private static Paho3 asker;

    @BeforeAll
    static void startThreeNodesWithOnePasswordFileAndThePresenceModuleOnA() throws Exception {
        Path passwords = Files.writeString(work.resolve("passwords"), "");
        Map<String, String> auth = Map.of("password.file", passwords.toString(), "allow.anonymous", "loopback",
                "reload.interval.ms", "200");
        cluster = ClusterNodes.start(work.resolve("nodes"), List.of("a", "b", "c"), Map.of(),
                Map.of("io.switchboard.module.auth.cfg", auth));
        node("a").awaitShell("auth:passwd writes the password file", "auth:passwd " + USER + " " + PASSWORD,
                ClusterNodes.VIEW, out -> out.contains("user '" + USER + "'"));
        for (String at : List.of("a", "b", "c")) {
            Awaitility.await(at + " reads the password file").atMost(ClusterNodes.VIEW).pollInterval(Duration.ofMillis(200))
                    .ignoreException(MqttException.class).until(() -> {
                        try (Paho3 probe = connectAs(at, "probe-" + at)) {
                            return true;
                        }
                    });
        }
        File jar = FixtureBundle.of("io.switchboard.itest.fixture.mqtt.presence")
                .symbolicName("io.switchboard.itest.fixture.mqtt.presence")
                .classpath(node("a").apiJar())
                .buildTo(work.resolve("presence.jar").toFile());
        node("a").deploy(jar, "itest-presence.jar");
        node("a").awaitShell("sb:modules lists the presence module ACTIVE", "sb:modules", ClusterNodes.VIEW,
                out -> out.lines().anyMatch(line -> List.of(line.trim().split("\\s+")).contains("presence")
                        && line.contains("ACTIVE")));
        asker = Paho3.connect(node("a"), Transport.TCP, "asker");
        asker.subscribe(ANSWER_PREFIX + "#", 1);
        awaitAnswer(USER, "offline"); // the probes' logins are gone from every node's view
    }

    @AfterAll
    static void stopNodes() {
        if (asker != null) {
            asker.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void aUserConnectedToBIsOnlineForAModuleOnAUntilItsLastConnectionGoes() throws Exception {
        assertThat(ask(USER)).as("not connected anywhere").isEqualTo("offline");
        try (Paho3 onB = connectAs("b", "ann-b")) {
            awaitAnswer(USER, "online");
            assertThat(usersOnline("a", "b")).as("sb:cluster on a: users online on b").isEqualTo(1);
            assertThat(column("a", "b", 4)).as("sb:cluster on a: sessions b holds (ann-b's)").isEqualTo("1");
            Map<String, Double> metrics = PrometheusText.parse(ClusterNodes.get(node("a"), "/metrics"));
            assertThat(metrics).containsEntry("switchboard_cluster_users_online{node=\"b\"}", 1.0)
                    .containsEntry("switchboard_cluster_sessions{node=\"b\"}", 1.0)
                    .containsEntry("switchboard_cluster_forwarded_unconfirmed", 0.0);

            try (Paho3 onC = connectAs("c", "ann-c")) {
                awaitUsersOnline("a", "c", 1);
                onB.disconnect();
                awaitUsersOnline("a", "b", 0);
                assertThat(ask(USER)).as("still connected to c").isEqualTo("online");
                onC.disconnect();
            }
        }
        awaitAnswer(USER, "offline");
    }

    @Test
    @Order(2)
    void aUserConnectedToANodeKilledWithSigkillIsOfflineOnceTheNodeLeft() throws Exception {
        Paho3 onB = connectAs("b", "ann-b");
        try {
            awaitAnswer(USER, "online");

            node("b").kill();

            awaitAnswer(USER, "offline");
            cluster.awaitMembers("a", 2);
        } finally {
            onB.close();
        }
    }

    private static Paho3 connectAs(String at, String clientId) throws MqttException {
        Paho3 client = Paho3.create(node(at), Transport.TCP, clientId);
        try {
            client.connect(o -> {
                o.setUserName(USER);
                o.setPassword(PASSWORD.toCharArray());
            });
        } catch (MqttException e) {
            client.close();
            throw e;
        }
        return client;
    }

    /** Asks the presence module on a whether {@code user} is online; its answer, in the order asked. */
    private static String ask(String user) throws Exception {
        asker.publish(ASK_PREFIX + user, "", 1, false);
        Paho3.Received answer = asker.inbox().next();
        assertThat(answer.topic()).isEqualTo(ANSWER_PREFIX + user);
        return answer.text();
    }

    /** Asks until the answer is {@code expected}: a change on another node reaches a's view within {@link ClusterNodes#VIEW}. */
    private static void awaitAnswer(String user, String expected) {
        Awaitility.await("a module on a sees " + user + " " + expected).atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100)).until(() -> ask(user).equals(expected));
    }

    private static void awaitUsersOnline(String at, String node, int users) {
        Awaitility.await(at + " sees " + users + " users online on " + node).atMost(ClusterNodes.VIEW)
                .pollInterval(Duration.ofMillis(200)).until(() -> usersOnline(at, node) == users);
    }

    /** The USERS column of {@code node}'s row in {@code at}'s sb:cluster. */
    private static int usersOnline(String at, String node) {
        return Integer.parseInt(column(at, node, 5));
    }

    /** Column {@code group} of {@link #ROW} in {@code node}'s row of {@code at}'s sb:cluster. */
    private static String column(String at, String node, int group) {
        Matcher row = ROW.matcher(node(at).shell("sb:cluster").out());
        while (row.find()) {
            if (row.group(1).equals(node)) {
                return row.group(group);
            }
        }
        throw new AssertionError("no row of node " + node + " in sb:cluster on " + at);
    }

    private static Broker node(String name) {
        return cluster.node(name);
    }
}
