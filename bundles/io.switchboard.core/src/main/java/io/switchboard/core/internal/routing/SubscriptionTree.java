package io.switchboard.core.internal.routing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.switchboard.api.Subscription;
import io.switchboard.core.internal.sessions.SessionImpl;

/**
 * The subscriptions of all sessions, as a tree of topic levels. Routing walks one path per topic
 * level (plus the {@code +} and {@code #} branches) without locks; subscribing replaces a node's
 * array of subscribers (copy-on-write) under the node's lock.
 */
public final class SubscriptionTree {

    /**
     * One session's subscription, as routing uses it. {@code subscriptionIds} are what a delivery through it carries:
     * its subscription's identifier, if it has one; for several overlapping subscriptions of one session, {@link #match}
     * hands out one entry with the identifiers of all of them.
     */
    public record Entry(SessionImpl session, Subscription subscription, String shareGroup, List<Integer> subscriptionIds) {

        /** The entry of {@code session}'s {@code subscription}. */
        public static Entry of(SessionImpl session, Subscription subscription) {
            int id = subscription.identifier();
            return new Entry(session, subscription, shareGroupOf(subscription.topicFilter()), id == 0 ? List.of() : List.of(id));
        }

        public String filter() {
            return subscription.topicFilter();
        }

        public int qos() {
            return subscription.qos();
        }

        public boolean noLocal() {
            return subscription.noLocal();
        }

        public boolean retainAsPublished() {
            return subscription.retainAsPublished();
        }

        /** This entry standing for {@code other} of the same session too: the higher QoS, the identifiers of both. */
        Entry mergedWith(Entry other) {
            Entry kept = other.qos() > qos() ? other : this;
            List<Integer> ids = union(subscriptionIds, other.subscriptionIds);
            return ids.equals(kept.subscriptionIds) ? kept : new Entry(session, kept.subscription, kept.shareGroup, ids);
        }

        private static List<Integer> union(List<Integer> a, List<Integer> b) {
            if (b.isEmpty() || a.equals(b)) {
                return a;
            }
            if (a.isEmpty()) {
                return b;
            }
            TreeSet<Integer> both = new TreeSet<>(a);
            both.addAll(b);
            return List.copyOf(both);
        }
    }

    private static final Entry[] NONE = new Entry[0];

    private static final class Node {
        final ConcurrentHashMap<String, Node> children = new ConcurrentHashMap<>();
        volatile Entry[] entries = NONE;
        /** Shared subscriptions by group name: one member per group receives each message. */
        volatile SharedGroup[] groups = new SharedGroup[0];
    }

    private static final class SharedGroup {
        final String name;
        volatile Entry[] members;
        final AtomicInteger next = new AtomicInteger();

        SharedGroup(String name, Entry[] members) {
            this.name = name;
            this.members = members;
        }
    }

    /** Up to this many matches, duplicates are found by comparing pairs (no map to allocate). */
    private static final int SMALL_MATCH = 8;

    private final Node root = new Node();
    private final AtomicInteger count = new AtomicInteger();

    /** Adds or replaces the session's subscription to {@code entry.filter()}; returns whether it is new. */
    public boolean subscribe(Entry entry) {
        Node node = nodeFor(levelsOf(entry), true);
        synchronized (node) {
            if (entry.shareGroup() == null) {
                boolean added = indexOf(node.entries, entry.session()) < 0;
                node.entries = withEntry(node.entries, entry);
                return counted(added);
            }
            SharedGroup[] groups = node.groups;
            for (SharedGroup g : groups) {
                if (g.name.equals(entry.shareGroup())) {
                    boolean added = indexOf(g.members, entry.session()) < 0;
                    g.members = withEntry(g.members, entry);
                    return counted(added);
                }
            }
            SharedGroup[] updated = Arrays.copyOf(groups, groups.length + 1);
            updated[groups.length] = new SharedGroup(entry.shareGroup(), new Entry[] {entry});
            node.groups = updated;
            return counted(true);
        }
    }

    /** Removes the session's subscription to {@code filter}; returns whether it existed. */
    boolean unsubscribe(SessionImpl session, String filter) {
        String group = shareGroupOf(filter);
        Node node = nodeFor(levelsOf(group == null ? filter : plainFilterOf(filter)), false);
        if (node == null) {
            return false;
        }
        synchronized (node) {
            if (group == null) {
                Entry[] old = node.entries;
                int at = indexOf(old, session);
                if (at < 0) {
                    return false;
                }
                node.entries = without(old, at);
            } else {
                SharedGroup[] groups = node.groups;
                SharedGroup found = null;
                for (SharedGroup g : groups) {
                    if (g.name.equals(group)) {
                        found = g;
                    }
                }
                int at = found == null ? -1 : indexOf(found.members, session);
                if (at < 0) {
                    return false;
                }
                found.members = without(found.members, at);
                if (found.members.length == 0) {
                    node.groups = Arrays.stream(groups).filter(g -> g.members.length > 0).toArray(SharedGroup[]::new);
                }
            }
        }
        count.decrementAndGet();
        return true;
    }

    /**
     * Calls {@code sink} once per session subscribed to a filter matching {@code topic}: for several
     * matching filters of one session, with the entry of the highest QoS (MQTT 3.1.1 section 3.3.5) carrying
     * the identifiers of all of them (MQTT 5 [MQTT-3.3.4-4]); for each shared group, one member in turn.
     */
    public void match(String topic, Consumer<Entry> sink) {
        List<Entry> found = new ArrayList<>(4);
        String[] levels = topic.split("/", -1);
        collect(root, levels, 0, topic.startsWith("$"), found);
        if (found.size() <= 1) {
            found.forEach(sink);
            return;
        }
        // one delivery per session: its entries merged into the first one (shared picks are kept apart)
        if (found.size() <= SMALL_MATCH) {
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
        } else {
            // a topic fanning out to many sessions: stay linear
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
        for (Entry e : found) {
            if (e != null) {
                sink.accept(e);
            }
        }
    }

    /** How many subscriptions there are. */
    public int size() {
        return count.get();
    }

    private void collect(Node node, String[] levels, int depth, boolean dollarTopic, List<Entry> found) {
        if (depth == levels.length) {
            addAll(node, found);
            Node hash = node.children.get("#");
            if (hash != null) {
                addAll(hash, found); // "a/#" matches "a"
            }
            return;
        }
        boolean wildcardsAllowed = !(depth == 0 && dollarTopic);
        if (wildcardsAllowed) {
            Node hash = node.children.get("#");
            if (hash != null) {
                addAll(hash, found);
            }
            Node plus = node.children.get("+");
            if (plus != null) {
                collect(plus, levels, depth + 1, dollarTopic, found);
            }
        }
        Node exact = node.children.get(levels[depth]);
        if (exact != null) {
            collect(exact, levels, depth + 1, dollarTopic, found);
        }
    }

    private static void addAll(Node node, List<Entry> found) {
        for (Entry e : node.entries) {
            found.add(e);
        }
        for (SharedGroup g : node.groups) {
            Entry[] members = g.members;
            if (members.length > 0) {
                found.add(members[Math.floorMod(g.next.getAndIncrement(), members.length)]);
            }
        }
    }

    private Node nodeFor(String[] levels, boolean create) {
        Node node = root;
        for (String level : levels) {
            Node child = create ? node.children.computeIfAbsent(level, l -> new Node()) : node.children.get(level);
            if (child == null) {
                return null;
            }
            node = child;
        }
        return node;
    }

    private boolean counted(boolean added) {
        if (added) {
            count.incrementAndGet();
        }
        return added;
    }

    private static String[] levelsOf(Entry entry) {
        return levelsOf(entry.shareGroup() == null ? entry.filter() : plainFilterOf(entry.filter()));
    }

    private static String[] levelsOf(String filter) {
        return filter.split("/", -1);
    }

    /** The group of a {@code $share/group/filter} filter, or {@code null}. */
    public static String shareGroupOf(String filter) {
        if (!filter.startsWith(Topics.SHARE_PREFIX)) {
            return null;
        }
        return filter.substring(Topics.SHARE_PREFIX.length(), filter.indexOf('/', Topics.SHARE_PREFIX.length()));
    }

    /** The filter of a {@code $share/group/filter} filter, or the filter itself. */
    static String plainFilterOf(String filter) {
        if (!filter.startsWith(Topics.SHARE_PREFIX)) {
            return filter;
        }
        return filter.substring(filter.indexOf('/', Topics.SHARE_PREFIX.length()) + 1);
    }

    private static int indexOf(Entry[] entries, SessionImpl session) {
        for (int i = 0; i < entries.length; i++) {
            if (entries[i].session() == session) {
                return i;
            }
        }
        return -1;
    }

    /** A copy of {@code entries} with the session's entry replaced by {@code entry}, or {@code entry} appended. */
    private static Entry[] withEntry(Entry[] entries, Entry entry) {
        int at = indexOf(entries, entry.session());
        Entry[] updated = at >= 0 ? entries.clone() : Arrays.copyOf(entries, entries.length + 1);
        updated[at >= 0 ? at : entries.length] = entry;
        return updated;
    }

    private static Entry[] without(Entry[] entries, int at) {
        Entry[] updated = new Entry[entries.length - 1];
        System.arraycopy(entries, 0, updated, 0, at);
        System.arraycopy(entries, at + 1, updated, at, entries.length - at - 1);
        return updated;
    }
}
