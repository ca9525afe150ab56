package io.switchboard.cluster.internal;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.topic.ITopic;
import io.switchboard.api.Message;
import io.switchboard.api.broker.Broker;
import io.switchboard.api.broker.Forwarding;
import io.switchboard.api.broker.ForwardingException;
import io.switchboard.cluster.internal.forwarding.Acceptor;
import io.switchboard.cluster.internal.forwarding.ConfirmationFrames;
import io.switchboard.cluster.internal.forwarding.Confirmations;
import io.switchboard.cluster.internal.forwarding.Confirmer;
import io.switchboard.cluster.internal.sessions.HeldMessages;
import io.switchboard.cluster.internal.sessions.IncomingRelays;
import io.switchboard.cluster.internal.sessions.OutgoingRelays;
import io.switchboard.cluster.internal.sessions.Relays;
import io.switchboard.store.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The messages between nodes. A message this node's chain passed goes, as one send per node, to the nodes whose
 * filters match its topic (a retained message to every node) and, for each matching shared subscription, to the one
 * node whose turn it is to serve the group, on each target node's own topic ({@value #INBOX_PREFIX}name; a Hazelcast
 * {@link ITopic} delivers one member's messages in the order it sent them). The target hands it to its broker with
 * {@link Broker#deliverForwarded}, which skips the message chain. At QoS 1 and 2 the target confirms it on this
 * node's topic ({@value #CONFIRMATIONS_PREFIX}name) once its store wrote it ({@link Acceptor}), and the publisher's
 * acknowledgement waits for every target's confirmation ({@link Confirmations}).
 *
 * <p>What the routes of nodes that left bring to this node, their adopter, is held ({@link HeldMessages}) before it
 * is delivered here or confirmed.
 *
 * <p>A session moving from this node to another one gets what its subscriptions here still match relayed there, in a
 * frame naming it ({@link #relay}); what is relayed here goes to {@link IncomingRelays}.
 */
final class Forwarder {

    private static final Logger LOG = LoggerFactory.getLogger(Forwarder.class);

    /** Each node's inbox topic: this prefix and its name. */
    static final String INBOX_PREFIX = "switchboard.node.";
    /** Each node's topic for the confirmations of what it forwarded: this prefix and its name. */
    static final String CONFIRMATIONS_PREFIX = "switchboard.confirm.";
    /** Between a forwarded message's origin node and its publisher's order key, so publishers of two nodes never share one. */
    private static final char SEPARATOR = '\0';

    private final String self;
    private final HazelcastInstance hazelcast;
    private final ClusterRoutes routes;
    private final HeldMessages held;
    private final IncomingRelays incomingRelays;
    private final OutgoingRelays outgoingRelays;
    private final Broker broker;
    private final Confirmations confirmations;
    private final Confirmer confirmer;
    private final Acceptor acceptor;
    private final Supplier<Set<String>> memberNames;
    private final Counters sent = new Counters();
    private final Counters received = new Counters();
    private final Map<String, ITopic<byte[]>> inboxes = new ConcurrentHashMap<>();

    /**
     * @param acceptingStore the store the front door writes (a forwarded QoS 1/2 message is confirmed once it wrote it)
     * @param confirmationThread sends confirmations, off the broker's workers and Hazelcast's threads
     * @param memberNames the names of the current members, this node's included
     */
    Forwarder(String self, HazelcastInstance hazelcast, ClusterRoutes routes, HeldMessages held, Relays relays,
            Broker broker, StateStore acceptingStore, Confirmations confirmations,
            ScheduledExecutorService confirmationThread, Supplier<Set<String>> memberNames) {
        this.self = self;
        this.hazelcast = hazelcast;
        this.routes = routes;
        this.held = held;
        this.incomingRelays = relays.incoming();
        this.outgoingRelays = relays.outgoing();
        this.broker = broker;
        this.confirmations = confirmations;
        this.memberNames = memberNames;
        this.confirmer = new Confirmer(self, confirmationThread, (origin, frame) -> confirmationsTopic(origin).publish(frame));
        this.acceptor = new Acceptor(broker, acceptingStore, confirmer);
    }

    /** From now on other nodes' messages and confirmations reach this node. */
    void listen() {
        inbox(self).addMessageListener(m -> receive(m.getMessageObject()));
        confirmationsTopic(self).addMessageListener(m -> confirmed(m.getMessageObject()));
    }

    /**
     * Sends the message to the nodes that need it (on a broker worker: must not block); at QoS 1 and 2 they confirm it
     * once stored, and the returned stage (the publisher's acknowledgement) waits for that.
     */
    Forwarding forward(Message message, String orderKey) {
        incomingRelays.arrived(self, message.id()); // delivered here next: a relay of it back here is a duplicate
        OrphanRoutes.Resolved match = routes.match(message.topic());
        Map<String, Set<String>> sharedByNode = match.sharedServedBy().isEmpty() ? Map.of() : new HashMap<>();
        Set<String> sharedElsewhere = match.sharedServedBy().isEmpty() ? Set.of() : new HashSet<>();
        match.sharedServedBy().forEach((filter, node) -> {
            if (!node.equals(self)) {
                sharedElsewhere.add(filter);
                sharedByNode.computeIfAbsent(node, n -> new HashSet<>()).add(filter);
            }
        });
        Set<String> targets = message.retain() ? memberNames.get() : new HashSet<>(match.nodes());
        targets.addAll(sharedByNode.keySet());
        targets.remove(self);
        String key = orderKey == null ? "" : orderKey;
        Set<String> heldHere = match.heldFor().get(self);
        // before this node's own deliveries, which follow the return
        if (heldHere != null && !held.hold(heldHere, message, key, sharedServedHere(match.sharedServedBy()))
                && message.qos() > 0) {
            return new Forwarding(sharedElsewhere, CompletableFuture.failedFuture(new ForwardingException(
                    "not held for the sessions this node adopts: " + HeldMessages.LIMIT + " messages are held already")));
        }
        Confirmations.Awaited awaited = message.qos() == 0 || targets.isEmpty() ? null
                : confirmations.expect(targets, message.topic());
        long correlation = awaited == null ? 0 : awaited.id();
        byte[] plainFrame = null; // the frame of every node that serves no shared subscription and holds nothing
        for (String node : targets) {
            Set<String> shared = sharedByNode.getOrDefault(node, Set.of());
            Set<String> heldThere = match.heldFor().getOrDefault(node, Set.of());
            byte[] frame;
            if (shared.isEmpty() && heldThere.isEmpty()) {
                if (plainFrame == null) {
                    plainFrame = Frames.encode(correlation, self, key, shared, heldThere, message);
                }
                frame = plainFrame;
            } else {
                frame = Frames.encode(correlation, self, key, shared, heldThere, message);
            }
            inbox(node).publish(frame); // Hazelcast queues it on the member's connection; QoS 1/2: confirmed later
            sent.increment(node);
        }
        return awaited == null ? Forwarding.unconfirmed(sharedElsewhere) : new Forwarding(sharedElsewhere, awaited.confirmed());
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
        return awaited == null ? CompletableFuture.completedStage(null) : awaited.confirmed();
    }

    private Set<String> sharedServedHere(Map<String, String> sharedServedBy) {
        Set<String> here = new HashSet<>();
        sharedServedBy.forEach((filter, node) -> {
            if (node.equals(self)) {
                here.add(filter);
            }
        });
        return here;
    }

    private void receive(byte[] bytes) {
        Frames.Frame frame;
        try {
            frame = Frames.decode(bytes);
        } catch (IllegalArgumentException e) {
            LOG.warn("Dropped a forwarded message this node cannot read: {}", e.getMessage());
            return;
        }
        received.increment(frame.origin());
        if (!frame.session().isEmpty()) {
            relayed(frame);
            return;
        }
        // before its delivery: see IncomingRelays; the sessions it was relayed to already do not get it again
        Set<String> relayedAlready = incomingRelays.arrived(frame.origin(), frame.message().id());
        String orderKey = frame.origin() + SEPARATOR + frame.orderKey();
        // before the delivery here and the confirmation; one the hold cannot take is refused (its publisher sends again)
        if (!frame.heldFor().isEmpty() && !held.hold(frame.heldFor(), frame.message(), orderKey, frame.sharedHere())
                && frame.correlation() != 0) {
            LOG.warn("Message from node '{}' to '{}' refused: {} messages are held for adopted sessions already",
                    frame.origin(), frame.message().topic(), HeldMessages.LIMIT);
            confirmer.confirm(frame.origin(), frame.correlation(), false);
            return;
        }
        if (frame.correlation() != 0) {
            acceptor.accept(frame.correlation(), frame.origin(), frame.message(), orderKey, frame.sharedHere(),
                    relayedAlready);
        } else if (relayedAlready.isEmpty()) {
            broker.deliverForwarded(frame.message(), orderKey, frame.sharedHere());
        } else {
            broker.acceptForwarded(frame.message(), orderKey, frame.sharedHere(), relayedAlready);
        }
    }

    /**
     * A message relayed for a session moving here, with the identity it came with to the node that relayed it (the
     * node it entered and that node's id, as a direct frame from there names it): held or handed to the session on
     * the worker of its publisher's key, as its direct copies are; one for a session that moved on from here goes on,
     * never back to its sender. At QoS 1 and 2 confirmed to the node that relayed it once the session has it (or went
     * on with it and had it confirmed there) and the store wrote it; refused when it could not be held.
     */
    private void relayed(Frames.Frame frame) {
        String routedWith = frame.orderKey();
        IncomingRelays.Identity identity = null;
        // the key its direct copies get here (the same worker: a publisher's order holds across both ways)
        String orderKey;
        if (routedWith.isEmpty()) {
            orderKey = frame.origin() + SEPARATOR + frame.session();
        } else {
            int separator = routedWith.indexOf(SEPARATOR); // another node's message: "node \0 publisher"
            identity = new IncomingRelays.Identity(separator < 0 ? frame.origin() : routedWith.substring(0, separator),
                    frame.message().id());
            orderKey = separator < 0 ? frame.origin() + SEPARATOR + routedWith : routedWith;
        }
        CompletionStage<Void> handed = incomingRelays.relayed(frame.session(), frame.message(), orderKey, identity,
                frame.sharedHere(), (clientId, m, shared) -> {
                    CompletionStage<Void> onward = frame.origin().equals(outgoingRelays.target(clientId)) ? null
                            : relay(clientId, m, routedWith, shared);
                    if (onward == null) {
                        LOG.debug("Message to '{}' relayed for client '{}', which is not here, dropped", m.topic(), clientId);
                    }
                    return onward;
                });
        if (frame.correlation() != 0) {
            acceptor.confirmWhenStored(frame.correlation(), frame.origin(), frame.message().topic(), handed);
        }
    }

    private void confirmed(byte[] bytes) {
        ConfirmationFrames.Confirmation confirmation;
        try {
            confirmation = ConfirmationFrames.decode(bytes);
        } catch (IllegalArgumentException e) {
            LOG.warn("Dropped a confirmation this node cannot read: {}", e.getMessage());
            return;
        }
        confirmations.confirmed(confirmation.node(), confirmation.ids(), confirmation.accepted());
    }

    /** {@code node} left: what it did not confirm yet fails, and its inbox topic is forgotten. */
    void nodeLeft(String node) {
        inboxes.remove(node);
        confirmations.nodeLeft(node);
    }

    /** Messages sent to {@code node}. */
    long sentTo(String node) {
        return sent.of(node);
    }

    /** Messages received from {@code node}. */
    long receivedFrom(String node) {
        return received.of(node);
    }

    private ITopic<byte[]> inbox(String node) {
        return inboxes.computeIfAbsent(node, n -> hazelcast.getTopic(INBOX_PREFIX + n));
    }

    private ITopic<byte[]> confirmationsTopic(String node) {
        return hazelcast.getTopic(CONFIRMATIONS_PREFIX + node);
    }
}
