package io.switchboard.core.internal.routing;

import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import io.switchboard.api.Message;
import io.switchboard.api.broker.ForwardingException;

/**
 * One message's fan-out on this node: the subscriptions it goes to, the message as routing got it and its publisher's
 * order key (what a hand-over compares and a relay carries, {@link Router#deliver}), and the relays of it to the nodes
 * that moving sessions go to. The message is accepted (acknowledged to its publisher, or confirmed to the node it came
 * from) only once those relays are confirmed, so a node dying during a move loses nothing acknowledged. One object
 * per message, the list of its targets; a relay allocates only when it happens.
 */
final class Fanout extends ArrayList<SubscriptionTree.Entry> {

    private static final long serialVersionUID = 1L;

    /** The message as routing got it (a local publish after its chain, another node's as it came), or null. */
    final transient Message routed;
    /** Its publisher's order key, or null when not known (a retained or {@code $SYS} message). */
    final transient String orderKey;
    /** What the relays so far wait for, or null: none. Written on the message's worker, read at its acceptance. */
    private transient volatile CompletionStage<Void> relays;

    Fanout(Message routed, String orderKey, int capacity) {
        super(capacity);
        this.routed = routed;
        this.orderKey = orderKey;
    }

    /** With room made at the first target only (a publish reaching no subscriber here allocates none). */
    Fanout(Message routed, String orderKey) {
        this.routed = routed;
        this.orderKey = orderKey;
    }

    /** A fan-out to one subscription, with nothing to compare or relay by. */
    static Fanout of(SubscriptionTree.Entry target) {
        Fanout fanout = new Fanout(null, null, 1);
        fanout.add(target);
        return fanout;
    }

    /** The message was relayed to a moving session's new node, which confirms it with {@code confirmed}. */
    void relayed(CompletionStage<Void> confirmed) {
        CompletionStage<Void> before = relays;
        relays = before == null ? confirmed : before.thenCombine(confirmed, (a, b) -> null);
    }

    /** Completes when every relay so far was confirmed, fails with the first failure; null when none happened. */
    CompletionStage<Void> relays() {
        return relays;
    }

    /**
     * {@code accepted} (or null: accepted already) and then the relays: null when nothing is to wait for. A failed
     * relay fails it with a plain {@link ForwardingException} (one that cannot forward again): forwarding the message
     * again to the nodes that missed it would not reach the moving session.
     */
    CompletionStage<Void> afterRelays(CompletionStage<Void> accepted) {
        CompletionStage<Void> r = relays;
        if (r == null) {
            return accepted;
        }
        CompletionStage<Void> relayed = r.exceptionally(error -> {
            throw new ForwardingException(unwrapped(error).getMessage());
        });
        if (accepted == null) {
            return relayed;
        }
        return relayed.thenCompose(v -> accepted);
    }

    /** Completes {@code handed} with {@code recipients} once the relays are confirmed, or fails it with their failure. */
    void completeAfterRelays(CompletableFuture<Integer> handed, int recipients) {
        CompletionStage<Void> r = relays;
        if (r == null) {
            handed.complete(recipients);
            return;
        }
        r.whenComplete((v, error) -> {
            if (error == null) {
                handed.complete(recipients);
            } else {
                handed.completeExceptionally(unwrapped(error));
            }
        });
    }

    static Throwable unwrapped(Throwable error) {
        return error instanceof CompletionException c && c.getCause() != null ? c.getCause() : error;
    }
}
