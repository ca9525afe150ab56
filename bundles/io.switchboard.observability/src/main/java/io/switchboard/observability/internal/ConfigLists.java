package io.switchboard.observability.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A list-valued configuration property as it may arrive: a comma-separated string (a {@code .cfg} file gives one),
 * an array or a collection of such strings. Trimmed, without empty entries or repeats, in order.
 */
final class ConfigLists {

    private ConfigLists() {
    }

    static List<String> of(Object value) {
        List<String> out = new ArrayList<>();
        if (value instanceof String s) {
            split(s, out);
        } else if (value instanceof String[] array) {
            for (String s : array) {
                split(s, out);
            }
        } else if (value instanceof Collection<?> collection) {
            for (Object o : collection) {
                split(String.valueOf(o), out);
            }
        }
        return out;
    }

    private static void split(String value, List<String> out) {
        for (String part : value.split(",")) {
            String entry = part.strip();
            if (!entry.isEmpty() && !out.contains(entry)) {
                out.add(entry);
            }
        }
    }
}
