package io.switchboard.core.internal.routing;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.switchboard.api.Subscription;
import io.switchboard.core.internal.routing.SubscriptionNode.SharedGroup;
import io.switchboard.core.internal.sessions.SessionImpl;

/**
 * The subscriptions of all sessions, as a tree of topic levels ({@link SubscriptionNode}). Routing walks
 * one path per topic level (plus the {@code +} and {@code #} branches) without locks and without recursion:
 * {@code +} branches wait in a work list, so a topic of any depth takes no more Java stack than a short one.
 * Subscribing replaces a node's array of subscribers (copy-on-write) under the node's lock, and a node left
 * with no subscription and no child is unlinked, so that churn of long filters leaves nothing behind.
 *
 * <p>Races between subscribing, unsubscribing (and session ends) and matching, all on different threads:
 * <ul>
 * <li>A child is only added under its parent's lock, and only while the parent is not removed; a node is only
 * removed under its own lock, when it has no entries, no groups and no children, and it is then unlinked from
 * its parent. So a node that is not removed is linked to a parent that is not removed: reachable from the root.
 * <li>A subscribe walks (creating what is missing), locks the last node and adds its entry only if that node
 * is not removed; if a node on the way or the last one was removed meanwhile, it starts over from the root
 * (whoever removed it has unlinked it, so the next walk creates a fresh one). An added entry is therefore
 * always reachable, and its node cannot be removed while it holds it.
 * <li>Pruning climbs from the node that lost an entry: each node is unlinked under its own lock, then its
 * parent is checked under the parent's lock. A parent seen non-empty because of a child being unlinked is
 * checked again by that child's pruner afterwards, so the last remover always prunes.
 * <li>A match may walk into a node being removed: such a node holds nothing, so it finds nothing there. It
 * finds every subscription added before it started, as those are reachable.
 * <li>Unsubscribing is a step of its session after the subscribe, and the path to a node holding an entry is
 * never removed, so it finds the node that holds it.
 * </ul>
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

    private final SubscriptionNode root = new SubscriptionNode(null, null);
    private final AtomicInteger count = new AtomicInteger();
    /** Runs between a subscribe's walk and its locking of the node found: a test makes a removal happen there. */
    private final Runnable betweenWalkAndLock;

    public SubscriptionTree() {
        this(() -> { });
    }

    SubscriptionTree(Runnable betweenWalkAndLock) {
        this.betweenWalkAndLock = betweenWalkAndLock;
    }

    /** Adds or replaces the session's subscription to {@code entry.filter()}; returns whether it is new. */
    public boolean subscribe(Entry entry) {
        String[] levels = levelsOf(entry);
        while (true) {
            SubscriptionNode node = nodeForSubscribe(levels);
            if (node == null) {
                continue; // a node on the way was removed under us: start over from the root
            }
            betweenWalkAndLock.run();
            synchronized (node) {
                if (!node.isRemoved()) {
                    return counted(node.add(entry));
                }
            }
        }
    }

    /** Removes the session's subscription to {@code filter}, pruning the levels left empty; returns whether it existed. */
    boolean unsubscribe(SessionImpl session, String filter) {
        String group = shareGroupOf(filter);
        SubscriptionNode node = existingNode(levelsOf(group == null ? filter : plainFilterOf(filter)));
        if (node == null) {
            return false;
        }
        boolean removed;
        synchronized (node) {
            removed = group == null ? node.remove(session) : node.remove(group, session);
        }
        if (!removed) {
            return false;
        }
        count.decrementAndGet();
        prune(node);
        return true;
    }

    /** Unlinks {@code node} and then each ancestor as long as they hold nothing. */
    private static void prune(SubscriptionNode node) {
        while (node.unlinkIfEmpty()) {
            node = node.parent;
        }
    }

    /**
     * Calls {@code sink} once per session subscribed to a filter matching {@code topic}: for several
     * matching filters of one session, with the entry of the highest QoS (MQTT 3.1.1 section 3.3.5) carrying
     * the identifiers of all of them (MQTT 5 [MQTT-3.3.4-4]); for each shared group, one member in turn.
     */
    public void match(String topic, Consumer<Entry> sink) {
        List<Entry> found = new ArrayList<>(4);
        collect(Topics.levels(topic), topic.startsWith("$"), found);
        OneDeliveryPerSession.merge(found);
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

    /** How many topic levels the tree holds (the root not counted): 0 once every subscription is gone. */
    int nodeCount() {
        int nodes = 0;
        ArrayDeque<SubscriptionNode> toVisit = new ArrayDeque<>();
        toVisit.push(root);
        while (!toVisit.isEmpty()) {
            for (SubscriptionNode child : toVisit.pop().children.values()) {
                nodes++;
                toVisit.push(child);
            }
        }
        return nodes;
    }

    /**
     * The entries of the filters matching the topic of {@code levels}. Walks down the exact levels; each
     * {@code +} branch met on the way waits in {@code plusBranches}, taken deepest first once the walk ends.
     * The branches waiting are at ever deeper levels, one per level at most, so the list needs no more than
     * one slot per topic level (and is only allocated when there is a {@code +} at all).
     */
    private void collect(String[] levels, boolean dollarTopic, List<Entry> found) {
        SubscriptionNode[] plusBranches = null;
        int waiting = 0;
        SubscriptionNode node = root;
        while (true) {
            int depth = node.depth;
            while (node != null) {
                if (depth == levels.length) {
                    addAll(node, found);
                    SubscriptionNode hash = node.children.get("#");
                    if (hash != null) {
                        addAll(hash, found); // "a/#" matches "a"
                    }
                    break;
                }
                if (depth > 0 || !dollarTopic) { // [MQTT-4.7.2-1]: no wildcard at the first level matches a $ topic
                    SubscriptionNode hash = node.children.get("#");
                    if (hash != null) {
                        addAll(hash, found);
                    }
                    SubscriptionNode plus = node.children.get("+");
                    if (plus != null) {
                        if (plusBranches == null) {
                            plusBranches = new SubscriptionNode[levels.length];
                        }
                        plusBranches[waiting++] = plus;
                    }
                }
                node = node.children.get(levels[depth++]);
            }
            if (waiting == 0) {
                return;
            }
            node = plusBranches[--waiting];
        }
    }

    private static void addAll(SubscriptionNode node, List<Entry> found) {
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

    /** The node of {@code levels}, created as needed; {@code null} if a node on the way was removed meanwhile. */
    private SubscriptionNode nodeForSubscribe(String[] levels) {
        SubscriptionNode node = root;
        for (int i = 0; i < levels.length && node != null; i++) {
            node = node.childForSubscribe(levels[i]);
        }
        return node;
    }

    private SubscriptionNode existingNode(String[] levels) {
        SubscriptionNode node = root;
        for (int i = 0; i < levels.length && node != null; i++) {
            node = node.children.get(levels[i]);
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
        return Topics.levels(filter);
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
}
