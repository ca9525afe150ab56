package io.switchboard.core.internal.routing;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.switchboard.core.internal.routing.SubscriptionTree.Entry;

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
}
