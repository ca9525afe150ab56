package io.switchboard.cluster.internal;

import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.topic.ITopic;
import io.switchboard.api.Message;
import io.switchboard.api.broker.Broker;
import io.switchboard.cluster.internal.forwarding.Acceptor;
import io.switchboard.cluster.internal.forwarding.ConfirmationFrames;
import io.switchboard.cluster.internal.forwarding.Confirmations;
import io.switchboard.cluster.internal.forwarding.Confirmer;
import io.switchboard.cluster.internal.forwarding.RecentlyAccepted;
import io.switchboard.cluster.internal.sessions.HeldMessages;
import io.switchboard.cluster.internal.sessions.IncomingRelays;
import io.switchboard.cluster.internal.sessions.MoveFlushes;
import io.switchboard.cluster.internal.sessions.OutgoingRelays;
import io.switchboard.cluster.internal.sessions.Relays;
import io.switchboard.store.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The messages between nodes: what this node sends goes through its {@link Outbox}; what the others send arrives
 * here, on this node's inbox topic. A routed message is handed to this node's broker with
 * {@link Broker#deliverForwarded}, which skips the message chain; at QoS 1 and 2 it is confirmed on the sending node's
 * topic ({@value #CONFIRMATIONS_PREFIX}name) once this node's store wrote it ({@link Acceptor}). What the routes of
 * nodes that left bring to this node, their adopter, is held ({@link HeldMessages}) before it is delivered here or
 * confirmed. A message relayed for a session moving here goes to {@link IncomingRelays}; one forwarded again (QoS 2,
 * {@code again}) only where it is new here; a move's marker to {@link MoveFlushes}.
 */
final class Forwarder {

    private static final Logger LOG = LoggerFactory.getLogger(Forwarder.class);

    /** Each node's topic for the confirmations of what it forwarded: this prefix and its name. */
    static final String CONFIRMATIONS_PREFIX = "switchboard.confirm.";
    /** Between a forwarded message's origin node and its publisher's order key, so publishers of two nodes never share one. */
    private static final char SEPARATOR = '\0';

    private final String self;
    private final HazelcastInstance hazelcast;
    private final HeldMessages held;
    private final IncomingRelays incomingRelays;
    private final OutgoingRelays outgoingRelays;
    private final MoveFlushes flushes;
    private final Broker broker;
    private final Confirmations confirmations;
    private final Confirmer confirmer;
    private final Acceptor acceptor;
    private final Outbox outbox;
    private final Counters received = new Counters();
    private final RecentlyAccepted recentlyAccepted = new RecentlyAccepted();

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
        this.held = held;
        this.incomingRelays = relays.incoming();
        this.outgoingRelays = relays.outgoing();
        this.flushes = relays.flushes();
        this.broker = broker;
        this.confirmations = confirmations;
        this.outbox = new Outbox(self, hazelcast, routes, held, incomingRelays, outgoingRelays, broker, confirmations,
                memberNames);
        this.confirmer = new Confirmer(self, confirmationThread, (origin, frame) -> confirmationsTopic(origin).publish(frame));
        this.acceptor = new Acceptor(broker, acceptingStore, confirmer);
    }

    /** From now on other nodes' messages and confirmations reach this node. */
    void listen() {
        outbox.inbox(self).addMessageListener(m -> receive(m.getMessageObject()));
        confirmationsTopic(self).addMessageListener(m -> confirmed(m.getMessageObject()));
    }

    private void receive(byte[] bytes) {
        Frames.Frame frame;
        try {
            if (Frames.isFlush(bytes)) {
                flushes.arrived(Frames.decodeFlush(bytes)); // behind what came before it from the same node
                return;
            }
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
        if (frame.resend() == Frames.Resend.CONFIRMED || frame.resend() == Frames.Resend.UNCONFIRMED
                && recentlyAccepted.contains(frame.origin(), frame.message().id())) {
            acceptedAgain(frame); // this node's sessions had it: its confirmation came too late or was lost
            return;
        }
        if (frame.correlation() != 0 && frame.message().qos() == 2) {
            recentlyAccepted.add(frame.origin(), frame.message().id());
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
     * A QoS 2 message forwarded again that this node had (it confirmed it, or remembers it): its plain subscriptions
     * have it; held for, or handed to, the sessions adopted here from the dead nodes the frame names ({@link HeldMessages#holdOrHand}) and
     * delivered to the shared subscriptions it names only, then confirmed.
     */
    private void acceptedAgain(Frames.Frame frame) {
        String orderKey = frame.origin() + SEPARATOR + frame.orderKey();
        CompletionStage<Void> handed = held.holdOrHand(frame.heldFor(), frame.message(), orderKey, frame.sharedHere());
        if (!frame.sharedHere().isEmpty()) {
            handed = handed.thenCombine(broker.deliverShared(frame.message(), orderKey, frame.sharedHere()),
                    (v, n) -> null);
        }
        acceptor.confirmWhenStored(frame.correlation(), frame.origin(), frame.message().topic(), handed);
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
            // relayed as routed on the node that relayed it: its own message's key names no node
            identity = IncomingRelays.Identity.routed(routedWith, frame.origin(), frame.message().id());
            orderKey = routedWith.indexOf(SEPARATOR) < 0 ? frame.origin() + SEPARATOR + routedWith : routedWith;
        }
        CompletionStage<Void> handed = incomingRelays.relayed(frame.session(), frame.message(), orderKey, identity,
                frame.sharedHere(), (clientId, m, shared) -> {
                    CompletionStage<Void> onward = frame.origin().equals(outgoingRelays.target(clientId)) ? null
                            : outbox.relay(clientId, m, routedWith, shared);
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
        outbox.nodeLeft(node);
        confirmations.nodeLeft(node);
    }

    /** What this node sends the others. */
    Outbox outbox() {
        return outbox;
    }

    /** Messages received from {@code node}. */
    long receivedFrom(String node) {
        return received.of(node);
    }

    private ITopic<byte[]> confirmationsTopic(String node) {
        return hazelcast.getTopic(CONFIRMATIONS_PREFIX + node);
    }
}
