package io.switchboard.cluster.internal.sessions;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of a session's move between live nodes: the node that took the session asks every member to say when its
 * routing view holds the taker's routes; each answers with a marker through the node the session left, behind what it
 * sent there ({@link MoveFlushes}); then the taker tells that node to stop relaying ({@link OutgoingRelays}). The end
 * of an adoption waits the same way (answered directly) before the left node's routes go. Waits
 * poll on one timer thread, every {@value #POLL_MILLIS} ms, at most {@value #TIMEOUT_SECONDS} s, so a burst of moves
 * holds no thread.
 */
final class RouteBarrier {

    private static final Logger LOG = LoggerFactory.getLogger(RouteBarrier.class);
    private static final long POLL_MILLIS = 5;
    /** How long the node that took a session waits for the members (and each member for the routes) at most. */
    static final long TIMEOUT_SECONDS = 10;

    private final String self;
    private final RouteView routes;
    private final Supplier<Set<String>> memberNames;
    private final BiConsumer<String, byte[]> publish;
    private final ScheduledExecutorService timer;
    private final MoveFlushes flushes;
    /** Whether a claim on this node asks a given node to let go of a session now. */
    private final Predicate<String> asking;
    private final AtomicLong requests = new AtomicLong();
    /** The members that answered each of this node's questions. */
    private final Map<Long, Set<String>> answers = new ConcurrentHashMap<>();

    /**
     * @param memberNames the names of the current members, this node's included
     * @param publish sends a move message to a node's topic
     * @param asking whether a claim on this node asks a given node to let go of a session now
     */
    RouteBarrier(String self, RouteView routes, Supplier<Set<String>> memberNames, BiConsumer<String, byte[]> publish,
            ScheduledExecutorService timer, Predicate<String> asking, MoveFlushes flushes) {
        this.self = self;
        this.routes = routes;
        this.memberNames = memberNames;
        this.publish = publish;
        this.timer = timer;
        this.asking = asking;
        this.flushes = flushes;
        flushes.answerTo(this::answered);
    }

    /**
     * This node took the session of {@code clientId} from {@code previous}: once every member, this one too, routes
     * here and its marker came through {@code previous} (or {@code previous} left), {@code over} hears whether all
     * did, then {@code previous} stops relaying.
     */
    void taken(String previous, String clientId, Consumer<Boolean> over) {
        seen(MoveMessages.SEE_ROUTES, "client '" + clientId + "'", clientId, previous,
                "node '" + previous + "' stops relaying anyway", allAnswered -> {
                    over.accept(allAnswered);
                    over(previous, clientId);
                });
    }

    /**
     * This node adopted the sessions of {@code leftNode}: once every member routes here for their filters, {@code then}
     * runs (and removes the left node's routes, which lead here meanwhile, so no member is ever without a route). Not
     * before any member, this one included, has no claim asking {@code leftNode} to let go: a claim that saw it die
     * gives the session back to it and has this node take it ({@link MoveMessages#ADOPT}) first.
     */
    void adopted(String leftNode, Runnable then) {
        seen(MoveMessages.SEE_ADOPTED_ROUTES, "the adoption of node '" + leftNode + "'", leftNode, "",
                "its routes are removed anyway", allAnswered -> then.run());
    }

    /**
     * Asks every other member to say when its view holds this node's routes ({@code kind}:
     * {@link MoveMessages#SEE_ROUTES} or {@link MoveMessages#SEE_ADOPTED_ROUTES}); {@code via} (not empty): the answers
     * are markers through that node, and this node sends its own. {@code then} hears true once all answered (or
     * {@code via} left: nothing comes through it any more), false after {@value #TIMEOUT_SECONDS} s (logged:
     * {@code what}, and what happens {@code anyway}).
     */
    private void seen(int kind, String what, String clientId, String via, String anyway, Consumer<Boolean> then) {
        long request = requests.incrementAndGet();
        Set<String> answered = ConcurrentHashMap.newKeySet();
        answers.put(request, answered);
        Set<String> asked = new TreeSet<>(memberNames.get());
        asked.remove(self);
        byte[] question = MoveMessages.encode(new MoveMessages.Move(kind, request, clientId, self, via,
                List.copyOf(routes.ownFilters())));
        asked.forEach(node -> publish.accept(node, question));
        if (!via.isEmpty()) {
            asked.add(self); // what this node sent the node the session left before the restore, too
            flushes.send(via, new MoveFlushes.Flush(request, self, self, clientId, false));
        }
        poll(() -> {
            Set<String> members = memberNames.get();
            asked.retainAll(members); // a member that left answers nothing
            return answered.containsAll(asked) && !claimsAsk(kind, clientId) || !via.isEmpty() && !members.contains(via);
        }, allAnswered -> {
            answers.remove(request);
            if (!allAnswered) {
                asked.removeAll(answered);
                LOG.warn("{}: members {} did not confirm within {} s that they route to node '{}'; {}", what, asked,
                        TIMEOUT_SECONDS, self, anyway);
            }
            then.accept(allAnswered);
        });
    }

    /** Tells {@code previous} that the move of the session of {@code clientId} here is over: it stops relaying. */
    void over(String previous, String clientId) {
        if (memberNames.get().contains(previous)) {
            publish.accept(previous, MoveMessages.encode(new MoveMessages.Move(MoveMessages.MOVE_OVER, 0, clientId, self)));
        }
    }

    /**
     * Another node's question: answered once this node routes to it for each of its filters (or at the timeout); the
     * answer to a move's question is a marker through the node the session left.
     */
    void asked(MoveMessages.Move question) {
        poll(() -> routes.sees(question.from(), question.filters()) && !claimsAsk(question.kind(), question.clientId()),
                seen -> {
                    if (question.via().isEmpty()) {
                        publish.accept(question.from(), MoveMessages.encode(new MoveMessages.Move(
                                MoveMessages.ROUTES_SEEN, question.request(), question.clientId(), self)));
                    } else {
                        flushes.send(question.via(), new MoveFlushes.Flush(question.request(), self, question.from(),
                                question.clientId(), false));
                    }
                });
    }

    /** At the end of an adoption of {@code leftNode}: whether a claim here still asks it to let go. */
    private boolean claimsAsk(int kind, String leftNode) {
        return kind == MoveMessages.SEE_ADOPTED_ROUTES && asking.test(leftNode);
    }

    /** {@code node} answered this node's question {@code request}. */
    void answered(long request, String node) {
        Set<String> answered = answers.get(request);
        if (answered != null) {
            answered.add(node);
        }
    }

    /** Checks {@code done} now and every {@value #POLL_MILLIS} ms until it holds or the time is up; {@code then} hears which. */
    private void poll(BooleanSupplier done, Consumer<Boolean> then) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        Runnable check = new Runnable() {
            @Override
            public void run() {
                boolean holds = done.getAsBoolean();
                if (holds || System.nanoTime() - deadline > 0) {
                    then.accept(holds);
                } else {
                    timer.schedule(this, POLL_MILLIS, TimeUnit.MILLISECONDS);
                }
            }
        };
        try {
            timer.execute(check);
        } catch (RejectedExecutionException e) {
            LOG.debug("Move message not answered: the cluster is stopping");
        }
    }
}
