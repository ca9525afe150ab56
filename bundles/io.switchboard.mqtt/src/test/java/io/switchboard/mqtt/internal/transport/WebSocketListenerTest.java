package io.switchboard.mqtt.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.switchboard.mqtt.internal.ListenerInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** WebSocket listeners through the JDK's WebSocket client: subprotocol, binary round trip, path, TLS. */
class WebSocketListenerTest {

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

    /** Collects the binary frames of one message; completes with the close code when the server closes. */
    static final class Client implements WebSocket.Listener {
        final CompletableFuture<byte[]> binary = new CompletableFuture<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            received.writeBytes(bytes);
            if (last) {
                binary.complete(received.toByteArray());
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }
    }

    private static WebSocket open(HttpClient http, URI uri, Client client, String... subprotocols) throws Exception {
        WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (subprotocols.length > 0) {
            builder.subprotocols(subprotocols[0], java.util.Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
        }
        return builder.buildAsync(uri, client).get(5, TimeUnit.SECONDS);
    }

    @Test
    void negotiatesMqttAndCarriesBinaryFramesBothWays() throws Exception {
        try (TestListener t = new TestListener("websocket", loops, home)
                .start(Map.of("port", 0, "host", "127.0.0.1", "transport", "websocket"))) {
            Client client = new Client();
            WebSocket ws = open(HttpClient.newHttpClient(), URI.create("ws://127.0.0.1:" + t.port() + "/mqtt"), client, "mqtt");
            assertThat(ws.getSubprotocol()).isEqualTo("mqtt");

            ws.sendBinary(ByteBuffer.wrap(Net.CONNECT), true).get(5, TimeUnit.SECONDS);

            assertThat(client.binary.get(5, TimeUnit.SECONDS)).containsExactly(StubPipeline.ANSWER);
            ListenerInfo info = t.protocol.connections.poll(5, TimeUnit.SECONDS);
            assertThat(info.transport()).isEqualTo("websocket");
            assertThat(info.tls()).isFalse();
            assertThat(t.protocol.notBytes).as("only bytes reach the protocol").isEmpty();
            ws.abort();
        }
    }

    @Test
    void acceptsTheMqtt31SubprotocolName() throws Exception {
        try (TestListener t = new TestListener("websocket", loops, home)
                .start(Map.of("port", 0, "host", "127.0.0.1", "transport", "websocket", "path", "/ws"))) {
            WebSocket ws = open(HttpClient.newHttpClient(), URI.create("ws://127.0.0.1:" + t.port() + "/ws"), new Client(),
                    "mqttv3.1");
            assertThat(ws.getSubprotocol()).isEqualTo("mqttv3.1");
            ws.abort();
        }
    }

    @Test
    void aTextFrameClosesTheConnectionWith1003() throws Exception {
        try (TestListener t = new TestListener("websocket", loops, home)
                .start(Map.of("port", 0, "host", "127.0.0.1", "transport", "websocket"))) {
            Client client = new Client();
            WebSocket ws = open(HttpClient.newHttpClient(), URI.create("ws://127.0.0.1:" + t.port() + "/mqtt"), client, "mqtt");
            ws.sendText("CONNECT", true).get(5, TimeUnit.SECONDS);
            assertThat(client.closed.get(5, TimeUnit.SECONDS)).isEqualTo(1003);
        }
    }

    @Test
    void anotherPathIsNotFound() throws Exception {
        try (TestListener t = new TestListener("websocket", loops, home)
                .start(Map.of("port", 0, "host", "127.0.0.1", "transport", "websocket"))) {
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + t.port() + "/"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(404);
            assertThat(page.body()).contains("/mqtt");

            for (String other : new String[] {"/other", "/mqtt/x", "/mqttx"}) {
                assertThatThrownBy(() -> open(http, URI.create("ws://127.0.0.1:" + t.port() + other), new Client(), "mqtt"))
                        .as(other)
                        .isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(WebSocketHandshakeException.class);
            }
        }
    }

    @Test
    void thePathMayCarryAQueryString() throws Exception {
        try (TestListener t = new TestListener("websocket", loops, home)
                .start(Map.of("port", 0, "host", "127.0.0.1", "transport", "websocket"))) {
            Client client = new Client();
            WebSocket ws = open(HttpClient.newHttpClient(), URI.create("ws://127.0.0.1:" + t.port() + "/mqtt?token=abc"),
                    client, "mqtt");
            ws.sendBinary(ByteBuffer.wrap(Net.CONNECT), true).get(5, TimeUnit.SECONDS);
            assertThat(client.binary.get(5, TimeUnit.SECONDS)).containsExactly(StubPipeline.ANSWER);
            ws.abort();
        }
    }

    @Test
    void runsOverTls() throws Exception {
        try (TestListener t = new TestListener("websocket-tls", loops, home).start(Map.of("port", 0, "host", "127.0.0.1",
                "transport", "websocket", "tls", true, "tls.keystore", home.resolve(TestKeys.SERVER_KEYSTORE).toString(),
                "tls.keystore.password", TestKeys.SERVER_PASSWORD))) {
            HttpClient https = HttpClient.newBuilder().sslContext(keys.client(false)).build();
            Client client = new Client();
            WebSocket ws = open(https, URI.create("wss://localhost:" + t.port() + "/mqtt"), client, "mqtt");
            assertThat(ws.getSubprotocol()).isEqualTo("mqtt");

            ws.sendBinary(ByteBuffer.wrap(Net.CONNECT), true).get(5, TimeUnit.SECONDS);

            assertThat(client.binary.get(5, TimeUnit.SECONDS)).containsExactly(StubPipeline.ANSWER);
            ListenerInfo info = t.protocol.connections.poll(5, TimeUnit.SECONDS);
            assertThat(info.transport()).isEqualTo("websocket");
            assertThat(info.tls()).isTrue();
            ws.abort();
        }
    }
}
