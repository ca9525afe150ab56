package io.switchboard.module.translator.internal;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import io.switchboard.api.ConfigReader;
import io.switchboard.api.TopicFilters;

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
     * Reads and checks every attribute of {@code config} (whose component properties are {@code properties}).
     *
     * @throws IllegalArgumentException if a value is wrong; the message names the attribute, the value
     *         and what is expected, e.g. {@code "rules: 'chat/#:fr' is not <topic filter>:<source>><target>"}
     */
    static TranslatorSettings compile(Map<String, ?> properties, TranslatorConfig config) {
        ConfigReader in = ConfigReader.of(properties);
        URI endpoint = URI.create(in.httpUrl("url", config::url, "http://localhost:5000") + "/translate");
        List<Rule> rules = checkRules(in.list("rules", config::rules));
        String apiKey = in.text(".api.key", config::_api_key);
        long timeout = in.longInteger("timeout", config::timeout, 1, MAX_TIMEOUT_MILLIS);
        int retries = in.integer("retries", config::retries, 0, 10);
        OnError onError = in.choice("on.error", config::on_error, OnError.class);
        int maxChars = in.integer("max.chars", config::max_chars, 1, Integer.MAX_VALUE);
        int ranking = in.integer("service.ranking", config::service_ranking, Integer.MIN_VALUE, Integer.MAX_VALUE);
        String name = in.text("switchboard.module.name", config::switchboard_module_name);
        return new TranslatorSettings(endpoint, rules, apiKey, timeout, retries, onError, maxChars, ranking,
                name.isEmpty() ? TranslatorModule.BASE_NAME : name);
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

    private static List<Rule> checkRules(List<String> entries) {
        List<Rule> rules = new ArrayList<>();
        for (String entry : entries) {
            // the filter may contain ':', the languages cannot: split at the last one
            int colon = entry.lastIndexOf(':');
            int arrow = entry.indexOf('>', colon + 1);
            if (colon <= 0 || arrow < 0) {
                throw ConfigReader.invalid("rules", "'" + entry + "' is not <topic filter>:<source>><target> (e.g. chat/fr/#:fr>en)");
            }
            String filter = entry.substring(0, colon).trim();
            String source = entry.substring(colon + 1, arrow).trim();
            String target = entry.substring(arrow + 1).trim();
            String problem = TopicFilters.problem(filter);
            if (problem != null) {
                throw ConfigReader.invalid("rules", "'" + entry + "': '" + filter + "' is not a valid MQTT topic filter: " + problem);
            }
            if (!source.equalsIgnoreCase(AUTO) && !LANGUAGE.matcher(source).matches()) {
                throw ConfigReader.invalid("rules", "'" + entry + "': source '" + source + "' is not a language code (or auto)");
            }
            if (!LANGUAGE.matcher(target).matches()) {
                throw ConfigReader.invalid("rules", "'" + entry + "': target '" + target + "' is not a language code");
            }
            if (source.equalsIgnoreCase(target)) {
                throw ConfigReader.invalid("rules", "'" + entry + "': source and target are the same language");
            }
            rules.add(new Rule(filter, source.equalsIgnoreCase(AUTO) ? AUTO : source, target));
        }
        if (rules.isEmpty()) {
            throw ConfigReader.invalid("rules", "at least one rule is required, e.g. chat/fr/#:fr>en");
        }
        return List.copyOf(rules);
    }
}
