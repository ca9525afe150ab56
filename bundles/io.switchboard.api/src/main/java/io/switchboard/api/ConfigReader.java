package io.switchboard.api;

import java.lang.reflect.Array;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Reads a module's configuration attributes, all of them up front and in one place, so that a bad value
 * is refused before anything is applied, with a message naming the attribute, the value and what is
 * expected: {@code max.files: 'abc' is not an integer from 0 to 1000}.
 *
 * <pre>{@code
 * @Activate
 * void activate(Map<String, Object> properties, MyConfig config) {
 *     ConfigReader in = ConfigReader.of(properties);
 *     int maxFiles = in.integer("max.files", config::max_files, 0, 1000);
 *     List<String> words = in.list("words", config::words);
 *     ...
 * }
 * }</pre>
 *
 * <p>Why it is needed: DS converts a value of the configuration annotation only when its member is
 * called, and a value it cannot convert ({@code abc} for an {@code int}) then throws an exception that
 * names neither the attribute nor what was expected; a boolean it cannot read ({@code yes}) silently
 * becomes {@code false}; and a plain {@code .cfg} value {@code a, b} reaches a {@code String[]} member as
 * one string. Each method here calls the member, checks the value and throws
 * {@code IllegalArgumentException("<attribute>: <problem>")}; the module adds its name in front.
 */
public final class ConfigReader {

    private final Map<String, ?> properties;

    private ConfigReader(Map<String, ?> properties) {
        this.properties = properties;
    }

    /**
     * A reader of the configuration whose component properties are {@code properties} (the {@code Map}
     * DS passes to {@code @Activate} and {@code @Modified}); they are only used to quote a bad value.
     */
    public static ConfigReader of(Map<String, ?> properties) {
        return new ConfigReader(Map.copyOf(properties));
    }

    /** The value of a member that cannot fail to convert (a {@code String}), as it is. */
    public <T> T read(String attribute, Supplier<T> member) {
        try {
            return member.get();
        } catch (RuntimeException e) {
            throw invalid(attribute, quoted(attribute) + " cannot be read: " + e.getMessage());
        }
    }

    /** The value of a {@code String} member, trimmed; {@code ""} for none. */
    public String text(String attribute, Supplier<String> member) {
        String value = read(attribute, member);
        return value == null ? "" : value.trim();
    }

    /** An {@code int} member's value, which must lie between {@code min} and {@code max} (inclusive). */
    public int integer(String attribute, IntSupplier member, int min, int max) {
        return (int) whole(attribute, member::getAsInt, min, max, min == Integer.MIN_VALUE && max == Integer.MAX_VALUE);
    }

    /** A {@code long} member's value, which must lie between {@code min} and {@code max} (inclusive). */
    public long longInteger(String attribute, LongSupplier member, long min, long max) {
        return whole(attribute, member, min, max, min == Long.MIN_VALUE && max == Long.MAX_VALUE);
    }

    /**
     * A {@code boolean} member's value. The configured value must be {@code true} or {@code false} (any
     * case): DS would read anything else, {@code yes} included, as {@code false}.
     */
    public boolean bool(String attribute, BooleanSupplier member) {
        Object raw = first(properties.get(attribute));
        if (raw instanceof String s && !s.trim().equalsIgnoreCase("true") && !s.trim().equalsIgnoreCase("false")) {
            throw invalid(attribute, quoted(attribute) + " is not true or false");
        }
        try {
            return member.getAsBoolean();
        } catch (RuntimeException e) {
            throw invalid(attribute, quoted(attribute) + " is not true or false");
        }
    }

    /** A {@code String} member's value as one of {@code type}'s constants, ignoring case and spaces around. */
    public <E extends Enum<E>> E choice(String attribute, Supplier<String> member, Class<E> type) {
        String value = text(attribute, member).toUpperCase(Locale.ROOT);
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equals(value)) {
                return constant;
            }
        }
        throw invalid(attribute, quoted(attribute) + " is not one of " + Arrays.toString(type.getEnumConstants()));
    }

    /**
     * The entries of a {@code String[]} member: each value split at commas (a plain {@code .cfg} file
     * gives one comma-separated string) and trimmed. No value, or one blank value, gives no entries; a
     * blank entry (a stray comma) is refused.
     */
    public List<String> list(String attribute, Supplier<String[]> member) {
        String[] values = read(attribute, member);
        List<String> entries = new ArrayList<>();
        if (values == null || values.length == 0 || (values.length == 1 && (values[0] == null || values[0].isBlank()))) {
            return List.of();
        }
        for (String value : values) {
            for (String entry : (value == null ? "" : value).split(",", -1)) {
                String trimmed = entry.trim();
                if (trimmed.isEmpty()) {
                    throw invalid(attribute, quoted(attribute) + ": entry " + (entries.size() + 1)
                            + " is blank (an empty value or a stray comma?)");
                }
                entries.add(trimmed);
            }
        }
        return List.copyOf(entries);
    }

    /**
     * The value of a {@code String} member as the base URL of an HTTP service the module appends its own
     * path to: {@code http://} or {@code https://}, with a host, without a query or fragment; trimmed, and
     * without a trailing {@code /}. A blank value is refused as required, with {@code example} as a hint.
     */
    public URI httpUrl(String attribute, Supplier<String> member, String example) {
        String url = text(attribute, member);
        if (url.isEmpty()) {
            throw invalid(attribute, "is required (the base URL of the service, e.g. " + example + ")");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw invalid(attribute, "'" + url + "' is not a URL: " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw invalid(attribute, "'" + url + "' is not an http:// or https:// URL with a host");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw invalid(attribute, "'" + url + "' has a query or fragment; expected none (the module appends its path)");
        }
        return URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
    }

    /** The exception for a bad value of {@code attribute}: {@code "<attribute>: <problem>"}. */
    public static IllegalArgumentException invalid(String attribute, String problem) {
        return new IllegalArgumentException(attribute + ": " + problem);
    }

    private long whole(String attribute, LongSupplier member, long min, long max, boolean anyValue) {
        String expected = anyValue ? "an integer"
                : max == Integer.MAX_VALUE || max == Long.MAX_VALUE ? "an integer of at least " + min
                : "an integer from " + min + " to " + max;
        long value;
        try {
            value = member.getAsLong();
        } catch (RuntimeException e) { // DS could not convert the configured value
            throw invalid(attribute, quoted(attribute) + " is not " + expected);
        }
        if (value < min || value > max) {
            throw invalid(attribute, "'" + value + "' is not " + expected);
        }
        return value;
    }

    /** The configured value of {@code attribute} in quotes, as the message shows it. */
    private String quoted(String attribute) {
        Object raw = properties.get(attribute);
        if (raw != null && raw.getClass().isArray()) {
            List<Object> items = new ArrayList<>();
            for (int i = 0; i < Array.getLength(raw); i++) {
                items.add(Array.get(raw, i));
            }
            return "'" + items + "'";
        }
        return "'" + raw + "'";
    }

    private static Object first(Object raw) {
        if (raw != null && raw.getClass().isArray()) {
            return Array.getLength(raw) == 0 ? null : Array.get(raw, 0);
        }
        return raw;
    }
}
