package io.switchboard.module.chatbot.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Each user's recent conversation with the bot, bounded twice: at most {@code turns} question-answer
 * pairs per user (the oldest dropped first) and at most {@code users} users (the least recently active
 * forgotten first). With {@code turns = 0} nothing is kept. Thread-safe (answers arrive on HTTP threads).
 */
final class Conversations {

    /** One question and its answer. */
    record Turn(String question, String answer) {
    }

    /** Users by last activity, least recent first (access order). */
    private final LinkedHashMap<String, ArrayDeque<Turn>> byUser = new LinkedHashMap<>(16, 0.75f, true);
    private int turns;
    private int users;

    Conversations(int turns, int users) {
        this.turns = turns;
        this.users = users;
    }

    /** {@code user}'s recent turns, oldest first; empty if none are kept. */
    synchronized List<Turn> history(String user) {
        ArrayDeque<Turn> kept = byUser.get(user);
        return kept == null ? List.of() : List.copyOf(kept);
    }

    /** Remembers a turn of {@code user}'s conversation. */
    synchronized void add(String user, String question, String answer) {
        if (turns == 0) {
            return;
        }
        ArrayDeque<Turn> kept = byUser.computeIfAbsent(user, u -> new ArrayDeque<>());
        kept.addLast(new Turn(question, answer));
        while (kept.size() > turns) {
            kept.removeFirst();
        }
        trimUsers();
    }

    /** Applies new bounds to what is kept. */
    synchronized void resize(int turns, int users) {
        this.turns = turns;
        this.users = users;
        if (turns == 0) {
            byUser.clear();
            return;
        }
        for (ArrayDeque<Turn> kept : byUser.values()) {
            while (kept.size() > turns) {
                kept.removeFirst();
            }
        }
        trimUsers();
    }

    /** Forgets {@code user}'s conversation; whether there was one. */
    synchronized boolean forget(String user) {
        return byUser.remove(user) != null;
    }

    /** How many users have a conversation kept. */
    synchronized int size() {
        return byUser.size();
    }

    /** The users with a conversation kept, least recently active first (for the shell; does not touch them). */
    synchronized List<String> users() {
        return new ArrayList<>(byUser.keySet());
    }

    private void trimUsers() {
        Iterator<Map.Entry<String, ArrayDeque<Turn>>> leastRecent = byUser.entrySet().iterator();
        while (byUser.size() > users && leastRecent.hasNext()) {
            leastRecent.next();
            leastRecent.remove();
        }
    }
}
