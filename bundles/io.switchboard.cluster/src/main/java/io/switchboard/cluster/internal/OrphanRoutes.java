package io.switchboard.cluster.internal;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The routes of nodes that left, pointed at the member adopting their sessions: from the moment a node sees a member
 * leave, what matches the left node's filters goes to the adopter (the oldest member, as every node computes it from
 * the same member list), which holds it until it restored the sessions it was for. The left node's entries stay in the
 * routing map until the adopter removes them, once the adoption is over and the adopted sessions' own routes are
 * written; a node that comes back under the name makes its routes its own again.
 */
final class OrphanRoutes {

    /**
     * Where a match leads once the routes of nodes that left point at their adopters: the nodes to send to, the node
     * serving each shared subscription, and for each adopter the left nodes it gets the message for.
     */
    record Resolved(Set<String> nodes, Map<String, String> sharedServedBy, Map<String, Set<String>> heldFor) {
    }

    private final Map<String, String> adopterOf = new ConcurrentHashMap<>();

    /** {@code left} left the cluster: its routes lead to {@code adopter} from now on. */
    void pointAt(String left, String adopter) {
        adopterOf.put(left, adopter);
    }

    /** {@code node} is a member again: its routes lead to it. */
    void forget(String node) {
        adopterOf.remove(node);
    }

    /**
     * {@code adopter} left too: the nodes whose routes pointed at it, no longer pointed anywhere (returned, sorted; what
     * it held for them is gone with it).
     */
    Set<String> adoptedBy(String adopter) {
        Set<String> orphaned = new TreeSet<>();
        adopterOf.forEach((left, to) -> {
            if (to.equals(adopter)) {
                orphaned.add(left);
            }
        });
        orphaned.forEach(adopterOf::remove);
        return orphaned;
    }

    /** {@code match} with the routes of nodes that left pointing at their adopters. */
    Resolved resolve(FilterIndex.Match match) {
        if (adopterOf.isEmpty()) {
            return new Resolved(match.nodes(), match.sharedServedBy(), Map.of());
        }
        Map<String, Set<String>> heldFor = new HashMap<>(2);
        Set<String> nodes = new HashSet<>(match.nodes().size() * 2);
        for (String node : match.nodes()) {
            nodes.add(target(node, heldFor));
        }
        Map<String, String> shared = match.sharedServedBy().isEmpty() ? match.sharedServedBy() : new HashMap<>();
        match.sharedServedBy().forEach((filter, node) -> shared.put(filter, target(node, heldFor)));
        return new Resolved(nodes, shared, heldFor);
    }

    private String target(String node, Map<String, Set<String>> heldFor) {
        String adopter = adopterOf.get(node);
        if (adopter == null) {
            return node;
        }
        heldFor.computeIfAbsent(adopter, a -> new TreeSet<>()).add(node);
        return adopter;
    }
}
