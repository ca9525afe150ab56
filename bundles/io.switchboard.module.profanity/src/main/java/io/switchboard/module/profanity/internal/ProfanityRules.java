package io.switchboard.module.profanity.internal;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import io.switchboard.api.ConfigReader;
import io.switchboard.api.TopicFilters;

/**
 * A checked and compiled {@link ProfanityConfig}: immutable, built once per configuration change by
 * {@link #compile}, the only place where configuration values are validated. Activation and live
 * changes share it, so both refuse exactly the same values with the same words.
 */
final class ProfanityRules {

    /** What happens to a message containing a word. */
    enum Mode {
        /** The message is consumed: no subscriber sees it. */
        CONSUME,
        /** A copy with the words masked is passed on. */
        MASK
    }

    private final List<String> words;
    private final Mode mode;
    private final int mask;
    private final boolean wholeWords;
    private final boolean caseSensitive;
    private final int ranking;
    private final List<String> topics;
    private final String name;
    private final WordMatcher matcher;

    private ProfanityRules(List<String> words, Mode mode, int mask, boolean wholeWords, boolean caseSensitive,
            int ranking, List<String> topics, String name) {
        this.words = words;
        this.mode = mode;
        this.mask = mask;
        this.wholeWords = wholeWords;
        this.caseSensitive = caseSensitive;
        this.ranking = ranking;
        this.topics = topics;
        this.name = name;
        this.matcher = WordMatcher.compile(words, caseSensitive, wholeWords);
    }

    /**
     * Reads and checks every attribute of {@code config} (whose component properties are
     * {@code properties}), then compiles its words.
     *
     * @throws IllegalArgumentException if a value is wrong; the message names the attribute, the value
     *         and what is expected, e.g. {@code "mask: '**' is not one character"}
     */
    static ProfanityRules compile(Map<String, ?> properties, ProfanityConfig config) {
        ConfigReader in = ConfigReader.of(properties);
        List<String> words = List.copyOf(new LinkedHashSet<>(in.list("words", config::words)));
        if (words.isEmpty()) {
            throw ConfigReader.invalid("words", "at least one word is required");
        }
        Mode mode = in.choice("mode", config::mode, Mode.class);
        int mask = checkMask(in.read("mask", config::mask));
        boolean wholeWords = in.bool("whole.words", config::whole_words);
        boolean caseSensitive = in.bool("case.sensitive", config::case_sensitive);
        int ranking = in.integer("service.ranking", config::service_ranking, Integer.MIN_VALUE, Integer.MAX_VALUE);
        List<String> topics = checkTopics(in.list("switchboard.module.topics", config::switchboard_module_topics));
        String name = in.text("switchboard.module.name", config::switchboard_module_name);
        return new ProfanityRules(words, mode, mask, wholeWords, caseSensitive, ranking, topics, name);
    }

    /** Whether {@code text} contains a word. Allocates nothing. */
    boolean matches(String text) {
        return matcher.containsAny(text);
    }

    /** {@code text} with each word replaced by the mask character repeated to its length; {@code null} if clean. */
    String mask(String text) {
        return matcher.mask(text, mask);
    }

    Mode mode() {
        return mode;
    }

    /** The words, trimmed, in configuration order, without duplicates. */
    List<String> words() {
        return words;
    }

    /** The mask character as a code point. */
    int maskCodePoint() {
        return mask;
    }

    boolean wholeWords() {
        return wholeWords;
    }

    boolean caseSensitive() {
        return caseSensitive;
    }

    /** The {@code service.ranking}, checked to be an integer (the broker ranks by the published value). */
    int ranking() {
        return ranking;
    }

    /** The topic filters, checked; empty for all topics. */
    List<String> topics() {
        return topics;
    }

    /** The configured {@code switchboard.module.name}, trimmed; may be empty. */
    String configuredName() {
        return name;
    }

    /** A one-line summary for the log; lists the number of words, not the words. */
    @Override
    public String toString() {
        return words.size() + (words.size() == 1 ? " word" : " words") + ", mode " + mode
                + (mode == Mode.MASK ? ", mask '" + Character.toString(mask) + "'" : "")
                + (wholeWords ? ", whole words" : ", also inside words")
                + (caseSensitive ? ", case-sensitive" : ", case-insensitive")
                + ", ranking " + ranking + ", topics " + (topics.isEmpty() ? "all" : topics);
    }

    // ---- validation: every message names the attribute first ----

    private static int checkMask(String value) {
        if (value == null || value.isEmpty() || value.codePointCount(0, value.length()) != 1) {
            throw ConfigReader.invalid("mask", "'" + value + "' is not one character");
        }
        return value.codePointAt(0);
    }

    private static List<String> checkTopics(List<String> topics) {
        for (String topic : topics) {
            String problem = TopicFilters.problem(topic);
            if (problem != null) {
                throw ConfigReader.invalid("switchboard.module.topics",
                        "'" + topic + "' is not a valid MQTT topic filter: " + problem);
            }
        }
        return topics;
    }
}
