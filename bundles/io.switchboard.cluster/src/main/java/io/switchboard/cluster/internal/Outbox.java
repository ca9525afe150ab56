package io.switchboard.cluster.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.topic.ITopic;
import io.switchboard.api.Message;
import io.switchboard.api.broker.Broker;
import io.switchboard.api.broker.Forwarding;
import io.switchboard.api.broker.ForwardingException;
import io.switchboard.cluster.internal.forwarding.Confirmations;
import io.switchboard.cluster.internal.forwarding.ForwardRetries;
import io.switchboard.cluster.internal.sessions.HeldMessages;
import io.switchboard.cluster.internal.sessions.IncomingRelays;
import io.switchboard.cluster.internal.sessions.OutgoingRelays;

/**
 * What this node sends the others ({@link Forwarder} receives): a message its chain passed, as one frame per node, to
 * the nodes whose filters match its topic (a retained message to every node) and, for each matching shared
 * subscription, to the one node whose turn it is to serve the group, on each target node's own topic
 * ({@value #INBOX_PREFIX}name; a Hazelcast {@link ITopic} delivers one member's messages in the order it sent them).
 * At QoS 1 and 2 the publisher's acknowledgement waits for every target's confirmation ({@link Confirmations}); a QoS
 * 2 message whose confirmation failed is kept and sent again, where it is missing, when its publisher resends it
 * ({@link ForwardRetries}). What the routes of nodes that left bring to this node, their adopter, is held
 * ({@link HeldMessages}) before it is delivered here. A session moving from this node to another one gets what its
 * subscriptions here still match relayed there ({@link #relay}).
 */
final class Outbox {

    /** Each node's inbox topic: this prefix and its name. */
    static final String INBOX_PREFIX = "switchboard.node.";
    private static final CompletionStage<Void> DONE = CompletableFuture.completedStage(null);

    private final String self;
    private final HazelcastInstance hazelcast;
    private final ClusterRoutes routes;
    private final HeldMessages held;
    private final IncomingRelays incomingRelays;
    private final OutgoingRelays outgoingRelays;
    private final Broker broker;
    private final Confirmations confirmations;
    private final Supplier<Set<String>> memberNames;
    private final Counters sent = new Counters();
    private final Map<String, ITopic<byte[]>> inboxes = new ConcurrentHashMap<>();
    private final ForwardRetries retries = new ForwardRetries(System::nanoTime);

    /** @param memberNames the names of the current members, this node's included */
    Outbox(String self, HazelcastInstance hazelcast, ClusterRoutes routes, HeldMessages held,
            IncomingRelays incomingRelays, OutgoingRelays outgoingRelays, Broker broker, Confirmations confirmations,
            Supplier<Set<String>> memberNames) {
        this.self = self;
        this.hazelcast = hazelcast;
        this.routes = routes;
        this.held = held;
        this.incomingRelays = incomingRelays;
        this.outgoingRelays = outgoingRelays;
        this.broker = broker;
        this.confirmations = confirmations;
        this.memberNames = memberNames;
    }

    /**
     * Sends the message to the nodes that need it (on a broker worker: must not block); at QoS 1 and 2 they confirm it
     * once stored, and the returned stage (the publisher's acknowledgement) waits for that. A QoS 2 message whose
     * confirmation fails is kept with what the nodes that accepted it have ({@link ForwardRetries}).
     */
    Forwarding forward(Message message, String orderKey) {
        incomingRelays.arrived(self, message.id()); // delivered here next: a relay of it back here is a duplicate
        return send(message, orderKey == null ? "" : orderKey, ForwardRetries.Attempt.NONE, false);
    }

    /**
     * Forwards a kept QoS 2 message again, where it is missing: to the nodes that did not accept it, and to those that
     * did only for the shared subscriptions and dead nodes' sessions they did not get it for; the shared subscriptions
     * that come to this node are delivered here. Null when it is not kept (any more).
     */
    CompletionStage<Void> forwardAgain(long messageId, String orderKey) {
        String key = orderKey == null ? "" : orderKey;
        ForwardRetries.Attempt before = retries.take(key, messageId);
        return before == null ? null : send(before.message(), key, before, true).accepted();
    }

    /** One node's frame of a message: the shared subscriptions it serves, the dead nodes it holds it for. */
    private record Send(String node, boolean acceptedBefore, Set<String> shared, Set<String> heldFor) {
    }

    /**
     * Sends {@code message} to the nodes its topic reaches, leaving out what {@code before} says they have; with
     * {@code again}, this node's shared subscriptions that did not get it are delivered here too (its plain ones have
     * it: the core delivered it the first time).
     */
    private Forwarding send(Message message, String key, ForwardRetries.Attempt before, boolean again) {
        OrphanRoutes.Resolved match = routes.match(message.topic());
        Map<String, Set<String>> sharedByNode = match.sharedServedBy().isEmpty() ? Map.of() : new HashMap<>();
        Set<String> sharedElsewhere = match.sharedServedBy().isEmpty() ? Set.of() : new HashSet<>();
        Set<String> sharedHere = match.sharedServedBy().isEmpty() ? Set.of() : new HashSet<>();
        match.sharedServedBy().forEach((filter, node) -> {
            if (before.servedGroups().contains(filter)) {
                return;
            }
            if (node.equals(self)) {
                sharedHere.add(filter);
            } else {
                sharedElsewhere.add(filter);
                sharedByNode.computeIfAbsent(node, n -> new HashSet<>()).add(filter);
            }
        });
        // the member list only when needed: a retained message goes to every node; a message sent again, to the
        // adopters of the nodes that did not accept it and left (their sessions did not get it there)
        Set<String> members = message.retain() || !before.missing().isEmpty() ? memberNames.get() : Set.of();
        Set<String> targets = new HashSet<>(message.retain() ? members : match.nodes());
        targets.addAll(sharedByNode.keySet());
        targets.remove(self);
        Set<String> missingLeft = without(before.missing(), members);
        Set<String> heldHere = without(union(match.heldFor().getOrDefault(self, Set.of()), missingLeft),
                before.heldByNode().get(self));
        // before this node's own deliveries, which follow the return
        CompletionStage<Void> handedHere = DONE;
        if (again) {
            handedHere = held.holdOrHand(heldHere, message, key, sharedHere);
        } else if (!heldHere.isEmpty() && !held.hold(heldHere, message, key, sharedHere) && message.qos() > 0) {
            return new Forwarding(sharedElsewhere, CompletableFuture.failedFuture(new ForwardingException(
                    "not held for the sessions this node adopts: " + HeldMessages.LIMIT + " messages are held already")));
        }
        List<Send> sends = new ArrayList<>(targets.size());
        for (String node : targets) {
            boolean acceptedBefore = before.accepted().contains(node);
            Set<String> shared = sharedByNode.getOrDefault(node, Set.of());
            // sent again to a node that did not confirm it: it may have it (it checks), and it may adopt a dead node's
            // sessions that did not get it
            Set<String> heldThere = acceptedBefore
                    ? without(union(match.heldFor().getOrDefault(node, Set.of()), missingLeft), before.heldByNode().get(node))
                    : again ? union(match.heldFor().getOrDefault(node, Set.of()), missingLeft)
                    : match.heldFor().getOrDefault(node, Set.of());
            if (!acceptedBefore || !shared.isEmpty() || !heldThere.isEmpty()) {
                sends.add(new Send(node, acceptedBefore, shared, heldThere));
            }
        }
        Confirmations.Awaited awaited = message.qos() == 0 || sends.isEmpty() ? null
                : confirmations.expect(nodesOf(sends), message.topic(),
                        message.qos() == 2 ? retry(message, key, before, sends, heldHere, sharedHere) : null);
        long correlation = awaited == null ? 0 : awaited.id();
        byte[] plainFrame = null; // the frame of every node that serves no shared subscription and holds nothing
        for (Send send : sends) {
            byte[] frame;
            Frames.Resend resend = !again ? Frames.Resend.NO
                    : send.acceptedBefore() ? Frames.Resend.CONFIRMED : Frames.Resend.UNCONFIRMED;
            if (send.shared().isEmpty() && send.heldFor().isEmpty() && resend == Frames.Resend.NO) {
                if (plainFrame == null) {
                    plainFrame = Frames.encode(correlation, self, key, Set.of(), Set.of(), message);
                }
                frame = plainFrame;
            } else {
                frame = Frames.encode(correlation, resend, self, key, send.shared(), send.heldFor(), message);
            }
            inbox(send.node()).publish(frame); // Hazelcast queues it on the member's connection; QoS 1/2: confirmed later
            sent.increment(send.node());
        }
        CompletionStage<Void> confirmed = awaited == null ? DONE : awaited.confirmed();
        if (again) {
            // this node's own deliveries: the core made them the first time, but for what is new here
            if (!sharedHere.isEmpty()) {
                handedHere = handedHere.thenCombine(broker.deliverShared(message, key, sharedHere), (v, n) -> null);
            }
            confirmed = handedHere.thenCombine(confirmed, (v, w) -> null);
        }
        return new Forwarding(sharedElsewhere, confirmed);
    }

    /**
     * What a failed forwarding of a QoS 2 message keeps: {@code before} with, of this sending, what the nodes that
     * confirmed (and this node) got.
     */
    private Confirmations.Retry retry(Message message, String key, ForwardRetries.Attempt before, List<Send> sends,
            Set<String> heldHere, Set<String> sharedHere) {
        return new Confirmations.Retry() {
            @Override
            public long messageId() {
                return message.id();
            }

            @Override
            public void failed(Set<String> notConfirmed) {
                Set<String> accepted = new HashSet<>(before.accepted());
                Set<String> missing = new HashSet<>(before.missing());
                missing.addAll(notConfirmed);
                Map<String, Set<String>> heldBy = new HashMap<>(before.heldByNode());
                Set<String> served = new HashSet<>(before.servedGroups());
                served.addAll(sharedHere);
                heldBy.merge(self, heldHere, Outbox::union);
                for (Send send : sends) {
                    if (!notConfirmed.contains(send.node())) {
                        accepted.add(send.node());
                        missing.remove(send.node());
                        served.addAll(send.shared());
                        heldBy.merge(send.node(), send.heldFor(), Outbox::union);
                    }
                }
                retries.keep(key, message.id(), new ForwardRetries.Attempt(message, Set.copyOf(accepted),
                        Set.copyOf(missing), Map.copyOf(heldBy), Set.copyOf(served)));
            }
        };
    }

    private static List<String> nodesOf(List<Send> sends) {
        List<String> nodes = new ArrayList<>(sends.size());
        for (Send send : sends) {
            nodes.add(send.node());
        }
        return nodes;
    }

    private static Set<String> without(Set<String> nodes, Set<String> had) {
        if (nodes == null || nodes.isEmpty()) {
            return Set.of();
        }
        if (had == null || had.isEmpty()) {
            return nodes;
        }
        Set<String> rest = new HashSet<>(nodes);
        rest.removeAll(had);
        return rest;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        if (b.isEmpty()) {
            return a; // the usual case on a message's first sending: nothing to copy
        }
        if (a.isEmpty()) {
            return b;
        }
        Set<String> both = new HashSet<>(a);
        both.addAll(b);
        return Set.copyOf(both);
    }

    /**
     * Sends {@code message} to the node the session of {@code clientId} moves to; at QoS 1 and 2 that node confirms it
     * once the session has it and its store wrote it, and the returned stage (what the message's acknowledgement waits
     * for) completes then, or fails as a forwarded message's does. Null when the session is not moving.
     */
    CompletionStage<Void> relay(String clientId, Message message, String orderKey, Set<String> sharedHere) {
        String node = outgoingRelays.relayTo(clientId);
        if (node == null) {
            return null;
        }
        Confirmations.Awaited awaited = message.qos() == 0 ? null : confirmations.expect(Set.of(node), message.topic());
        inbox(node).publish(Frames.encodeRelayed(awaited == null ? 0 : awaited.id(), self, clientId, orderKey,
                sharedHere, message));
        sent.increment(node);
        return awaited == null ? DONE : awaited.confirmed();
    }

    /** Forgets the QoS 2 messages kept to forward again for longer than their publishers can be expected to resend. */
    void expireRetries() {
        retries.expire();
        held.forgetAdoptionsOverBefore(System.nanoTime() - TimeUnit.MINUTES.toNanos(ForwardRetries.TTL_MINUTES));
    }

    /** {@code node} left: its inbox topic is forgotten. */
    void nodeLeft(String node) {
        inboxes.remove(node);
    }

    /** Messages sent to {@code node}. */
    long sentTo(String node) {
        return sent.of(node);
    }

    ITopic<byte[]> inbox(String node) {
        return inboxes.computeIfAbsent(node, n -> hazelcast.getTopic(INBOX_PREFIX + n));
    }

}
