package io.switchboard.module.chatbot.internal;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * JSON through Jackson (shipped in the distribution's {@code bundle/}): {@link #parse} reads a document
 * into {@link Map} (keys in document order), {@link List}, {@link String}, {@link Long} or
 * {@link Double}, {@link Boolean} and {@code null}; {@link #write} does the reverse; {@link #at} walks
 * into a parsed document. Strict: one value and nothing after it, nesting at most {@value #MAX_DEPTH}
 * deep (a hostile answer cannot exhaust the stack).
 */
final class Json {

    /** The deepest nesting a parsed document may have. */
    static final int MAX_DEPTH = 64;

    private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
                    .build())
            .enable(DeserializationFeature.USE_LONG_FOR_INTS, DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private Json() {
    }

    /**
     * Reads one JSON document.
     *
     * @throws IllegalArgumentException saying where and why the text is not JSON
     */
    static Object parse(String text) {
        try {
            return MAPPER.readValue(text, Object.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e.getOriginalMessage(), e);
        }
    }

    /** The value at {@code path} (map keys and list indexes) in a parsed document, or {@code null}. */
    static Object at(Object document, Object... path) {
        Object current = document;
        for (Object step : path) {
            if (step instanceof String key && current instanceof Map<?, ?> map) {
                current = map.get(key);
            } else if (step instanceof Integer index && current instanceof List<?> list) {
                current = index >= 0 && index < list.size() ? list.get(index) : null;
            } else {
                return null;
            }
        }
        return current;
    }

    /** The string at {@code path}, or {@code null} if absent or not a string. */
    static String stringAt(Object document, Object... path) {
        return at(document, path) instanceof String s ? s : null;
    }

    /** Writes maps, lists, strings, numbers, booleans and {@code null} as JSON. */
    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write as JSON: " + e.getOriginalMessage(), e);
        }
    }
}
