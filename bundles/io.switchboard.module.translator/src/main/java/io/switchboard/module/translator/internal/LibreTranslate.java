package io.switchboard.module.translator.internal;

import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.switchboard.api.HostServices;
import io.switchboard.api.HttpRequest;
import io.switchboard.api.HttpResponse;

/**
 * The LibreTranslate HTTP API, as far as the module uses it: {@code POST <url>/translate} with
 * {@code {"q", "source", "target", "format": "text", "api_key"}} answers {@code {"translatedText": ...}}
 * (with {@code "detectedLanguage": {"language": ...}} when the source is {@code auto}); a failure answers
 * a 4xx or 5xx status with {@code {"error": ...}}.
 */
final class LibreTranslate {

    /** A translation and, for source {@code auto}, the language the service detected (else {@code null}). */
    record Translation(String text, String detectedLanguage) {
    }

    /** A translation that did not happen; the message says why in a few words. */
    static final class TranslationFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TranslationFailed(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }

    /** How much of an unexpected answer is quoted in an error. */
    private static final int QUOTE_LIMIT = 200;
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

    private LibreTranslate() {
    }

    /**
     * Asks the service to translate {@code text}. The stage completes with the translation, or
     * exceptionally with a {@link TranslationFailed} saying why (HTTP status, timeout, malformed answer).
     */
    static CompletionStage<Translation> translate(HostServices host, TranslatorSettings settings, String text,
            String source, String target) {
        HttpRequest request = request(settings, text, source, target);
        return host.http(request).handle((response, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                throw new TranslationFailed(request + " failed: " + cause, cause);
            }
            return parse(response);
        });
    }

    /** The HTTP request for one translation. */
    static HttpRequest request(TranslatorSettings settings, String text, String source, String target) {
        ObjectNode body = JSON.createObjectNode().put("q", text).put("source", source).put("target", target)
                .put("format", "text");
        if (!settings.apiKey().isEmpty()) {
            body.put("api_key", settings.apiKey());
        }
        Duration timeout = Duration.ofMillis(settings.timeoutMillis());
        return HttpRequest.post(settings.endpoint().toString())
                .body(body.toString(), "application/json") // a JsonNode's toString is its JSON
                .accept("application/json")
                .connectTimeout(timeout.compareTo(MAX_CONNECT_TIMEOUT) < 0 ? timeout : MAX_CONNECT_TIMEOUT)
                .headerTimeout(timeout)
                .bodyTimeout(timeout)
                .totalTimeout(timeout)
                .retries(settings.retries())
                .build();
    }

    /**
     * Reads the service's answer.
     *
     * @throws TranslationFailed for a status other than 2xx or an answer without {@code translatedText}
     */
    static Translation parse(HttpResponse response) {
        String body = response.bodyText();
        if (response.status() / 100 != 2) {
            String error = null;
            try {
                error = JSON.readValue(body, JsonNode.class).path("error").textValue();
            } catch (JsonProcessingException notJson) {
                // quoted below
            }
            throw new TranslationFailed("HTTP " + response.status() + ": " + (error != null ? error : quote(body)), null);
        }
        JsonNode answer;
        try {
            answer = JSON.readValue(body, JsonNode.class);
        } catch (JsonProcessingException e) {
            throw new TranslationFailed("malformed answer (" + e.getOriginalMessage() + "): " + quote(body), null);
        }
        String translated = answer.path("translatedText").textValue();
        if (translated == null) {
            throw new TranslationFailed("malformed answer (no translatedText string): " + quote(body), null);
        }
        return new Translation(translated, answer.at("/detectedLanguage/language").textValue());
    }

    private static String quote(String body) {
        String oneLine = body.replaceAll("\\s+", " ").trim();
        return "'" + (oneLine.length() <= QUOTE_LIMIT ? oneLine : oneLine.substring(0, QUOTE_LIMIT) + "...") + "'";
    }
}
