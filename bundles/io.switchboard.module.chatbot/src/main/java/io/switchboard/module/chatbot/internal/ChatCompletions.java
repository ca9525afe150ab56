package io.switchboard.module.chatbot.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.switchboard.api.HostServices;
import io.switchboard.api.HttpListener;
import io.switchboard.api.HttpRequest;
import io.switchboard.api.HttpResponse;
import io.switchboard.module.chatbot.internal.Conversations.Turn;

/**
 * The OpenAI chat-completions API, as far as the module uses it: {@code POST <url>/v1/chat/completions}
 * with {@code {"model", "messages": [{"role", "content"}...], "stream", "max_tokens"}}. Without streaming
 * the answer is {@code choices[0].message.content} of one JSON document; with {@code "stream": true} it
 * comes as server-sent events, each {@code data: {...}} line carrying a piece in
 * {@code choices[0].delta.content}, until {@code data: [DONE]}. A failure is a 4xx or 5xx status with
 * {@code {"error": {"message": ...}}}.
 */
final class ChatCompletions {

    /** An answer that did not come; {@link #kind} names the cause in a word or two for the asker. */
    static final class ChatFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String kind;

        ChatFailed(String kind, String message, Throwable cause) {
            super(message, cause, false, false);
            this.kind = kind;
        }
    }

    /** How much of an unexpected answer is quoted in an error. */
    private static final int QUOTE_LIMIT = 200;
    /** How much of an error body is kept while streaming. */
    private static final int ERROR_BODY_LIMIT = 8 * 1024;
    private static final Duration MAX_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** The deepest nesting an answer may have: a hostile one cannot exhaust the stack. */
    static final int MAX_JSON_DEPTH = 64;
    /**
     * Jackson (shipped in the distribution's {@code bundle/}), strict: one document, nothing after it.
     * Answers are read with {@code readValue(text, JsonNode.class)}: {@code readTree} would take an empty
     * text for a missing node rather than refuse it.
     */
    private static final JsonMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_JSON_DEPTH).build())
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private ChatCompletions() {
    }

    /**
     * Asks the service. The stage completes with the answer (trimmed, never empty), or exceptionally
     * with a {@link ChatFailed}.
     */
    static CompletionStage<String> ask(HostServices host, ChatbotSettings settings, List<Turn> history, String question) {
        HttpRequest request = request(settings, history, question);
        if (settings.stream()) {
            StreamListener listener = new StreamListener();
            return host.http(request, listener).handle((response, failure) -> {
                if (failure != null) {
                    throw failed(request, failure);
                }
                return listener.answer();
            });
        }
        return host.http(request).handle((response, failure) -> {
            if (failure != null) {
                throw failed(request, failure);
            }
            return parse(response);
        });
    }

    /** The HTTP request: the system prompt, the earlier turns, the question. */
    static HttpRequest request(ChatbotSettings settings, List<Turn> history, String question) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", settings.model());
        ArrayNode messages = body.putArray("messages");
        if (!settings.systemPrompt().isEmpty()) {
            messages.addObject().put("role", "system").put("content", settings.systemPrompt());
        }
        for (Turn turn : history) {
            messages.addObject().put("role", "user").put("content", turn.question());
            messages.addObject().put("role", "assistant").put("content", turn.answer());
        }
        messages.addObject().put("role", "user").put("content", question);
        body.put("stream", settings.stream());
        if (settings.maxTokens() > 0) {
            body.put("max_tokens", settings.maxTokens());
        }
        Duration timeout = Duration.ofMillis(settings.timeoutMillis());
        HttpRequest.Builder builder = HttpRequest.post(settings.endpoint().toString())
                .body(body.toString(), "application/json") // a JsonNode's toString is its JSON
                .accept(settings.stream() ? "text/event-stream" : "application/json")
                .connectTimeout(timeout.compareTo(MAX_CONNECT_TIMEOUT) < 0 ? timeout : MAX_CONNECT_TIMEOUT)
                .headerTimeout(timeout)
                .bodyTimeout(timeout)
                .totalTimeout(timeout)
                .streaming(settings.stream());
        if (!settings.apiKey().isEmpty()) {
            builder.header("Authorization", "Bearer " + settings.apiKey());
        }
        return builder.build();
    }

    /** Reads a complete (not streamed) answer. */
    static String parse(HttpResponse response) {
        if (response.status() / 100 != 2) {
            throw httpFailure(response.status(), response.bodyText());
        }
        return content(response.bodyText());
    }

    /** {@code choices[0].message.content} of a complete answer. */
    private static String content(String body) {
        JsonNode document;
        try {
            document = JSON.readValue(body, JsonNode.class);
        } catch (JsonProcessingException e) {
            throw new ChatFailed("malformed answer", "malformed answer (" + e.getOriginalMessage() + "): " + quote(body),
                    null);
        }
        String content = document.at("/choices/0/message/content").textValue();
        if (content == null) {
            throw new ChatFailed("malformed answer", "malformed answer (no choices[0].message.content string): "
                    + quote(body), null);
        }
        return nonEmpty(content);
    }

    private static String nonEmpty(String answer) {
        String trimmed = answer.strip();
        if (trimmed.isEmpty()) {
            throw new ChatFailed("empty answer", "the service answered with an empty text", null);
        }
        return trimmed;
    }

    private static ChatFailed failed(HttpRequest request, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof ChatFailed chat) {
            return chat;
        }
        String kind = cause instanceof HttpTimeoutException ? "timeout" : cause instanceof IOException ? "unreachable" : "failed";
        return new ChatFailed(kind, request + " failed: " + cause, cause);
    }

    private static ChatFailed httpFailure(int status, String body) {
        String error = null;
        try {
            JsonNode document = JSON.readValue(body, JsonNode.class);
            error = document.at("/error/message").textValue();
            if (error == null) {
                error = document.path("error").textValue();
            }
        } catch (JsonProcessingException notJson) {
            // quoted below
        }
        return new ChatFailed("http " + status, "HTTP " + status + ": " + (error != null ? error : quote(body)), null);
    }

    private static String quote(String body) {
        String oneLine = body.replaceAll("\\s+", " ").trim();
        return "'" + (oneLine.length() <= QUOTE_LIMIT ? oneLine : oneLine.substring(0, QUOTE_LIMIT) + "...") + "'";
    }

    /**
     * Collects a streamed answer from the {@link HttpListener} callbacks: the pieces of each event. A
     * service that answers a complete JSON document instead (some ignore {@code "stream"}) is read as
     * one; an error status keeps the (bounded) body for the message. Throwing from {@link #onBody} (a
     * malformed event) ends the exchange at once. The broker calls it one callback at a time;
     * {@link #answer()} runs after the end.
     */
    static final class StreamListener implements HttpListener {
        /** The largest answer read: bytes of a complete (not streamed) one, characters of a streamed one. */
        static final int MAX_DOCUMENT = 4 * 1024 * 1024;

        private final StringBuilder answer = new StringBuilder();
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private final SseDecoder events = new SseDecoder(this::event);
        private int status;
        private boolean eventStream;
        private boolean done;

        @Override
        public synchronized void onHeaders(int status, Map<String, List<String>> headers) {
            this.status = status;
            String type = null;
            for (Map.Entry<String, List<String>> h : headers.entrySet()) {
                if (h.getKey().equalsIgnoreCase("content-type") && !h.getValue().isEmpty()) {
                    type = h.getValue().get(0);
                }
            }
            eventStream = status / 100 == 2 && type != null && type.toLowerCase(Locale.ROOT).startsWith("text/event-stream");
        }

        @Override
        public synchronized void onBody(ByteBuffer chunk, long received, long total) {
            if (eventStream) {
                events.feed(chunk);
                return;
            }
            int limit = status / 100 == 2 ? MAX_DOCUMENT : ERROR_BODY_LIMIT;
            if (status / 100 == 2 && body.size() + chunk.remaining() > limit) {
                throw new ChatFailed("malformed answer", "the answer is larger than " + limit + " bytes", null);
            }
            byte[] bytes = new byte[Math.min(Math.max(0, limit - body.size()), chunk.remaining())];
            chunk.get(bytes);
            body.writeBytes(bytes);
        }

        /** The whole answer once the exchange has ended. */
        synchronized String answer() {
            if (status / 100 != 2) {
                throw httpFailure(status, body.toString(StandardCharsets.UTF_8));
            }
            if (!eventStream) {
                return content(body.toString(StandardCharsets.UTF_8));
            }
            events.finish();
            if (!done && answer.length() == 0) {
                throw new ChatFailed("malformed answer", "the event stream ended without an answer or [DONE]", null);
            }
            return nonEmpty(answer.toString());
        }

        private void event(String data) {
            if (done) {
                return;
            }
            if (data.equals("[DONE]")) {
                done = true;
                return;
            }
            JsonNode document;
            try {
                document = JSON.readValue(data, JsonNode.class);
            } catch (JsonProcessingException e) {
                throw new ChatFailed("malformed answer", "malformed event (" + e.getOriginalMessage() + "): " + quote(data),
                        null);
            }
            if (document.hasNonNull("error")) {
                String message = document.at("/error/message").textValue();
                throw new ChatFailed("failed", "the service reported an error in the stream: "
                        + (message != null ? message : quote(data)), null);
            }
            String piece = document.at("/choices/0/delta/content").textValue();
            if (piece != null) {
                if (answer.length() + piece.length() > MAX_DOCUMENT) {
                    throw new ChatFailed("malformed answer", "the streamed answer is longer than " + MAX_DOCUMENT
                            + " characters", null);
                }
                answer.append(piece);
            }
        }
    }

    /**
     * Server-sent events (the WHATWG "event stream" format), as far as a client reading {@code data}
     * needs: lines end with LF, CR or CRLF (a chunk may end in the middle of a line, or of a character);
     * {@code data:} lines of one event are joined with LF; a blank line ends the event; comments
     * ({@code :...}) and other fields ({@code event}, {@code id}, {@code retry}) are skipped.
     */
    static final class SseDecoder {
        /** The longest line accepted: a stream that never ends a line is not an event stream. */
        static final int MAX_LINE = 1024 * 1024;

        private final Consumer<String> onEvent;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private final StringBuilder data = new StringBuilder();
        private boolean hasData;
        private boolean afterCr;

        SseDecoder(Consumer<String> onEvent) {
            this.onEvent = onEvent;
        }

        /** Reads a chunk; calls back for each event it completes. */
        void feed(ByteBuffer chunk) {
            while (chunk.hasRemaining()) {
                byte b = chunk.get();
                if (b == '\n' && afterCr) {
                    afterCr = false; // the LF of a CRLF
                    continue;
                }
                afterCr = b == '\r';
                if (b == '\n' || b == '\r') {
                    endLine();
                } else {
                    if (line.size() >= MAX_LINE) {
                        throw new ChatFailed("malformed answer", "an event stream line is longer than " + MAX_LINE + " bytes", null);
                    }
                    line.write(b);
                }
            }
        }

        /** The stream ended: a last event without its blank line is still delivered. */
        void finish() {
            if (line.size() > 0) {
                endLine();
            }
            dispatch();
        }

        private void endLine() {
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            if (text.isEmpty()) {
                dispatch();
                return;
            }
            if (text.startsWith(":")) {
                return; // a comment (keep-alive)
            }
            int colon = text.indexOf(':');
            String field = colon < 0 ? text : text.substring(0, colon);
            String value = colon < 0 ? "" : text.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            if (field.equals("data")) {
                if (hasData) {
                    data.append('\n');
                }
                data.append(value);
                hasData = true;
            }
        }

        private void dispatch() {
            if (hasData) {
                String event = data.toString();
                data.setLength(0);
                hasData = false;
                onEvent.accept(event);
            }
        }
    }
}
