package io.switchboard.cluster.internal.forwarding;

import java.util.Set;
import java.util.concurrent.CompletionStage;

import io.switchboard.api.Message;
import io.switchboard.api.broker.Broker;
import io.switchboard.store.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a message another node forwarded and asks for confirmation: hands it to this node's sessions, waits until
 * this node's store wrote what that queued for its persistent sessions (as a local publish's PUBACK waits), then
 * confirms it to the node it came from. A failure (the store could not write) is confirmed as refused, so the
 * publisher is not acknowledged.
 */
public final class Acceptor {

    private static final Logger LOG = LoggerFactory.getLogger(Acceptor.class);

    private final Broker broker;
    private final StateStore store;
    private final Confirmer confirmer;

    public Acceptor(Broker broker, StateStore store, Confirmer confirmer) {
        this.broker = broker;
        this.store = store;
        this.confirmer = confirmer;
    }

    /**
     * Returns at once; the confirmation follows on the broker's or the store's thread. {@code relayedAlready}: sessions
     * that have the message already (relayed to them), which do not get it again.
     */
    public void accept(long correlation, String origin, Message message, String orderKey, Set<String> sharedHere,
            Set<String> relayedAlready) {
        confirmWhenStored(correlation, origin, message.topic(),
                broker.acceptForwarded(message, orderKey, sharedHere, relayedAlready));
    }

    /**
     * Confirms a message {@code origin} sent with {@code correlation} once {@code handed} completed (it was handed to
     * the sessions here) and the store wrote what that queued; refuses it when either failed.
     */
    public void confirmWhenStored(long correlation, String origin, String topic, CompletionStage<?> handed) {
        handed.thenCompose(recipients -> store.written())
                .whenComplete((v, error) -> {
                    if (error != null) {
                        LOG.warn("Message from node '{}' to '{}' not accepted: {}", origin, topic, error.toString());
                    }
                    confirmer.confirm(origin, correlation, error == null);
                });
    }
}
