package io.switchboard.mqtt.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a listener configuration may say, and the messages naming the attribute when it is wrong. */
class ListenerSettingsTest {

    @TempDir
    Path home;

    private ListenerSettings parse(Object... keyValues) {
        Map<String, Object> properties = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            properties.put((String) keyValues[i], keyValues[i + 1]);
        }
        return ListenerSettings.parse(Configs.of(ListenerConfig.class, properties), properties, "tcp", home);
    }

    @Test
    void defaults() {
        ListenerSettings settings = parse("port", "1883");
        assertThat(settings.name()).isEqualTo("tcp");
        assertThat(settings.transport()).isEqualTo("tcp");
        assertThat(settings.host()).isEqualTo("127.0.0.1");
        assertThat(settings.port()).isEqualTo(1883);
        assertThat(settings.path()).as("tcp has no path").isNull();
        assertThat(settings.tls()).isNull();
        assertThat(settings.maxPacketSize()).isEqualTo(1024 * 1024);
        assertThat(settings.mandatoryModules()).isEmpty();
        assertThat(settings.maxConnections()).as("no limit of its own").isZero();
        assertThat(parse("port", "9001", "transport", "WebSocket").path()).isEqualTo("/mqtt");
    }

    @Test
    void mandatoryModulesFromACommaSeparatedStringOrAnArray() {
        assertThat(parse("port", 1, "mandatory.modules", "auth, audit:main,,auth").mandatoryModules())
                .containsExactly("auth", "audit:main");
        assertThat(parse("port", 1, "mandatory.modules", new String[] {"auth", " audit "}).mandatoryModules())
                .containsExactly("auth", "audit");
    }

    @Test
    void keyStorePathsAreRelativeToHome() throws Exception {
        Files.createDirectories(home.resolve("etc/tls"));
        Files.write(home.resolve("etc/tls/broker.p12"), new byte[] {1});
        ListenerSettings settings = parse("port", 8883, "tls", "true", "tls.keystore", "etc/tls/broker.p12",
                "tls.keystore.password", "secret", "tls.keystore.type", "pkcs12");
        assertThat(settings.tls().keystore()).isEqualTo(home.resolve("etc/tls/broker.p12"));
        assertThat(settings.tls().keyPassword()).as("defaults to the store's").isEqualTo("secret");
        assertThat(settings.tls().keystoreType()).isEqualTo("PKCS12");
        assertThat(settings.tls().clientAuth()).isEqualTo("none");
        assertThat(settings.tls().truststore()).isNull();
        assertThat(settings.tls().toString()).as("no password in logs").doesNotContain("secret");
        assertThat(settings.describeTransport()).isEqualTo("tcp+tls");
    }

    @Test
    void eachBadValueIsNamed() throws Exception {
        Files.write(home.resolve("k.p12"), new byte[] {1});
        assertThatThrownBy(() -> parse()).hasMessage("port: required");
        assertThatThrownBy(() -> parse("port", 65536)).hasMessage("port: must be 1..65535 (0: any free port), was 65536");
        assertThatThrownBy(() -> parse("port", 1, "transport", "udp"))
                .hasMessage("transport: must be tcp or websocket, was 'udp'");
        assertThatThrownBy(() -> parse("port", 1, "name", "my listener"))
                .hasMessageStartingWith("name: must be letters, digits");
        assertThatThrownBy(() -> parse("port", 1, "host", " ")).hasMessageStartingWith("host: must not be empty");
        assertThatThrownBy(() -> parse("port", 1, "transport", "websocket", "path", "/mqtt?x"))
                .hasMessageStartingWith("path: must start with / and hold no query");
        assertThatThrownBy(() -> parse("port", 1, "max.connections", -1))
                .hasMessage("max.connections: must be 0 (no limit) or more, was -1");
        assertThatThrownBy(() -> parse("port", 1, "max.packet.size", 268_435_456))
                .hasMessage("max.packet.size: must be 2..268435455 bytes, was 268435456");
        assertThatThrownBy(() -> parse("port", 1, "tls", true, "tls.keystore", "k.p12", "tls.keystore.type", "PEM"))
                .hasMessage("tls.keystore.type: must be PKCS12 or JKS, was 'PEM'");
        assertThatThrownBy(() -> parse("port", 1, "tls", true, "tls.keystore", "k.p12", "tls.client.auth", "required"))
                .hasMessage("tls.client.auth: must be none, want or need, was 'required'");
        assertThatThrownBy(() -> parse("port", 1, "tls", true, "tls.keystore", "k.p12", "tls.client.auth", "want",
                "tls.truststore", "none.p12"))
                .hasMessage("tls.truststore: no readable file " + home.resolve("none.p12"));
    }
}
