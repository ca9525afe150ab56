package io.switchboard.cluster.internal.sessions;

import java.util.function.BiConsumer;

import io.switchboard.api.broker.Broker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The markers that end a session's move in each publisher's order (docs/cluster.md, "The order at the end of a move").
 * A member that routes to the node taking the session now puts a marker behind what it routed before (by a view
 * without those routes: {@link Broker#routedSoFar}) on the inbox of the node the session left. That node passes it on
 * to the taking node's inbox once it routed everything that came before the marker, so behind the relays of what of it
 * was for the session. The taking node counts the markers as its barrier's answers ({@link RouteBarrier}): once every
 * member's came, each message a member sent to the node the session left only has reached the session, and the
 * deliveries the taking node kept back ({@link IncomingRelays#release}) may follow: a publisher's message that went
 * the long way (relayed) is never overtaken by its next one, which came directly.
 */
public final class MoveFlushes {

    private static final Logger LOG = LoggerFactory.getLogger(MoveFlushes.class);

    /**
     * A marker of {@code member} for the move of the session of {@code clientId} to {@code taker}, answering its
     * question {@code request}; {@code passedOn}: by the node the session left, on its way to the taker.
     */
    public record Flush(long request, String member, String taker, String clientId, boolean passedOn) {
    }

    /** Sends a marker to a node's inbox, behind what this node sent there before. */
    public interface Channel {
        void send(String node, Flush flush);
    }

    private final Broker broker;
    private final Channel channel;
    private volatile BiConsumer<Long, String> answers = (request, member) -> {
    };

    public MoveFlushes(Broker broker, Channel channel) {
        this.broker = broker;
        this.channel = channel;
    }

    /** Where the markers that reach the taker go: its barrier's answers (request, member). */
    void answerTo(BiConsumer<Long, String> answers) {
        this.answers = answers;
    }

    /** This member routes to {@code flush.taker()} now: its marker goes to {@code via}, behind what it routed before. */
    void send(String via, Flush flush) {
        broker.routedSoFar().thenRun(() -> channel.send(via, flush)).exceptionally(e -> {
            LOG.warn("Client '{}': the end of its move to node '{}' not marked on node '{}': {}", flush.clientId(),
                    flush.taker(), via, e.toString());
            return null;
        });
    }

    /** A marker arrived on this node's inbox: passed on to the taker behind what came before it, or an answer. */
    public void arrived(Flush flush) {
        if (flush.passedOn()) {
            answers.accept(flush.request(), flush.member());
        } else {
            send(flush.taker(), new Flush(flush.request(), flush.member(), flush.taker(), flush.clientId(), true));
        }
    }
}
