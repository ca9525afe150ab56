package io.switchboard.module.profanity.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

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
     * Checks {@code config} and compiles its words.
     *
     * @throws IllegalArgumentException if a value is wrong; the message starts with the attribute's
     *         name, e.g. {@code "mask: must be one character, got '**'"}
     */
    static ProfanityRules compile(ProfanityConfig config) {
        List<String> words = checkWords(read("words", config::words));
        Mode mode = checkMode(read("mode", config::mode));
        int mask = checkMask(read("mask", config::mask));
        boolean wholeWords = read("whole.words", config::whole_words);
        boolean caseSensitive = read("case.sensitive", config::case_sensitive);
        int ranking = read("service.ranking", config::service_ranking);
        List<String> topics = checkTopics(read("switchboard.module.topics", config::switchboard_module_topics));
        String name = read("switchboard.module.name", config::switchboard_module_name);
        return new ProfanityRules(words, mode, mask, wholeWords, caseSensitive, ranking, topics,
                name == null ? "" : name.trim());
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

    /** The {@code service.ranking}, as an Integer whatever type the configuration gave it. */
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

    private static List<String> checkWords(String[] values) {
        List<String> words = List.copyOf(new LinkedHashSet<>(split("words", values)));
        if (words.isEmpty()) {
            throw invalid("words", "at least one word is required");
        }
        return words;
    }

    private static Mode checkMode(String value) {
        String mode = value == null ? "" : value.trim().toUpperCase(Locale.ROOT);
        for (Mode m : Mode.values()) {
            if (m.name().equals(mode)) {
                return m;
            }
        }
        throw invalid("mode", "must be CONSUME or MASK, got '" + value + "'");
    }

    private static int checkMask(String value) {
        if (value == null || value.isEmpty() || value.codePointCount(0, value.length()) != 1) {
            throw invalid("mask", "must be one character, got '" + value + "'");
        }
        return value.codePointAt(0);
    }

    private static List<String> checkTopics(String[] values) {
        List<String> topics = split("switchboard.module.topics", values);
        for (String topic : topics) {
            String problem = topicFilterProblem(topic);
            if (problem != null) {
                throw invalid("switchboard.module.topics", "'" + topic + "' is not a valid MQTT topic filter: " + problem);
            }
        }
        return List.copyOf(topics);
    }

    /** Why {@code filter} is not a valid MQTT topic filter, or {@code null} if it is. */
    private static String topicFilterProblem(String filter) {
        if (filter.indexOf('\0') >= 0) {
            return "contains NUL";
        }
        String[] levels = filter.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            if (level.contains("#") && (!level.equals("#") || i != levels.length - 1)) {
                return "'#' must be a whole level and the last one";
            }
            if (level.contains("+") && !level.equals("+")) {
                return "'+' must be a whole level";
            }
        }
        return null;
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
                    throw invalid(attribute, "entry " + (entries.size() + 1)
                            + " is blank (an empty value or a stray comma?)");
                }
                entries.add(trimmed);
            }
        }
        return entries;
    }

    /** Reads one attribute; DS throws when it cannot convert a value (e.g. "ten" as an int). */
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
