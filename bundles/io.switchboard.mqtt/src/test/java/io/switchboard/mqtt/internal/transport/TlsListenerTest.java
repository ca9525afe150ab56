package io.switchboard.mqtt.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS listeners with key stores made by keytool: handshake, client certificates, live switch, bad stores. */
class TlsListenerTest {

    static EventLoops loops;
    static TestKeys keys;
    @TempDir
    static Path home;

    @BeforeAll
    static void setUp() throws Exception {
        loops = new EventLoops();
        loops.activate(Configs.of(EventLoops.Config.class, Map.of()));
        keys = TestKeys.create(home);
    }

    @AfterAll
    static void stopLoops() {
        loops.deactivate();
    }

    /** A TLS listener on a free loopback port with the server key store, by a path relative to home. */
    private static Map<String, Object> tls(Object... more) {
        Map<String, Object> config = new HashMap<>(Map.of("port", 0, "host", "127.0.0.1", "tls", "true",
                "tls.keystore", TestKeys.SERVER_KEYSTORE, "tls.keystore.password", TestKeys.SERVER_PASSWORD));
        for (int i = 0; i < more.length; i += 2) {
            config.put((String) more[i], more[i + 1]);
        }
        return config;
    }

    private static SSLSocket connect(SSLContext context, int port) throws IOException {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(5000);
        socket.startHandshake();
        return socket;
    }

    @Test
    void handshakesWithTheKeyStoreAndTellsTheProtocol() throws Exception {
        try (TestListener t = new TestListener("tls", loops, home).start(tls());
                SSLSocket client = connect(keys.client(false), t.port())) {
            assertThat(client.getSession().getProtocol()).isIn("TLSv1.3", "TLSv1.2");
            assertThat(client.getSession().getPeerPrincipal().getName()).isEqualTo("CN=localhost");
            assertThat(Net.exchange(client)).containsExactly(StubPipeline.ANSWER);
            assertThat(t.protocol.connections.poll(5, TimeUnit.SECONDS).tls()).isTrue();
        }
    }

    @Test
    void needRefusesAClientWithoutACertificateAndAcceptsOneWithIt() throws Exception {
        Map<String, Object> config = tls("tls.client.auth", "need", "tls.truststore", TestKeys.CLIENTS_TRUSTSTORE,
                "tls.truststore.password", TestKeys.TRUST_PASSWORD);
        try (TestListener t = new TestListener("mtls", loops, home).start(config)) {
            assertThatThrownBy(() -> {
                try (SSLSocket anonymous = connect(keys.client(false), t.port())) {
                    Net.exchange(anonymous); // TLS 1.3: the server's refusal arrives after the client's handshake
                }
            }).isInstanceOf(IOException.class);

            try (SSLSocket client = connect(keys.client(true), t.port())) {
                assertThat(Net.exchange(client)).containsExactly(StubPipeline.ANSWER);
            }
        }
    }

    @Test
    void wantAcceptsAClientWithoutACertificate() throws Exception {
        Map<String, Object> config = tls("tls.client.auth", "want", "tls.truststore", TestKeys.CLIENTS_TRUSTSTORE,
                "tls.truststore.password", TestKeys.TRUST_PASSWORD);
        try (TestListener t = new TestListener("want", loops, home).start(config);
                SSLSocket client = connect(keys.client(false), t.port())) {
            assertThat(Net.exchange(client)).containsExactly(StubPipeline.ANSWER);
        }
    }

    @Test
    void switchingTlsOnRebindsTheSamePortAndClosesPlainConnections() throws Exception {
        try (TestListener t = new TestListener("switch", loops, home).start(Map.of("port", 0, "host", "127.0.0.1"));
                Socket plain = Net.connect(t.port())) {
            int port = t.port();
            Net.exchange(plain);

            t.reconfigure(tls("port", port));

            assertThat(t.port()).isEqualTo(port);
            assertThat(Net.closedByPeer(plain)).as("the plain connection is closed").isTrue();
            try (SSLSocket client = connect(keys.client(false), port)) {
                assertThat(Net.exchange(client)).containsExactly(StubPipeline.ANSWER);
            }
        }
    }

    @Test
    void aWrongPasswordIsNamed() {
        assertThatThrownBy(() -> new TestListener("bad", loops, home).start(tls("tls.keystore.password", "wrong")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("MQTT listener 'bad': invalid configuration: tls.keystore: cannot read "
                        + home.resolve(TestKeys.SERVER_KEYSTORE) + " as PKCS12");
    }

    @Test
    void aMissingKeyStoreOrTrustStoreIsNamed() {
        assertThatThrownBy(() -> new TestListener("a", loops, home).start(tls("tls.keystore", "etc/none.p12")))
                .hasMessageContaining("tls.keystore: no readable file " + home.resolve("etc/none.p12"));
        assertThatThrownBy(() -> new TestListener("b", loops, home).start(tls("tls.client.auth", "need")))
                .hasMessageContaining("tls.truststore: required when tls.client.auth is need");
        assertThatThrownBy(() -> new TestListener("c", loops, home).start(tls("tls.keystore", "")))
                .hasMessageContaining("tls.keystore: required when tls is true");
        assertThatThrownBy(() -> new TestListener("d", loops, home).start(tls("tls.keystore", TestKeys.CLIENTS_TRUSTSTORE,
                "tls.keystore.password", TestKeys.TRUST_PASSWORD)))
                .hasMessageContaining("holds no private key");
    }
}
