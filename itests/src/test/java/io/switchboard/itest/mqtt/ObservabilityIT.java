package io.switchboard.itest.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.switchboard.itest.mqtt.support.Broker;
import io.switchboard.itest.mqtt.support.BrokerExtension;
import io.switchboard.itest.mqtt.support.BrokerExtension.Dedicated;
import io.switchboard.itest.mqtt.support.Names;
import io.switchboard.itest.mqtt.support.Paho3;
import io.switchboard.itest.mqtt.support.PrometheusText;
import io.switchboard.itest.mqtt.support.Transport;

/**
 * The administration endpoints of the distribution (bundles/io.switchboard.observability): {@code /metrics}
 * after real MQTT traffic counts exactly what that traffic must have produced (in the core and per listener in the
 * front door) and is well-formed text exposition format ({@link TrafficAndSysTopicsIT} checks the front door's
 * counts byte for byte); {@code /health/ready} turns 503, naming the module, when a module the listeners require
 * leaves, and 200 again when it is back. Its own broker (exact counts, listeners requiring {@code auth}).
 */
@ExtendWith(BrokerExtension.class)
@Dedicated(listener = "mandatory.modules = auth")
class ObservabilityIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int MESSAGES = 7;
    private static final String PROFANITY = "profanity:default";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void metricsCountTheTrafficAndParse(Broker broker) throws Exception {
        awaitHttp(broker, "/health/ready", r -> r.statusCode() == 200);
        HttpResponse<String> first = get(broker, "/metrics");
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
        Map<String, Double> before = PrometheusText.parse(first.body());

        String topic = Names.topic("metrics");
        try (Paho3 subscriber = Paho3.connect(broker, Transport.TCP, Names.clientId("scraped-sub"));
                Paho3 publisher = Paho3.connect(broker, Transport.TCP, Names.clientId("scraped-pub"))) {
            subscriber.subscribe(topic, 1);
            for (int i = 0; i < MESSAGES; i++) {
                publisher.publish(topic, "reading " + i, 1, false); // returns on PUBACK
            }
            assertThat(subscriber.inbox().next(MESSAGES)).hasSize(MESSAGES);

            // the subscriber's PUBACKs confirm the deliveries after the messages arrived: wait for the last
            Map<String, Double> during = PrometheusText.parse(awaitHttp(broker, "/metrics",
                    r -> delta(before, PrometheusText.parse(r.body()), "switchboard_deliveries_confirmed_total") >= MESSAGES)
                    .body());
            assertThat(delta(before, during, "switchboard_messages_published_total")).isEqualTo(MESSAGES);
            assertThat(delta(before, during, "switchboard_messages_routed_total")).isEqualTo(MESSAGES);
            assertThat(delta(before, during, "switchboard_deliveries_total")).isEqualTo(MESSAGES);
            assertThat(delta(before, during, "switchboard_deliveries_confirmed_total")).isEqualTo(MESSAGES);
            assertThat(delta(before, during, "switchboard_messages_consumed_total")).isZero();
            assertThat(delta(before, during, "switchboard_failures_total")).isZero();
            assertThat(delta(before, during, "switchboard_sessions")).isEqualTo(2);
            assertThat(delta(before, during, "switchboard_subscriptions")).isEqualTo(1);
            // the profanity module sees each message once and passes it (no rude words in "reading i")
            String profanity = "{module=\"" + PROFANITY + "\",verdict=\"pass\"}";
            assertThat(delta(before, during, "switchboard_module_calls_total" + profanity)).isEqualTo(MESSAGES);
            assertThat(delta(before, during, "switchboard_module_call_duration_seconds_count{module=\"" + PROFANITY + "\"}"))
                    .isEqualTo(MESSAGES);
            assertThat(during).containsEntry("switchboard_module_active{module=\"auth\"}", 1.0);
            // the front door's count of the same traffic: every PUBLISH in and out went through the tcp listener
            String tcp = "{listener=\"tcp\"}";
            assertThat(delta(before, during, "switchboard_listener_messages_received_total" + tcp)).isEqualTo(MESSAGES);
            assertThat(delta(before, during, "switchboard_listener_messages_sent_total" + tcp)).isEqualTo(MESSAGES);
            assertThat(delta(before, during, "switchboard_listener_connections" + tcp)).isEqualTo(2);
            assertThat(delta(before, during, "switchboard_listener_connections_accepted_total" + tcp)).isEqualTo(2);
            assertThat(delta(before, during, "switchboard_listener_received_bytes_total" + tcp))
                    .as("at least the payloads").isGreaterThan(MESSAGES * "reading 0".length());
            assertThat(delta(before, during, "switchboard_messages_dropped_total{reason=\"queue_full\"}")).isZero();
            // the JVM's own metrics, from the client's instrumentation
            assertThat(during.keySet()).anyMatch(name -> name.startsWith("jvm_memory_used_bytes{"))
                    .anyMatch(name -> name.startsWith("jvm_threads_current"));
        }
    }

    @Test
    void readinessNamesAMissingMandatoryModule(Broker broker) throws Exception {
        HttpResponse<String> live = get(broker, "/health/live");
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(live.body()).contains("\"status\":\"UP\"");
        HttpResponse<String> ready = awaitHttp(broker, "/health/ready", r -> r.statusCode() == 200);
        assertThat(ready.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        assertThat(ready.body()).contains("\"status\":\"UP\"", "\"missing\":[]", "\"tcp\":true");

        Path deployed = authJar(broker);
        Path aside = Files.move(deployed, broker.home().resolve(deployed.getFileName()));
        try {
            HttpResponse<String> notReady = awaitHttp(broker, "/health/ready", r -> r.statusCode() == 503);
            assertThat(notReady.body()).contains("\"status\":\"DOWN\"",
                    "module 'auth': required by listener 'tcp', not active");
            assertThat(get(broker, "/health/live").statusCode()).as("still live").isEqualTo(200);
        } finally {
            broker.deploy(aside.toFile(), deployed.getFileName().toString());
        }
        assertThat(awaitHttp(broker, "/health/ready", r -> r.statusCode() == 200).body()).contains("\"missing\":[]");
    }

    private static Path authJar(Broker broker) throws IOException {
        try (Stream<Path> jars = Files.list(broker.home().resolve("deploy"))) {
            List<Path> auth = jars.filter(p -> p.getFileName().toString().startsWith("io.switchboard.module.auth-")).toList();
            assertThat(auth).as("the auth module shipped in deploy/").hasSize(1);
            return auth.get(0);
        }
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String series) {
        assertThat(after).as("/metrics has " + series).containsKey(series);
        return after.get(series) - before.getOrDefault(series, 0.0);
    }

    private HttpResponse<String> get(Broker broker, String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(broker.httpUri(path)).timeout(Duration.ofSeconds(10)).GET().build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** GETs {@code path} until {@code done} accepts the response (bounded by {@link #WAIT}); returns that response. */
    private HttpResponse<String> awaitHttp(Broker broker, String path, Predicate<HttpResponse<String>> done)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        HttpResponse<String> last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = get(broker, path);
                if (done.test(last)) {
                    return last;
                }
            } catch (IOException | AssertionError notYet) {
                // the server not up yet, or a body not there yet: ask again
            }
            Thread.sleep(100);
        }
        throw new AssertionError("GET " + path + " did not reach the expected state within " + WAIT + "; last: "
                + (last == null ? "no answer" : last.statusCode() + " " + last.body()) + broker.diagnostics());
    }
}
