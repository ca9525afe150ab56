package io.switchboard.observability.internal;

import java.util.List;
import java.util.Map;

/** The health endpoints' small JSON bodies: strings, booleans, lists of strings and maps of booleans. */
final class Json {

    private Json() {
    }

    static String string(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    static String strings(List<String> values) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < values.size(); i++) {
            out.append(i == 0 ? "" : ",").append(string(values.get(i)));
        }
        return out.append(']').toString();
    }

    static String booleans(Map<String, Boolean> values) {
        StringBuilder out = new StringBuilder("{");
        for (Map.Entry<String, Boolean> e : values.entrySet()) {
            out.append(out.length() == 1 ? "" : ",").append(string(e.getKey())).append(':').append(e.getValue());
        }
        return out.append('}').toString();
    }
}
