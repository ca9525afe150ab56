package io.switchboard.core.internal.routing;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import io.switchboard.core.internal.routing.SubscriptionTree.Entry;
import io.switchboard.core.internal.sessions.SessionImpl;

/**
 * Folds the matches of one topic into one delivery per session: a session's plain entries merge into its
 * first one (highest QoS, identifiers of all, MQTT 3.1.1 section 3.3.5 and [MQTT-3.3.4-4]); shared-group
 * picks stay apart.
 */
final class OneDeliveryPerSession {

    /** Up to this many matches, duplicates are found by comparing pairs (no map to allocate). */
    private static final int SMALL_MATCH = 8;

    private OneDeliveryPerSession() {
    }

    /** Merges in place: merged-away entries become {@code null}. */
    static void merge(List<Entry> found) {
        if (found.size() <= 1) {
            return;
        }
        if (found.size() <= SMALL_MATCH) {
            mergePairwise(found);
        } else {
            mergeBySession(found);
        }
    }

    private static void mergePairwise(List<Entry> found) {
        for (int i = 0; i < found.size(); i++) {
            Entry e = found.get(i);
            if (e == null || e.shareGroup() != null) {
                continue;
            }
            for (int j = i + 1; j < found.size(); j++) {
                Entry other = found.get(j);
                if (other != null && other.session() == e.session() && other.shareGroup() == null) {
                    found.set(i, e = e.mergedWith(other));
                    found.set(j, null);
                }
            }
        }
    }

    /** A topic fanning out to many sessions: stay linear. */
    private static void mergeBySession(List<Entry> found) {
        Map<SessionImpl, Integer> plainBySession = new IdentityHashMap<>(found.size() * 2);
        for (int i = 0; i < found.size(); i++) {
            Entry e = found.get(i);
            if (e.shareGroup() != null) {
                continue;
            }
            Integer first = plainBySession.putIfAbsent(e.session(), i);
            if (first != null) {
                found.set(first, found.get(first).mergedWith(e));
                found.set(i, null);
            }
        }
    }
}
