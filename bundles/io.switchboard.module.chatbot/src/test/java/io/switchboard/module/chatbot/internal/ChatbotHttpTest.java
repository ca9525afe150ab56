package io.switchboard.module.chatbot.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

import io.switchboard.core.internal.http.HttpExchanger;
import io.switchboard.testkit.FakeApiServer;
import io.switchboard.testkit.FakeHost;
import io.switchboard.testkit.FakeSession;
import io.switchboard.testkit.ModuleInstance;
import io.switchboard.testkit.SentMessage;
import io.switchboard.testkit.TestMessages;

/**
 * A bot against a local server playing an OpenAI-compatible service, through the broker's own HTTP
 * implementation: a complete answer, a streamed one arriving in pieces over time, and a slow, an
 * unauthorized and a malformed service.
 */
class ChatbotHttpTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final ObjectMapper JSON = new ObjectMapper();

    private FakeApiServer api;
    private FakeHost host;
    private ModuleInstance<ChatbotModule, ChatbotConfig> bot;

    @BeforeEach
    void start() throws IOException {
        api = new FakeApiServer();
        host = new FakeHost("io.switchboard.module.chatbot").httpThrough(HttpExchanger::new, HttpExchanger::exchange);
        bot = ChatbotModuleTest.newBot("helpdesk", host);
    }

    @AfterEach
    void stop() {
        host.close();
        api.close();
    }

    /**
     * Activates with a budget well above a loaded machine's first streamed request (over 2 s on 2 busy cores)
     * and below the test's wait; the timeout tests set their own.
     */
    private void activate(Object... changes) {
        Map<String, Object> config = new HashMap<>(Map.of("url", api.url(), "model", "tiny-1", ".api.key", "sk-local",
                "timeout", "8000"));
        for (int i = 0; i < changes.length; i += 2) {
            config.put((String) changes[i], changes[i + 1]);
        }
        bot.activate(config);
    }

    private SentMessage askAndAwait(String text) {
        bot.probe().message(TestMessages.text("alice", "bot/helpdesk", text)).from(FakeSession.of("alice")).assertConsumed();
        return host.awaitSent(1, WAIT).get(0);
    }

    @Test
    void aCompleteAnswer() throws IOException {
        activate();
        api.answer(200, "application/json", "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                + "\"content\":\"Hallo, Grüße 😀\"},\"finish_reason\":\"stop\"}],\"usage\":{\"total_tokens\":12}}");

        SentMessage answer = askAndAwait("Sag hallo");

        assertThat(answer.text()).isEqualTo("Hallo, Grüße 😀");
        FakeApiServer.Request request = api.requests().get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/v1/chat/completions");
        assertThat(request.authorization()).isEqualTo("Bearer sk-local");
        assertThat(request.contentType()).isEqualTo("application/json");
        assertThat(JSON.readTree(request.body()).at("/messages/1/content").textValue()).isEqualTo("Sag hallo");
    }

    @Test
    void aStreamedAnswerArrivingInPieces() throws IOException {
        activate("stream", "true");
        api.handle((exchange, request) -> {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0); // chunked
            try (OutputStream out = exchange.getResponseBody()) {
                for (String piece : List.of("Once ", "upon ", "a tïme", ".")) {
                    out.write(("data: {\"choices\":[{\"delta\":{\"content\":" + TextNode.valueOf(piece) + "}}]}\n\n")
                            .getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    sleep(30);
                }
                out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            }
        });

        assertThat(askAndAwait("A story?").text()).isEqualTo("Once upon a tïme.");
        assertThat(JSON.readTree(api.requests().get(0).body()).path("stream").booleanValue()).isTrue();
    }

    @Test
    void aStreamThatFallsSilentTimesOut() {
        activate("stream", "true", "timeout", "300");
        api.handle((exchange, request) -> {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            out.write("data: {\"choices\":[{\"delta\":{\"content\":\"Once\"}}]}\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            api.stall();
        });

        SentMessage answer = askAndAwait("A story?");

        assertThat(answer.message().userProperty(ChatbotModule.ERROR_PROPERTY)).isEqualTo("timeout");
    }

    @Test
    void aSlowServiceGetsTheErrorAnswerInTime() {
        activate("timeout", "300", "error.answer", "Too slow, sorry.");
        api.handle((exchange, request) -> api.stall());

        long start = System.nanoTime();
        SentMessage answer = askAndAwait("hi");
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertThat(answer.text()).isEqualTo("Too slow, sorry.");
        assertThat(answer.message().userProperty(ChatbotModule.ERROR_PROPERTY)).isEqualTo("timeout");
        assertThat(millis).as("answered after the timeout, not left hanging").isBetween(250L, 3000L);
    }

    @Test
    void anUnauthorizedRequestGetsTheErrorAnswer() {
        activate();
        api.answer(401, "application/json", "{\"error\":{\"message\":\"Incorrect API key provided\",\"type\":\"invalid_request_error\"}}");

        SentMessage answer = askAndAwait("hi");

        assertThat(answer.message().userProperty(ChatbotModule.ERROR_PROPERTY)).isEqualTo("http 401");
        assertThat(host.logs(Level.WARN)).singleElement().asString().contains("Incorrect API key provided");
    }

    @Test
    void aMalformedAnswerGetsTheErrorAnswer() {
        activate();
        api.answer(200, "application/json", "{\"choices\": []}");

        SentMessage answer = askAndAwait("hi");

        assertThat(answer.message().userProperty(ChatbotModule.ERROR_PROPERTY)).isEqualTo("malformed answer");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
