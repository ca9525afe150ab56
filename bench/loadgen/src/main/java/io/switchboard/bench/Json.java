package io.switchboard.bench;

import java.io.UncheckedIOException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Result lines and the raw results file as JSON (maps, lists, strings, numbers, booleans, null), by Jackson. */
final class Json {
    /** Configuration-free and thread-safe: one for the process. */
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
