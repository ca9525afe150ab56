package io.switchboard.module.translator.internal;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

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
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("q", text);
        body.put("source", source);
        body.put("target", target);
        body.put("format", "text");
        if (!settings.apiKey().isEmpty()) {
            body.put("api_key", settings.apiKey());
        }
        Duration timeout = Duration.ofMillis(settings.timeoutMillis());
        return HttpRequest.post(settings.endpoint().toString())
                .body(Json.write(body), "application/json")
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
                error = Json.stringAt(Json.parse(body), "error");
            } catch (IllegalArgumentException notJson) {
                // quoted below
            }
            throw new TranslationFailed("HTTP " + response.status() + ": " + (error != null ? error : quote(body)), null);
        }
        Object answer;
        try {
            answer = Json.parse(body);
        } catch (IllegalArgumentException e) {
            throw new TranslationFailed("malformed answer (" + e.getMessage() + "): " + quote(body), null);
        }
        String translated = Json.stringAt(answer, "translatedText");
        if (translated == null) {
            throw new TranslationFailed("malformed answer (no translatedText string): " + quote(body), null);
        }
        return new Translation(translated, Json.stringAt(answer, "detectedLanguage", "language"));
    }

    private static String quote(String body) {
        String oneLine = body.replaceAll("\\s+", " ").trim();
        return "'" + (oneLine.length() <= QUOTE_LIMIT ? oneLine : oneLine.substring(0, QUOTE_LIMIT) + "...") + "'";
    }
}
