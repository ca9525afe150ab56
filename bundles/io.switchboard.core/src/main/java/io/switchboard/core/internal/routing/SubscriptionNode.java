package io.switchboard.core.internal.routing;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.switchboard.core.internal.routing.SubscriptionTree.Entry;
import io.switchboard.core.internal.sessions.SessionImpl;

/**
 * One topic level of the {@link SubscriptionTree}: the subscriptions whose filter ends here and the
 * levels below. Readers (matching) use the volatile fields without locks; every change happens under
 * this node's monitor, and a node that was unlinked from its parent is {@link #removed} for good (the
 * protocol is described at the top of {@link SubscriptionTree}).
 */
final class SubscriptionNode {

    static final Entry[] NO_ENTRIES = new Entry[0];
    static final SharedGroup[] NO_GROUPS = new SharedGroup[0];

    /** The subscribers of one shared group ({@code $share/<name>/...}): one member per group receives each message. */
    static final class SharedGroup {
        final String name;
        volatile Entry[] members;
        final AtomicInteger next = new AtomicInteger();

        SharedGroup(String name, Entry[] members) {
            this.name = name;
            this.members = members;
        }
    }

    /** The level's name in its parent, so that pruning can unlink exactly this node. */
    final String level;
    /** {@code null} for the root. */
    final SubscriptionNode parent;
    /** How many levels from the root (0 for the root): where a match resumes when it takes a waiting branch. */
    final int depth;
    final ConcurrentHashMap<String, SubscriptionNode> children = new ConcurrentHashMap<>();
    volatile Entry[] entries = NO_ENTRIES;
    volatile SharedGroup[] groups = NO_GROUPS;
    /** Set under this node's monitor when it is unlinked; never cleared. Subscribers that find it set start over. */
    private boolean removed;

    SubscriptionNode(String level, SubscriptionNode parent) {
        this.level = level;
        this.parent = parent;
        this.depth = parent == null ? 0 : parent.depth + 1;
    }

    /**
     * The child for {@code name}, created if missing; {@code null} if this node has been removed (the
     * caller starts over from the root). Creation happens under this node's monitor, so that a node is never
     * removed while a child is being added to it.
     */
    SubscriptionNode childForSubscribe(String name) {
        SubscriptionNode child = children.get(name);
        if (child != null) {
            return child;
        }
        synchronized (this) {
            if (removed) {
                return null;
            }
            return children.computeIfAbsent(name, n -> new SubscriptionNode(n, this));
        }
    }

    /** Whether this node has been unlinked; call under its monitor. */
    boolean isRemoved() {
        return removed;
    }

    /**
     * Unlinks this node from its parent if it holds nothing (no subscriptions, no children) and returns
     * whether it did. Never for the root.
     */
    synchronized boolean unlinkIfEmpty() {
        if (removed || parent == null || entries.length > 0 || groups.length > 0 || !children.isEmpty()) {
            return false;
        }
        removed = true;
        parent.children.remove(level, this);
        return true;
    }

    /** Adds or replaces the entry's session's subscription here; returns whether it is new. Call under this node's monitor. */
    boolean add(Entry entry) {
        if (entry.shareGroup() == null) {
            boolean added = indexOf(entries, entry.session()) < 0;
            entries = withEntry(entries, entry);
            return added;
        }
        SharedGroup[] current = groups;
        for (SharedGroup g : current) {
            if (g.name.equals(entry.shareGroup())) {
                boolean added = indexOf(g.members, entry.session()) < 0;
                g.members = withEntry(g.members, entry);
                return added;
            }
        }
        SharedGroup[] updated = Arrays.copyOf(current, current.length + 1);
        updated[current.length] = new SharedGroup(entry.shareGroup(), new Entry[] {entry});
        groups = updated;
        return true;
    }

    /** Removes the session's plain subscription here; returns whether it had one. Call under this node's monitor. */
    boolean remove(SessionImpl session) {
        Entry[] old = entries;
        int at = indexOf(old, session);
        if (at < 0) {
            return false;
        }
        entries = without(old, at, NO_ENTRIES);
        return true;
    }

    /** Removes the session from the shared {@code group} here; returns whether it was a member. Call under this node's monitor. */
    boolean remove(String group, SessionImpl session) {
        SharedGroup[] current = groups;
        for (int g = 0; g < current.length; g++) {
            SharedGroup found = current[g];
            if (found.name.equals(group)) {
                int at = indexOf(found.members, session);
                if (at < 0) {
                    return false;
                }
                found.members = without(found.members, at, NO_ENTRIES);
                if (found.members.length == 0) {
                    groups = without(current, g, NO_GROUPS);
                }
                return true;
            }
        }
        return false;
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

    /** A copy of {@code array} without its element {@code at}; {@code empty} when none is left. */
    private static <T> T[] without(T[] array, int at, T[] empty) {
        if (array.length == 1) {
            return empty;
        }
        T[] updated = Arrays.copyOf(array, array.length - 1);
        System.arraycopy(array, at + 1, updated, at, array.length - at - 1);
        return updated;
    }
}
