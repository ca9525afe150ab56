package io.switchboard.itest.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.switchboard.itest.mqtt.support.Broker;
import io.switchboard.itest.mqtt.support.BrokerExtension;
import io.switchboard.itest.mqtt.support.BrokerExtension.Dedicated;

/**
 * The HTTP endpoints bound beyond loopback ask for a login (bundles/io.switchboard.observability, {@code AdminLogin}):
 * the administrator's MQTT password from the auth module's password file opens {@code /metrics}; no login, a wrong
 * password, or a valid user who is not an administrator gets a 401 Basic challenge; health checks stay open; the
 * same server on loopback asks nothing; an address refused {@code max.failures} times in a row is answered 429, the
 * right password too, while loopback is not. The HTTP server is moved to {@code 0.0.0.0} by rewriting its
 * configuration file while the broker runs, and reached through this machine's own non-loopback address.
 */
@ExtendWith(BrokerExtension.class)
@Dedicated
class HttpLoginIT {

    private static final String ADMIN_PASSWORD = "c0rrect-h0rse";
    private static final String LOGIN_CONFIG_FILE = "io.switchboard.http.login.cfg";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void beyondLoopbackTheEndpointsAskForAnAdministratorsPassword(Broker broker) throws Exception {
        broker.assumeDistribution();
        Optional<InetAddress> external = nonLoopbackAddress();
        assumeTrue(external.isPresent(), "this machine has no non-loopback IPv4 address to reach the HTTP server through");
        turnOnPasswords(broker);
        // no block while the password file and the HTTP server settle (the awaits below may be refused a few times)
        broker.writeConfig(LOGIN_CONFIG_FILE, Map.of("admin.users", "admin", "max.failures", "0"));
        Awaitility.await("the auth module using the password file").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(300)).until(() -> broker.shell("auth:passwd admin " + ADMIN_PASSWORD).exit() == 0);
        assertThat(broker.shell("auth:passwd alice alices-pw").exit()).isZero();

        int port = broker.httpUri("/").getPort();
        broker.writeConfig(Broker.HTTP_CONFIG_FILE, Map.of("org.apache.felix.http.host", "0.0.0.0",
                "org.osgi.service.http.port", Integer.toString(port)));
        String base = "http://" + external.get().getHostAddress() + ":" + port;
        Awaitility.await("the HTTP server listening on 0.0.0.0").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> get(base + "/health/live", null).statusCode() == 200);

        HttpResponse<String> anonymous = get(base + "/metrics", null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                v -> assertThat(v).startsWith("Basic realm=\"Switchboard administration\""));

        Awaitility.await("the administrator's password from the password file accepted").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> get(base + "/metrics", basic("admin", ADMIN_PASSWORD)).statusCode() == 200);
        assertThat(get(base + "/metrics", basic("admin", ADMIN_PASSWORD)).body()).contains("switchboard_sessions ");
        assertThat(get(base + "/metrics", basic("admin", "guess")).statusCode()).as("wrong password").isEqualTo(401);
        assertThat(get(base + "/metrics", basic("alice", "alices-pw")).statusCode()).as("a user, not an administrator")
                .isEqualTo(401);
        assertThat(get(base + "/health/ready", null).statusCode()).as("health checks stay open").isEqualTo(200);
        assertThat(get(broker.httpUri("/metrics").toString(), null).statusCode()).as("loopback needs no login")
                .isEqualTo(200);

        assertThat(broker.log()).contains("HTTP administration: login of 'admin' from", "refused")
                .contains("HTTP administration: login of 'alice' from").doesNotContain(ADMIN_PASSWORD, "alices-pw");

        broker.writeConfig(LOGIN_CONFIG_FILE, Map.of("admin.users", "admin", "max.failures", "3", "block.seconds", "600"));
        Awaitility.await("guesses from this address blocked (3 in a row, once the configuration applies)")
                .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
                .until(() -> get(base + "/metrics", basic("admin", "guess")).statusCode() == 429);
        HttpResponse<String> blocked = get(base + "/metrics", basic("admin", ADMIN_PASSWORD));
        assertThat(blocked.statusCode()).as("the right password too, while blocked").isEqualTo(429);
        assertThat(blocked.headers().firstValue("Retry-After")).hasValueSatisfying(
                v -> assertThat(Integer.parseInt(v)).isBetween(1, 600));
        assertThat(get(broker.httpUri("/metrics").toString(), null).statusCode()).as("loopback is not blocked")
                .isEqualTo(200);
        assertThat(broker.log()).contains("3 refused logins in a row from");
    }

    private static void turnOnPasswords(Broker broker) throws IOException {
        Path passwords = broker.home().resolve("etc/passwords");
        Files.createDirectories(passwords.getParent());
        if (!Files.exists(passwords)) {
            Files.writeString(passwords, "");
        }
        broker.writeConfig("io.switchboard.module.auth.cfg", Map.of("password.file", "etc/passwords",
                "allow.anonymous", "loopback", "reload.interval.ms", "200"));
    }

    private HttpResponse<String> get(String uri, String authorization) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(15)).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static Optional<InetAddress> nonLoopbackAddress() throws SocketException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                if (address instanceof Inet4Address && !address.isLoopbackAddress() && !address.isLinkLocalAddress()) {
                    return Optional.of(address);
                }
            }
        }
        return Optional.empty();
    }
}
