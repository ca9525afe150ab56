package io.switchboard.module.translator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

import io.switchboard.api.Message;
import io.switchboard.api.ReasonCode;
import io.switchboard.core.internal.http.HttpExchanger;
import io.switchboard.testkit.FakeApiServer;
import io.switchboard.testkit.FakeHost;
import io.switchboard.testkit.ModuleInstance;
import io.switchboard.testkit.TestMessages;

/**
 * The translator against a local server playing LibreTranslate, through the broker's own HTTP
 * implementation: a real round trip, and a slow, a failing, a flaky, a malformed and an absent service.
 */
class TranslatorHttpTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private FakeApiServer api;
    private FakeHost host;
    private ModuleInstance<TranslatorModule, TranslatorConfig> translator;

    @BeforeEach
    void start() throws IOException {
        api = new FakeApiServer();
        host = new FakeHost("io.switchboard.module.translator").httpThrough(HttpExchanger::new, HttpExchanger::exchange);
        translator = TranslatorModuleTest.newTranslator(host);
    }

    @AfterEach
    void stop() {
        host.close();
        api.close();
    }

    /**
     * Activates with a budget well above a loaded machine's first request (a JDK HttpClient starting up on 2
     * busy cores took over 1 s) and below the probe's 5 s wait; the timeout test sets its own.
     */
    private void activate(Object... changes) {
        Map<String, Object> config = new HashMap<>(Map.of("url", api.url(), "rules", "chat/fr/#:fr>en",
                ".api.key", "k1", "timeout", "4000"));
        for (int i = 0; i < changes.length; i += 2) {
            config.put((String) changes[i], changes[i + 1]);
        }
        translator.activate(config);
    }

    private static Message french(String text) {
        return TestMessages.text("alice", "chat/fr/room", text);
    }

    @Test
    void translatesThroughARealHttpExchange() throws IOException {
        activate();
        api.answer(200, "application/json; charset=utf-8", "{\"translatedText\": \"Good evening, é€😀\"}");

        Message translated = translator.probe().publish(french("Bonsoir, é€😀")).assertReplacedWithPayload("Good evening, é€😀");

        assertThat(translated.userProperty(TranslatorModule.TRANSLATED_FROM)).isEqualTo("Bonsoir, é€😀");
        FakeApiServer.Request request = api.requests().get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/translate");
        assertThat(request.contentType()).isEqualTo("application/json");
        assertThat(JSON.readTree(request.body())).isEqualTo(JSON.valueToTree(Map.of(
                "q", "Bonsoir, é€😀", "source", "fr", "target", "en", "format", "text", "api_key", "k1")));
    }

    @Test
    void aServiceSlowerThanTheTimeoutGetsThePolicyInTime() {
        activate("timeout", "300", "on.error", "CONSUME");
        api.handle((exchange, request) -> api.stall());

        long start = System.nanoTime();
        translator.probe().publish(french("Salut")).assertConsumed(ReasonCode.UNSPECIFIED_ERROR);
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertThat(millis).as("decided after the timeout, not left hanging").isBetween(250L, 3000L);
        assertThat(host.logs(Level.WARN)).singleElement().asString().contains("timeout");
    }

    @Test
    void aFailingServiceLetsTheOriginalPass() {
        activate();
        api.answer(503, "application/json", "{\"error\": \"Slow down\"}");

        translator.probe().publish(french("Salut")).assertPassed();

        assertThat(host.logs(Level.WARN)).singleElement().asString().contains("HTTP 503: Slow down");
    }

    @Test
    void retriesAFlakyService() {
        activate("retries", "2");
        AtomicInteger calls = new AtomicInteger();
        api.handle((exchange, request) -> {
            if (calls.incrementAndGet() < 3) {
                FakeApiServer.respond(exchange, 502, "text/plain", "bad gateway");
            } else {
                FakeApiServer.respond(exchange, 200, "application/json", "{\"translatedText\": \"Hi\"}");
            }
        });

        translator.probe().publish(french("Salut")).assertReplacedWithPayload("Hi");

        assertThat(api.requests()).hasSize(3);
    }

    @Test
    void aMalformedAnswerLetsTheOriginalPass() {
        activate();
        api.answer(200, "text/html", "<html><body>Welcome to nginx!</body></html>");

        translator.probe().publish(french("Salut")).assertPassed();

        assertThat(host.logs(Level.WARN)).singleElement().asString().contains("malformed answer").contains("nginx");
    }

    @Test
    void anAbsentServiceLetsTheOriginalPass() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        Map<String, Object> config = Map.of("url", "http://127.0.0.1:" + closedPort, "rules", "chat/fr/#:fr>en");
        translator.activate(config);

        translator.probe().timeout(Duration.ofSeconds(5)).publish(french("Salut")).assertPassed();

        assertThat(host.logs(Level.WARN)).singleElement().asString().contains("failed");
    }
}
