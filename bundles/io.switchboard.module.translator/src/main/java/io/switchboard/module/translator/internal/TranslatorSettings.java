package io.switchboard.module.translator.internal;

import io.switchboard.api.TopicFilters;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * A checked {@link TranslatorConfig}: immutable, built once per configuration change by
 * {@link #compile}, the only place where configuration values are validated. Activation and live
 * changes share it, so both refuse the same values with the same words.
 */
final class TranslatorSettings {

    /** What happens to a message whose translation fails. */
    enum OnError {
        /** The original message passes on untranslated. */
        PASS_ORIGINAL,
        /** The message is consumed. */
        CONSUME
    }

    /**
     * One rule: messages on topics matching {@code filter} are translated from {@code source} (or
     * {@value #AUTO}: detected by the service) to {@code target}.
     */
    record Rule(String filter, String source, String target) {
        @Override
        public String toString() {
            return filter + ":" + source + ">" + target;
        }
    }

    /** The source language that asks the service to detect it. */
    static final String AUTO = "auto";

    /** The longest timeout accepted: ten minutes. */
    static final long MAX_TIMEOUT_MILLIS = 600_000;

    /** A language code: ISO 639 letters, optionally with a region or script ({@code pt-BR}, {@code zh-Hans}). */
    private static final Pattern LANGUAGE = Pattern.compile("[a-zA-Z]{2,3}([-_][a-zA-Z0-9]{2,8})*");

    private final URI endpoint;
    private final List<Rule> rules;
    private final String apiKey;
    private final long timeoutMillis;
    private final int retries;
    private final OnError onError;
    private final int maxChars;
    private final int ranking;
    private final String name;

    private TranslatorSettings(URI endpoint, List<Rule> rules, String apiKey, long timeoutMillis, int retries,
            OnError onError, int maxChars, int ranking, String name) {
        this.endpoint = endpoint;
        this.rules = rules;
        this.apiKey = apiKey;
        this.timeoutMillis = timeoutMillis;
        this.retries = retries;
        this.onError = onError;
        this.maxChars = maxChars;
        this.ranking = ranking;
        this.name = name;
    }

    /**
     * Checks {@code config}.
     *
     * @throws IllegalArgumentException if a value is wrong; the message starts with the attribute's
     *         name, e.g. {@code "rules: 'chat/#:fr' is not <topic filter>:<source>><target>"}
     */
    static TranslatorSettings compile(TranslatorConfig config) {
        URI endpoint = checkUrl(read("url", config::url));
        List<Rule> rules = checkRules(read("rules", config::rules));
        String apiKey = read(".api.key", config::_api_key);
        long timeout = read("timeout", config::timeout);
        if (timeout < 1 || timeout > MAX_TIMEOUT_MILLIS) {
            throw invalid("timeout", "must be between 1 and " + MAX_TIMEOUT_MILLIS + " ms, got " + timeout);
        }
        int retries = read("retries", config::retries);
        if (retries < 0 || retries > 10) {
            throw invalid("retries", "must be between 0 and 10, got " + retries);
        }
        OnError onError = checkOnError(read("on.error", config::on_error));
        int maxChars = read("max.chars", config::max_chars);
        if (maxChars < 1) {
            throw invalid("max.chars", "must be at least 1, got " + maxChars);
        }
        int ranking = read("service.ranking", config::service_ranking);
        String name = read("switchboard.module.name", config::switchboard_module_name);
        name = name == null || name.isBlank() ? TranslatorModule.BASE_NAME : name.trim();
        return new TranslatorSettings(endpoint, rules, apiKey == null ? "" : apiKey.trim(), timeout, retries, onError,
                maxChars, ranking, name);
    }

    /** The first rule whose filter matches {@code topic}, or {@code null}. */
    Rule ruleFor(String topic) {
        for (Rule rule : rules) {
            if (TopicFilters.matches(rule.filter(), topic)) {
                return rule;
            }
        }
        return null;
    }

    /** Where translations are requested: {@code <url>/translate}. */
    URI endpoint() {
        return endpoint;
    }

    List<Rule> rules() {
        return rules;
    }

    /** The rules' topic filters, without duplicates: the module's {@code switchboard.module.topics}. */
    List<String> topics() {
        LinkedHashSet<String> filters = new LinkedHashSet<>();
        rules.forEach(r -> filters.add(r.filter()));
        return List.copyOf(filters);
    }

    /** The API key, trimmed; empty for none. */
    String apiKey() {
        return apiKey;
    }

    long timeoutMillis() {
        return timeoutMillis;
    }

    int retries() {
        return retries;
    }

    OnError onError() {
        return onError;
    }

    int maxChars() {
        return maxChars;
    }

    int ranking() {
        return ranking;
    }

    String name() {
        return name;
    }

    /** A one-line summary for the log; never shows the API key. */
    @Override
    public String toString() {
        return "endpoint " + endpoint + ", rules " + rules + ", timeout " + timeoutMillis + " ms, retries " + retries
                + ", on error " + onError + ", max " + maxChars + " chars, ranking " + ranking
                + (apiKey.isEmpty() ? ", no API key" : ", with API key");
    }

    // ---- validation: every message names the attribute first ----

    private static URI checkUrl(String value) {
        String url = value == null ? "" : value.trim();
        if (url.isEmpty()) {
            throw invalid("url", "is required (the base URL of the translation service, e.g. http://localhost:5000)");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw invalid("url", "'" + url + "' is not a URL: " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw invalid("url", "must be an http:// or https:// URL with a host, got '" + url + "'");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw invalid("url", "must not have a query or fragment (the module appends /translate), got '" + url + "'");
        }
        String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        return URI.create(base + "/translate");
    }

    private static List<Rule> checkRules(String[] values) {
        List<Rule> rules = new ArrayList<>();
        for (String entry : split("rules", values)) {
            // the filter may contain ':', the languages cannot: split at the last one
            int colon = entry.lastIndexOf(':');
            int arrow = entry.indexOf('>', colon + 1);
            if (colon <= 0 || arrow < 0) {
                throw invalid("rules", "'" + entry + "' is not <topic filter>:<source>><target> (e.g. chat/fr/#:fr>en)");
            }
            String filter = entry.substring(0, colon).trim();
            String source = entry.substring(colon + 1, arrow).trim();
            String target = entry.substring(arrow + 1).trim();
            String problem = TopicFilters.problem(filter);
            if (problem != null) {
                throw invalid("rules", "'" + entry + "': '" + filter + "' is not a valid MQTT topic filter: " + problem);
            }
            if (!source.equalsIgnoreCase(AUTO) && !LANGUAGE.matcher(source).matches()) {
                throw invalid("rules", "'" + entry + "': source '" + source + "' is not a language code (or auto)");
            }
            if (!LANGUAGE.matcher(target).matches()) {
                throw invalid("rules", "'" + entry + "': target '" + target + "' is not a language code");
            }
            if (source.equalsIgnoreCase(target)) {
                throw invalid("rules", "'" + entry + "': source and target are the same language");
            }
            rules.add(new Rule(filter, source.equalsIgnoreCase(AUTO) ? AUTO : source, target));
        }
        if (rules.isEmpty()) {
            throw invalid("rules", "at least one rule is required, e.g. chat/fr/#:fr>en");
        }
        return List.copyOf(rules);
    }

    private static OnError checkOnError(String value) {
        String v = value == null ? "" : value.trim().toUpperCase(Locale.ROOT);
        for (OnError o : OnError.values()) {
            if (o.name().equals(v)) {
                return o;
            }
        }
        throw invalid("on.error", "must be PASS_ORIGINAL or CONSUME, got '" + value + "'");
    }

    /**
     * The entries of {@code values}, each split at commas and trimmed (a .cfg file without typed
     * values gives a single comma-separated string). No value, or one blank value, gives no entries.
     */
    private static List<String> split(String attribute, String[] values) {
        List<String> entries = new ArrayList<>();
        if (values == null || values.length == 0 || (values.length == 1 && (values[0] == null || values[0].isBlank()))) {
            return entries;
        }
        for (String value : values) {
            for (String entry : (value == null ? "" : value).split(",", -1)) {
                String trimmed = entry.trim();
                if (trimmed.isEmpty()) {
                    throw invalid(attribute, "entry " + (entries.size() + 1) + " is blank (an empty value or a stray comma?)");
                }
                entries.add(trimmed);
            }
        }
        return entries;
    }

    /** Reads one attribute; DS throws when it cannot convert a value (e.g. "ten" as a number). */
    private static <T> T read(String attribute, Supplier<T> member) {
        try {
            return member.get();
        } catch (RuntimeException e) {
            throw invalid(attribute, "cannot be read: " + e.getMessage());
        }
    }

    private static IllegalArgumentException invalid(String attribute, String problem) {
        return new IllegalArgumentException(attribute + ": " + problem);
    }
}
