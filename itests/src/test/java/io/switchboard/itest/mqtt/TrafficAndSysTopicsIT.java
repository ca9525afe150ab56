package io.switchboard.itest.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.switchboard.itest.mqtt.support.Broker;
import io.switchboard.itest.mqtt.support.BrokerExtension;
import io.switchboard.itest.mqtt.support.BrokerExtension.Dedicated;
import io.switchboard.itest.mqtt.support.Names;
import io.switchboard.itest.mqtt.support.Packet;
import io.switchboard.itest.mqtt.support.Packets;
import io.switchboard.itest.mqtt.support.PrometheusText;
import io.switchboard.itest.mqtt.support.Properties5;
import io.switchboard.itest.mqtt.support.RawClient;
import io.switchboard.itest.mqtt.support.Transport;

/**
 * What the MQTT front door counts, in {@code /metrics} and in the {@code $SYS} topics, after known traffic: exact
 * bytes, packets, PUBLISH messages and connections per listener over plain TCP (the test counts what its raw client
 * writes and reads), wire bytes above the MQTT bytes over TLS and WebSocket, drops by reason (a client's Maximum
 * Packet Size, a full queue), the {@code $SYS/broker/...} values a subscriber receives, the ACL deciding who may
 * subscribe to {@code $SYS}, and clients refused when they publish there. Its own broker: exact counts, $SYS every
 * second, at most 3 queued messages per session.
 */
@ExtendWith(BrokerExtension.class)
@Dedicated(config = {"io.switchboard.sys.cfg: sys.interval = 1", "io.switchboard.mqtt.cfg: max.queued.messages = 3"})
class TrafficAndSysTopicsIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int V5 = Packets.V5;
    private static final String SYS = "$SYS/broker/";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** A raw client that adds up the bytes it writes and reads (over plain TCP: what the broker's socket sees). */
    private static final class Counted implements AutoCloseable {
        final RawClient client;
        long written;
        long read;

        Counted(Broker broker, Transport transport) throws IOException {
            client = RawClient.open(broker, transport);
        }

        Counted send(byte[] packet) throws IOException {
            client.send(packet);
            written += packet.length;
            return this;
        }

        Packet expect(int type) {
            Packet p = client.expect(type);
            read += p.size();
            return p;
        }

        Counted connect(Packets.Connect connect) throws IOException {
            client.version(connect.version());
            send(connect.encode());
            assertThat(expect(Packet.CONNACK).reasonCode()).as("CONNACK").isZero();
            return this;
        }

        void disconnect() throws IOException {
            send(Packets.disconnect(V5, 0, null));
            client.awaitClosed(Duration.ofSeconds(10));
        }

        @Override
        public void close() {
            client.close();
        }
    }

    @Test
    void metricsCountExactBytesPacketsMessagesAndConnectionsOfATcpListener(Broker broker) throws Exception {
        Map<String, Double> before = metrics(broker);
        String topic = Names.topic("counted");
        long written;
        long read;
        try (Counted sub = new Counted(broker, Transport.TCP); Counted pub = new Counted(broker, Transport.TCP)) {
            sub.connect(Packets.connect(V5, Names.clientId("counted-sub")));
            sub.send(Packets.subscribe(V5, 1, topic, 1));
            sub.expect(Packet.SUBACK);
            pub.connect(Packets.connect(V5, Names.clientId("counted-pub")));
            for (int i = 1; i <= 3; i++) {
                pub.send(Packets.publish(V5, topic, 1, false, i, "reading " + i));
                pub.expect(Packet.PUBACK);
                Packet got = sub.expect(Packet.PUBLISH);
                sub.send(Packets.ack(Packet.PUBACK, got.packetId()));
            }
            sub.disconnect();
            pub.disconnect();
            written = sub.written + pub.written;
            read = sub.read + pub.read;
        }
        String tcp = "{listener=\"tcp\"}";
        Map<String, Double> after = awaitMetrics(broker, m -> delta(before, m, "switchboard_listener_received_bytes_total" + tcp) >= written
                && delta(before, m, "switchboard_listener_connections" + tcp) == 0);
        assertThat(delta(before, after, "switchboard_listener_received_bytes_total" + tcp)).as("bytes in").isEqualTo(written);
        assertThat(delta(before, after, "switchboard_listener_sent_bytes_total" + tcp)).as("bytes out").isEqualTo(read);
        // in: 2 CONNECT, SUBSCRIBE, 3 PUBLISH, 3 PUBACK, 2 DISCONNECT; out: 2 CONNACK, SUBACK, 3 PUBACK, 3 PUBLISH
        assertThat(delta(before, after, "switchboard_listener_packets_received_total" + tcp)).isEqualTo(11);
        assertThat(delta(before, after, "switchboard_listener_packets_sent_total" + tcp)).isEqualTo(9);
        assertThat(delta(before, after, "switchboard_listener_messages_received_total" + tcp)).isEqualTo(3);
        assertThat(delta(before, after, "switchboard_listener_messages_sent_total" + tcp)).isEqualTo(3);
        assertThat(delta(before, after, "switchboard_listener_connections_accepted_total" + tcp)).isEqualTo(2);
        assertThat(delta(before, after, "switchboard_listener_connections_refused_total" + tcp)).isZero();
        assertThat(after).as("every listener is reported").containsKeys("switchboard_listener_connections{listener=\"tls\"}",
                "switchboard_listener_connections{listener=\"ws\"}", "switchboard_listener_connections{listener=\"wss\"}");
    }

    @Test
    void overTlsAndWebSocketTheWireCarriesMoreThanTheMqttBytes(Broker broker) throws Exception {
        for (Transport transport : List.of(Transport.TLS, Transport.WEBSOCKET, Transport.WEBSOCKET_TLS)) {
            String listener = "{listener=\"" + transport.listenerName() + "\"}";
            Map<String, Double> before = metrics(broker);
            long written;
            long read;
            try (Counted c = new Counted(broker, transport)) {
                c.connect(Packets.connect(V5, Names.clientId("wire-" + transport.listenerName())));
                c.disconnect();
                written = c.written;
                read = c.read;
            }
            Map<String, Double> after = awaitMetrics(broker,
                    m -> delta(before, m, "switchboard_listener_packets_received_total" + listener) == 2
                            && delta(before, m, "switchboard_listener_connections" + listener) == 0);
            assertThat(delta(before, after, "switchboard_listener_packets_sent_total" + listener)).as(transport + " CONNACK")
                    .isEqualTo(1);
            assertThat(delta(before, after, "switchboard_listener_connections_accepted_total" + listener)).isEqualTo(1);
            // TLS records and handshakes, the HTTP upgrade and frame headers: more than the MQTT packets, within reason
            assertThat(delta(before, after, "switchboard_listener_received_bytes_total" + listener)).as(transport + " in")
                    .isGreaterThan(written).isLessThan(written + 20_000);
            assertThat(delta(before, after, "switchboard_listener_sent_bytes_total" + listener)).as(transport + " out")
                    .isGreaterThan(read).isLessThan(read + 20_000);
        }
    }

    @Test
    void dropsAreCountedByReason(Broker broker) throws Exception {
        Map<String, Double> before = metrics(broker);
        String small = Names.topic("small");
        String queued = Names.topic("queued");
        String offlineId = Names.clientId("offline");
        try (RawClient tiny = RawClient.open(broker, Transport.TCP); RawClient pub = RawClient.open(broker, Transport.TCP)) {
            tiny.connect(Packets.connect(V5, Names.clientId("tiny")).properties(Properties5.none()
                    .add(Properties5.MAXIMUM_PACKET_SIZE, 64)));
            tiny.subscribe(1, small, 0);
            try (RawClient offline = RawClient.open(broker, Transport.TCP)) {
                offline.connect(Packets.connect(V5, offlineId).properties(Properties5.none()
                        .add(Properties5.SESSION_EXPIRY_INTERVAL, 600)));
                offline.subscribe(1, queued, 1);
                offline.send(Packets.disconnect(V5, 0, null));
                offline.awaitClosed(Duration.ofSeconds(10));
            }
            pub.connect(V5, Names.clientId("dropper"));
            pub.send(Packets.publish(V5, small, 0, false, 0, "x".repeat(100))); // 100 bytes > 64: not sent to tiny
            pub.send(Packets.publish(V5, small, 0, false, 0, "ok"));
            assertThat(tiny.expect(Packet.PUBLISH).payloadText()).isEqualTo("ok");
            for (int i = 1; i <= 5; i++) { // 3 wait in the offline session's queue (max.queued.messages), 2 are refused
                pub.send(Packets.publish(V5, queued, 1, false, i, "m" + i));
                pub.expect(Packet.PUBACK);
            }
            Map<String, Double> after = awaitMetrics(broker,
                    m -> delta(before, m, "switchboard_messages_dropped_total{reason=\"queue_full\"}") >= 2);
            assertThat(delta(before, after, "switchboard_messages_dropped_total{reason=\"queue_full\"}")).isEqualTo(2);
            assertThat(delta(before, after, "switchboard_messages_dropped_total{reason=\"too_large\"}")).isEqualTo(1);
            assertThat(delta(before, after, "switchboard_messages_dropped_total{reason=\"refused\"}")).isZero();
            assertThat(delta(before, after, "switchboard_messages_queued")).isEqualTo(3);
            assertThat(delta(before, after, "switchboard_sessions_offline")).isEqualTo(1);
            assertThat(after).containsKey("switchboard_messages_dropped_total{reason=\"expired\"}")
                    .containsKey("switchboard_deliveries_in_flight").containsKey("switchboard_retained_messages");
        }
        // a clean start ends the offline session and its queue
        try (RawClient again = RawClient.open(broker, Transport.TCP)) {
            again.connect(V5, offlineId);
            again.send(Packets.disconnect(V5, 0, null));
            again.awaitClosed(Duration.ofSeconds(10));
        }
        awaitMetrics(broker, m -> delta(before, m, "switchboard_sessions_offline") == 0
                && delta(before, m, "switchboard_messages_queued") == 0);
    }

    @Test
    void sysTopicsReportTheTrafficWithMosquittosNames(Broker broker) throws Exception {
        try (RawClient sys = RawClient.open(broker, Transport.TCP); RawClient pub = RawClient.open(broker, Transport.TCP)) {
            sys.connect(V5, Names.clientId("sys-reader"));
            assertThat(sys.subscribe(1, SYS + "#", 0).reasonCodes()).containsExactly(0);
            pub.connect(V5, Names.clientId("sys-publisher"));
            Map<String, String> latest = new HashMap<>();
            // a publication after the subscription, then one more: every value of the first has arrived by then
            awaitSys(sys, latest, "uptime", (v, retained) -> !retained);
            awaitSys(sys, latest, "uptime", (v, retained) -> !retained);
            long received = Long.parseLong(latest.get("publish/messages/received"));
            for (int i = 0; i < 5; i++) {
                pub.send(Packets.publish(V5, Names.topic("nobody"), 0, false, 0, "to nobody " + i));
            }
            awaitValue(sys, latest, "publish/messages/received", v -> Long.parseLong(v) == received + 5);
            awaitValue(sys, latest, "clients/connected", v -> v.equals("2"));

            assertThat(latest.get("version")).startsWith("switchboard version ");
            assertThat(latest.get("uptime")).matches("\\d+ seconds");
            assertThat(latest).containsKeys("clients/total", "clients/maximum", "clients/disconnected", "clients/active",
                    "clients/inactive", "messages/received", "messages/sent", "messages/stored", "store/messages/count",
                    "subscriptions/count", "publish/messages/sent", "publish/messages/dropped", "bytes/received",
                    "bytes/sent", "heap/current", "heap/maximum", "load/connections/1min", "load/publish/received/5min");
            assertThat(Long.parseLong(latest.get("retained messages/count"))).as("the $SYS topics are retained")
                    .isGreaterThanOrEqualTo(40);
            assertThat(Long.parseLong(latest.get("bytes/received"))).isPositive();
            assertThat(Long.parseLong(latest.get("subscriptions/count"))).isPositive();
            assertThat(latest.get("load/bytes/received/1min")).matches("\\d+\\.\\d\\d");
            // the front door counts the $SYS messages it sends like any PUBLISH
            assertThat(Long.parseLong(latest.get("publish/messages/sent"))).isGreaterThanOrEqualTo(40);
        }
    }

    @Test
    void clientsCannotPublishToSysAndWildcardsAtTheFirstLevelDoNotMatchIt(Broker broker) throws Exception {
        try (RawClient c = RawClient.open(broker, Transport.TCP); RawClient all = RawClient.open(broker, Transport.TCP)) {
            all.connect(V5, Names.clientId("hash"));
            assertThat(all.subscribe(1, "#", 0).reasonCodes()).containsExactly(0);
            c.connect(V5, Names.clientId("forger"));
            c.send(Packets.publish(V5, SYS + "version", 1, true, 1, "fake"));
            Packet ack = c.expect(Packet.PUBACK);
            assertThat(ack.reasonCode()).as(ack.toString()).isEqualTo(0x87);
            assertThat(ack.reasonString()).contains("$SYS topics belong to the broker");
            assertThat(c.subscribe(2, SYS + "version", 0).reasonCodes()).containsExactly(0);
            Packet version = c.expect(Packet.PUBLISH);
            assertThat(version.payloadText()).as("the broker's, not the forgery").startsWith("switchboard version ");
            // [MQTT-4.7.2-1]: '#' does not match $SYS topics, published every second here
            long until = System.nanoTime() + Duration.ofMillis(2500).toNanos();
            while (System.nanoTime() < until) {
                Packet p = all.next(Duration.ofMillis(200));
                if (p != null && p.type() == Packet.PUBLISH) {
                    assertThat(p.topic()).as("received through '#'").doesNotStartWith("$");
                }
            }
        }
    }

    @Test
    void theAclDecidesWhoMaySubscribeToSys(Broker broker) throws Exception {
        Path etc = broker.home().resolve("etc");
        Files.createDirectories(etc);
        Files.writeString(etc.resolve("passwords"), "");
        Files.writeString(etc.resolve("acl"), "user admin\ntopic read $SYS/#\nuser eve\ntopic readwrite eve/#\n");
        broker.writeConfig("io.switchboard.module.auth.cfg", Map.of("password.file", "etc/passwords", "acl.file", "etc/acl",
                "allow.anonymous", "loopback", "reload.interval.ms", "200"));
        try {
            Awaitility.await("the ACL in force: an anonymous client cannot subscribe to $SYS").atMost(WAIT)
                    .pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
                        try (RawClient c = RawClient.open(broker, Transport.TCP)) {
                            c.connect(V5, Names.clientId("anonymous"));
                            return c.subscribe(1, SYS + "uptime", 0).reasonCodes().equals(List.of(0x87));
                        }
                    });
            assertThat(broker.shell("auth:passwd admin pw").out()).contains("admin");
            assertThat(broker.shell("auth:passwd eve pw").out()).contains("eve");
            Awaitility.await("eve logs in and may not subscribe to $SYS").atMost(WAIT).pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions().until(() -> {
                        try (RawClient eve = RawClient.open(broker, Transport.TCP)) {
                            eve.connect(Packets.connect(V5, Names.clientId("eve")).userName("eve").password("pw"));
                            return eve.subscribe(1, SYS + "#", 0).reasonCodes().equals(List.of(0x87));
                        }
                    });
            try (RawClient admin = RawClient.open(broker, Transport.TCP)) {
                assertThat(admin.connect(Packets.connect(V5, Names.clientId("admin")).userName("admin").password("pw"))
                        .reasonCode()).isZero();
                assertThat(admin.subscribe(1, SYS + "#", 0).reasonCodes()).containsExactly(0);
                awaitSys(admin, new HashMap<>(), "uptime", (v, retained) -> v.endsWith(" seconds"));
            }
        } finally {
            broker.writeConfig("io.switchboard.module.auth.cfg", Map.of("allow.anonymous", "loopback"));
            Awaitility.await("the ACL off again").atMost(WAIT).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
                try (RawClient c = RawClient.open(broker, Transport.TCP)) {
                    c.connect(V5, Names.clientId("probe"));
                    return c.subscribe(1, SYS + "#", 0).reasonCodes().equals(List.of(0));
                }
            });
        }
    }

    // ---- helpers

    /** A check of a $SYS value: its payload and whether it came as a retained message. */
    private interface SysCheck {
        boolean test(String value, boolean retained);
    }

    /** Like {@link #awaitSys}, done at once if the latest value read already passes (a value is only sent when it changes). */
    private static void awaitValue(RawClient client, Map<String, String> latest, String topic, Predicate<String> check) {
        String last = latest.get(topic);
        if (last == null || !check.test(last)) {
            awaitSys(client, latest, topic, (v, retained) -> check.test(v));
        }
    }

    /** Reads $SYS messages into {@code latest} (by topic below $SYS/broker/) until {@code topic}'s passes {@code check}. */
    private static void awaitSys(RawClient client, Map<String, String> latest, String topic, SysCheck check) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Packet p = client.next(Duration.ofMillis(500));
            if (p == null || p.type() != Packet.PUBLISH) {
                continue;
            }
            String name = p.topic().substring(SYS.length());
            latest.put(name, p.payloadText());
            if (name.equals(topic) && check.test(p.payloadText(), p.retain())) {
                return;
            }
        }
        throw new AssertionError("$SYS/broker/" + topic + " did not reach the expected value within " + WAIT + "; last: "
                + latest.get(topic));
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String series) {
        assertThat(after).as("/metrics has " + series).containsKey(series);
        return after.get(series) - before.getOrDefault(series, 0.0);
    }

    private Map<String, Double> metrics(Broker broker) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(broker.httpUri("/metrics")).timeout(Duration.ofSeconds(10))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return PrometheusText.parse(r.body());
    }

    /** Scrapes until {@code done} accepts the metrics (bounded by {@link #WAIT}); returns them. */
    private Map<String, Double> awaitMetrics(Broker broker, Predicate<Map<String, Double>> done) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Map<String, Double> last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = metrics(broker);
                if (done.test(last)) {
                    return last;
                }
            } catch (IOException | AssertionError notYet) {
                // not up yet, or a series not there yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("/metrics did not reach the expected state within " + WAIT + "; last: " + last
                + broker.diagnostics());
    }
}
