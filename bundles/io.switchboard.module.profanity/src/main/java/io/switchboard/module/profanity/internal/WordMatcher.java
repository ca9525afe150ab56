package io.switchboard.module.profanity.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Finds any of a set of words in a text in one pass (an Aho–Corasick automaton). Built once per
 * configuration change; immutable and thread-safe afterwards.
 *
 * <p>Why not one regular expression {@code (?:w1|w2|...)}: Java tries every alternative at every
 * position, so the cost grows with the number of words, and each call allocates a {@code Matcher}. This
 * automaton reads each character once whatever the number of words, and {@link #containsAny}
 * allocates nothing. It also finds overlapping words ({@code "abc"} and {@code "cde"} in
 * {@code "abcde"}), so {@link #mask} hides all of them.
 *
 * <p>Matching works on Unicode code points. Without case sensitivity both the words and the text are
 * folded per code point ({@code toLowerCase(toUpperCase(c))}: simple case folding, so {@code "ß"} does
 * not match {@code "SS"}). With whole words, a word matches only where it is not glued to a word
 * character (letter, digit, combining mark, {@code _}): like the regex {@code \b} at each of its ends.
 */
final class WordMatcher {

    private static final int NONE = -1;

    /** Per node: the (folded) code points leading to children, sorted, for binary search. */
    private final int[][] keys;
    /** Per node: the child reached by the code point at the same index of {@link #keys}. */
    private final int[][] children;
    /** Per node: the node of the longest proper suffix that is also in the trie (root: 0). */
    private final int[] fail;
    /** Per node: the length in chars of the word ending here, or 0 if none does. */
    private final int[] wordLength;
    /** Per node: the nearest node on the fail chain where a word ends, or {@link #NONE}. */
    private final int[] nextWord;
    private final boolean caseSensitive;
    private final boolean wholeWords;

    private WordMatcher(int[][] keys, int[][] children, int[] fail, int[] wordLength, int[] nextWord,
            boolean caseSensitive, boolean wholeWords) {
        this.keys = keys;
        this.children = children;
        this.fail = fail;
        this.wordLength = wordLength;
        this.nextWord = nextWord;
        this.caseSensitive = caseSensitive;
        this.wholeWords = wholeWords;
    }

    /**
     * Builds the automaton.
     *
     * @param words non-empty words
     */
    static WordMatcher compile(Collection<String> words, boolean caseSensitive, boolean wholeWords) {
        // 1. A trie of the words, built with maps; node 0 is the root.
        List<Map<Integer, Integer>> trie = new ArrayList<>();
        List<Integer> lengths = new ArrayList<>();
        trie.add(new TreeMap<>());
        lengths.add(0);
        for (String word : words) {
            int node = 0;
            for (int i = 0; i < word.length(); ) {
                int cp = word.codePointAt(i);
                i += Character.charCount(cp);
                int key = caseSensitive ? cp : fold(cp);
                Integer child = trie.get(node).get(key);
                if (child == null) {
                    child = trie.size();
                    trie.add(new TreeMap<>());
                    lengths.add(0);
                    trie.get(node).put(key, child);
                }
                node = child;
            }
            lengths.set(node, word.length());
        }

        // 2. Freeze it into arrays.
        int size = trie.size();
        int[][] keys = new int[size][];
        int[][] children = new int[size][];
        int[] wordLength = new int[size];
        for (int n = 0; n < size; n++) {
            Map<Integer, Integer> edges = trie.get(n);
            keys[n] = edges.keySet().stream().mapToInt(Integer::intValue).toArray();
            children[n] = edges.values().stream().mapToInt(Integer::intValue).toArray();
            wordLength[n] = lengths.get(n);
        }

        // 3. Fail links breadth first: a node's fail target is shallower, so it is already done.
        int[] fail = new int[size];
        int[] nextWord = new int[size];
        Arrays.fill(nextWord, NONE);
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int child : children[0]) {
            queue.add(child);
        }
        while (!queue.isEmpty()) {
            int node = queue.poll();
            for (int k = 0; k < keys[node].length; k++) {
                int key = keys[node][k];
                int child = children[node][k];
                int f = fail[node];
                while (f != 0 && child(keys, children, f, key) == NONE) {
                    f = fail[f];
                }
                int target = child(keys, children, f, key);
                fail[child] = target == NONE ? 0 : target;
                nextWord[child] = wordLength[fail[child]] > 0 ? fail[child] : nextWord[fail[child]];
                queue.add(child);
            }
        }
        return new WordMatcher(keys, children, fail, wordLength, nextWord, caseSensitive, wholeWords);
    }

    /** Whether {@code text} contains a word. Allocates nothing. */
    boolean containsAny(String text) {
        return scan(text, null);
    }

    /**
     * {@code text} with every code point of every found word replaced by {@code maskCodePoint}, or
     * {@code null} if no word was found.
     */
    String mask(String text, int maskCodePoint) {
        boolean[] hidden = new boolean[text.length()];
        if (!scan(text, hidden)) {
            return null;
        }
        StringBuilder masked = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            masked.appendCodePoint(hidden[i] ? maskCodePoint : cp);
            i += Character.charCount(cp);
        }
        return masked.toString();
    }

    /**
     * Runs the automaton over {@code text}. Without {@code hidden}, stops at the first word; with it,
     * marks the chars of every word found and goes on to the end.
     */
    private boolean scan(String text, boolean[] hidden) {
        boolean found = false;
        int state = 0;
        for (int end = 0; end < text.length(); ) {
            int cp = text.codePointAt(end);
            end += Character.charCount(cp);
            state = step(state, caseSensitive ? cp : fold(cp));
            // Every word ending here: the state's own, then those of its suffixes.
            for (int node = wordLength[state] > 0 ? state : nextWord[state]; node != NONE; node = nextWord[node]) {
                int start = end - wordLength[node];
                if (wholeWords && !standsAlone(text, start, end)) {
                    continue;
                }
                if (hidden == null) {
                    return true;
                }
                Arrays.fill(hidden, start, end, true);
                found = true;
            }
        }
        return found;
    }

    private int step(int state, int key) {
        while (true) {
            int next = child(keys, children, state, key);
            if (next != NONE) {
                return next;
            }
            if (state == 0) {
                return 0;
            }
            state = fail[state];
        }
    }

    private static int child(int[][] keys, int[][] children, int node, int key) {
        int k = Arrays.binarySearch(keys[node], key);
        return k < 0 ? NONE : children[node][k];
    }

    /** Whether {@code text[start, end)} is not glued to a word character on either side. */
    private static boolean standsAlone(String text, int start, int end) {
        boolean gluedBefore = start > 0
                && isWordChar(text.codePointBefore(start)) && isWordChar(text.codePointAt(start));
        boolean gluedAfter = end < text.length()
                && isWordChar(text.codePointBefore(end)) && isWordChar(text.codePointAt(end));
        return !gluedBefore && !gluedAfter;
    }

    private static boolean isWordChar(int cp) {
        if (cp == '_' || Character.isLetterOrDigit(cp)) {
            return true;
        }
        int type = Character.getType(cp);
        return type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK
                || type == Character.ENCLOSING_MARK;
    }

    /**
     * Simple case folding of one code point. Keeps the code point when folding would change its length
     * in chars, so a match in the text is exactly as long as the word.
     */
    static int fold(int cp) {
        if (cp < 0x80) {
            // ASCII, nearly every character of most payloads: the same result without the Unicode tables
            return cp >= 'A' && cp <= 'Z' ? cp + ('a' - 'A') : cp;
        }
        int folded = Character.toLowerCase(Character.toUpperCase(cp));
        return Character.charCount(folded) == Character.charCount(cp) ? folded : cp;
    }
}
