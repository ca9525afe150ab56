package io.switchboard.cluster.internal.sessions;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.partition.Partition;
import com.hazelcast.query.Predicates;
import com.hazelcast.topic.ITopic;
import io.switchboard.api.broker.SessionHandover;
import io.switchboard.api.broker.SessionHolder;
import io.switchboard.cluster.internal.MemberNames;
import io.switchboard.store.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves persistent sessions between nodes. A login on this node claims its client id ({@link #claim}): this node
 * becomes the owner in {@link RecordKeys#OWNERS}; if another live node owned it, that node is asked to let go (on
 * its topic {@value #TOPIC_PREFIX}name: it closes the connection, takes the session out of its broker, writes its
 * last changes, answers) and this node reads the session's records from the cluster's map (one partition), writes
 * them to its local store and hands them to the front door ({@link SessionHolder#take}), which restores the session
 * for the login to resume. A dead owner is not asked. The claims and let-gos of one client id on one node run one
 * after another.
 *
 * <p>When a member leaves, the oldest member takes the sessions the leaver owned ({@link #memberLeft}): restored
 * offline here, their wills are published once (after their delay) and their expiry runs, until their clients log in
 * again anywhere. Each session taken from a node that left gets, once restored, what this node held for that node's
 * sessions meanwhile ({@link HeldMessages}); when all are taken, the adoption is over.
 */
final class SessionMoves implements SessionHandover {

    private static final Logger LOG = LoggerFactory.getLogger(SessionMoves.class);
    static final String TOPIC_PREFIX = "switchboard.sessions.";
    /** How long a claim waits for a live owner to let go; then the later login wins anyway. */
    private static final long LET_GO_TIMEOUT_SECONDS = 10;
    /** How often a claim waiting for a let-go looks whether the node it asked is still a member. */
    private static final long LET_GO_POLL_MILLIS = 50;
    /** How long the taking of a dead node's sessions waits for the cluster's partitions to be safe again. */
    private static final long SAFE_TIMEOUT_SECONDS = 30;
    /** How long a restored session's hand-over of held messages may take (each is queued on a worker). */
    private static final long HAND_OVER_TIMEOUT_SECONDS = 30;
    /** How long after the end of a move relayed messages are still told from direct ones (the last relays' way here). */
    private static final long RELAY_GRACE_SECONDS = 5;

    private final HazelcastInstance hazelcast;
    private final Ownership ownership;
    private final IMap<String, byte[]> records;
    private final StateStore local;
    private final Supplier<SessionHolder> holder;
    private final ExecutorService blocking;
    private final String nodeAttribute;
    private final KeyedSequence sequence = new KeyedSequence();
    private final AtomicLong requests = new AtomicLong();
    private final Map<Long, CompletableFuture<Void>> waiting = new ConcurrentHashMap<>();
    private final Map<String, ITopic<byte[]>> topics = new ConcurrentHashMap<>();
    private final AtomicLong movedIn = new AtomicLong();
    private final AtomicLong movedOut = new AtomicLong();
    private final AtomicLong adopted = new AtomicLong();
    private final HeldMessages held;
    private final Relays relays;
    private final RouteBarrier barrier;
    /** The nodes claims here ask to let go of a session now, with how many claims ask each. */
    private final Map<String, Integer> asking = new ConcurrentHashMap<>();
    /**
     * The left nodes whose sessions this node adopts now, each with the takings of sessions given back to it meanwhile
     * ({@link MoveMessages#ADOPT}) that the adoption's end has not waited for yet; changed in the map's compute calls.
     */
    private final Map<String, List<CompletableFuture<Void>>> lateAdoptions = new ConcurrentHashMap<>();
    /** Runs before a claim gives a session back to a node that died while asked (a test holds it there). */
    volatile Runnable beforeGiveBack = () -> { };
    private final ScheduledExecutorService timer;

    SessionMoves(HazelcastInstance hazelcast, Ownership ownership, IMap<String, byte[]> records, StateStore local,
            Supplier<SessionHolder> holder, ExecutorService blocking, ScheduledExecutorService timer, String nodeAttribute,
            HeldMessages held, Relays relays) {
        this.hazelcast = hazelcast;
        this.ownership = ownership;
        this.records = records;
        this.local = local;
        this.holder = holder;
        this.blocking = blocking;
        this.nodeAttribute = nodeAttribute;
        this.held = held;
        this.relays = relays;
        this.timer = timer;
        this.barrier = new RouteBarrier(ownership.self(), relays.routes(), this::memberNames,
                (node, bytes) -> topic(node).publish(bytes), timer, asking::containsKey, relays.flushes());
        topic(ownership.self()).addMessageListener(m -> receive(m.getMessageObject()));
    }

    // ---- a login here

    @Override
    public CompletionStage<Void> claim(String clientId) {
        if (ownership.holds(clientId)) {
            return CompletableFuture.completedFuture(null); // the common case: no network at all
        }
        return sequence.run(clientId, () -> CompletableFuture.runAsync(() -> claimNow(clientId), blocking));
    }

    private void claimNow(String clientId) {
        if (ownership.holds(clientId)) {
            return;
        }
        awaitAdoption(clientId);
        String previous = ownership.owners().put(clientId, ownership.self());
        if (previous == null || previous.equals(ownership.self())) {
            ownership.hold(clientId); // a new session (or one this node had and kept): nothing to fetch
            return;
        }
        if (memberNames().contains(previous)) {
            relays.incoming().expect(clientId); // what the owner relays from its let-go on waits for the restore here
            boolean ownerLeft = false;
            boolean taken = false;
            int records = 0;
            asking.merge(previous, 1, Integer::sum); // the adoption of its sessions ends only after this claim's give-back
            try {
                try {
                    ownerLeft = !askToLetGo(previous, clientId);
                    if (!ownerLeft) {
                        records = takeRecords(clientId, null);
                        taken = true;
                    }
                } finally {
                    relays.incoming().forget(clientId, taken); // what was relayed meanwhile, unless restored
                }
                if (ownerLeft) {
                    // it died while asked, before its death was noticed: its adopter takes the session with what it
                    // held for it (taking it from the records here would leave that behind)
                    beforeGiveBack.run();
                    handToAdopter(clientId, previous);
                }
            } finally {
                asking.computeIfPresent(previous, (node, claims) -> claims == 1 ? null : claims - 1);
            }
            if (ownerLeft) {
                claimNow(clientId); // then this claim moves it here from the adopter
            } else if (records > 0) {
                // then what routing delivered to the session meanwhile follows what was relayed to it, and the previous
                // owner stops relaying; what it relayed last arrives within the grace
                barrier.taken(previous, clientId, allAnswered -> {
                    relays.incoming().release(clientId, allAnswered);
                    schedule(() -> relays.incoming().closeWindow(clientId), RELAY_GRACE_SECONDS);
                });
            } else {
                // no session to relay to (not persistent): nothing to wait for
                relays.incoming().release(clientId, false);
                barrier.over(previous, clientId);
                relays.incoming().closeWindow(clientId);
            }
        } else {
            takeRecords(clientId, previous); // what this node held for the node that left is for it too
        }
    }

    /**
     * A session whose node left, claimed here while the oldest member adopts it: waits (up to
     * {@value #SAFE_TIMEOUT_SECONDS} s) until that member took it, with what it held for it meanwhile, so that the claim
     * moves it from there. Taking it from the records here would leave behind what the adopter held.
     */
    private void awaitAdoption(String clientId) {
        String owner = ownership.owners().get(clientId);
        if (owner == null || owner.equals(ownership.self()) || memberNames().contains(owner)
                || hazelcast.getCluster().getMembers().iterator().next().localMember()) {
            return; // a live owner lets go when asked; the adopter (this node) hands over what it held itself
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SAFE_TIMEOUT_SECONDS);
        while (owner.equals(ownership.owners().get(clientId))) {
            if (System.nanoTime() > deadline) {
                LOG.warn("Client '{}': node '{}', which left, still owns its session after {} s; it is taken here from its"
                        + " records", clientId, owner, SAFE_TIMEOUT_SECONDS);
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void ended(String clientId) {
        if (!ownership.holds(clientId)) {
            return;
        }
        sequence.run(clientId, () -> CompletableFuture.runAsync(() -> forgetEnded(clientId), blocking));
    }

    /**
     * A session ended here: the owner entry goes unless the front door holds the client id again. Let go first, then
     * look: a login starting meanwhile either is seen (and ownership stays) or finds it let go and claims again.
     */
    private void forgetEnded(String clientId) {
        SessionHolder front = holder.get();
        if (front != null && front.holds(clientId)) {
            return; // a new session (a clean start) or a login of it
        }
        ownership.letGo(clientId);
        if (front != null && front.holds(clientId)) {
            ownership.hold(clientId);
            return;
        }
        ownership.owners().remove(clientId, ownership.self());
    }

    /**
     * Asks {@code node} to let go of the session of {@code clientId} and waits for it, at most
     * {@value #LET_GO_TIMEOUT_SECONDS} s (then the session is taken anyway); false if {@code node} left meanwhile.
     */
    private boolean askToLetGo(String node, String clientId) {
        long request = requests.incrementAndGet();
        CompletableFuture<Void> released = new CompletableFuture<>();
        waiting.put(request, released);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LET_GO_TIMEOUT_SECONDS);
        try {
            topic(node).publish(MoveMessages.encode(new MoveMessages.Move(MoveMessages.LET_GO, request, clientId,
                    ownership.self())));
            while (true) {
                try {
                    released.get(LET_GO_POLL_MILLIS, TimeUnit.MILLISECONDS);
                    return true;
                } catch (TimeoutException e) {
                    if (!memberNames().contains(node)) {
                        LOG.info("Node '{}' left while asked to let go of the session of client '{}'", node, clientId);
                        return false;
                    }
                    if (System.nanoTime() - deadline > 0) {
                        LOG.warn("Node '{}' did not let go of the session of client '{}' within {} s; it is taken here"
                                + " anyway", node, clientId, LET_GO_TIMEOUT_SECONDS);
                        return true;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("Node '{}' did not let go of the session of client '{}': {}", node, clientId, e.toString());
        } finally {
            waiting.remove(request);
        }
        return true;
    }

    /**
     * Gives the session of {@code clientId} back to {@code left}, which died while asked to let go of it, and has the
     * adopter of that node's sessions (the oldest member) take it: at once if that is this node, else by a message, in
     * case its search for the node's sessions ran before the give-back.
     */
    private void handToAdopter(String clientId, String left) {
        if (!ownership.owners().replace(clientId, ownership.self(), left)) {
            return; // claimed by another node meanwhile: the claim starts over from there
        }
        Member oldest = hazelcast.getCluster().getMembers().iterator().next();
        if (oldest.localMember()) {
            adopt(clientId, left);
            adoptedLate(left, CompletableFuture.completedFuture(null)); // its routes are waited for too
        } else {
            topic(oldest.getAttribute(nodeAttribute)).publish(MoveMessages.encode(new MoveMessages.Move(MoveMessages.ADOPT,
                    0, clientId, left)));
        }
    }

    /**
     * The session's records from the cluster: into the local store (for a restart) and to the front door; then, for a
     * session of {@code leftNode} (a node that left; {@code null}: a live one let go), what was held for that node.
     * Returns how many records there were.
     */
    private int takeRecords(String clientId, String leftNode) {
        Map<String, SortedMap<String, byte[]>> found = new TreeMap<>();
        int count = 0;
        for (Map.Entry<String, byte[]> e : records.entrySet(Predicates.partitionPredicate(clientId, Predicates.alwaysTrue()))) {
            String key = RecordKeys.recordKey(e.getKey());
            if (RecordKeys.clientId(key).equals(clientId)) {
                found.computeIfAbsent(RecordKeys.space(e.getKey()), s -> new TreeMap<>()).put(key, e.getValue());
                count++;
            }
        }
        forgetLocally(clientId); // what this node kept of an earlier stay is stale
        found.forEach((space, byKey) -> byKey.forEach((key, value) -> local.put(space, key, value)));
        ownership.hold(clientId);
        SessionHolder front = holder.get();
        long lostAt = System.currentTimeMillis();
        if (leftNode == null) {
            relays.incoming().restoreAndHandOver(clientId, () -> {
                if (front != null && !found.isEmpty()) {
                    front.take(clientId, found, lostAt);
                }
            });
        } else if (front != null && count > 0) {
            takeWithHeld(leftNode, clientId, () -> front.take(clientId, found, lostAt));
        }
        movedIn.incrementAndGet();
        LOG.info("Session of client '{}' taken by node '{}' ({} records)", clientId, ownership.self(), count);
        return count;
    }

    /**
     * Restores the session of {@code clientId} with {@code take} and waits until it was handed what this node held for
     * {@code leftNode}.
     */
    private void takeWithHeld(String leftNode, String clientId, Runnable take) {
        try {
            int handed = held.restoreAndHandOver(leftNode, clientId, take).toCompletableFuture()
                    .get(HAND_OVER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (handed > 0) {
                LOG.info("Client '{}': {} message(s) published while node '{}' was gone handed to its session", clientId,
                        handed, leftNode);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.error("Client '{}': the messages held while node '{}' was gone were not all handed to its session: {}",
                    clientId, leftNode, e.toString());
        }
    }

    private void forgetLocally(String clientId) {
        for (String space : RecordKeys.SPACES) {
            local.delete(space, clientId);
            local.deletePrefix(space, RecordKeys.prefixOf(clientId));
        }
    }

    private void schedule(Runnable task, long seconds) {
        try {
            timer.schedule(task, seconds, TimeUnit.SECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("Not scheduled: the cluster is stopping");
        }
    }

    // ---- another node's claim

    private void receive(byte[] bytes) {
        MoveMessages.Move move;
        try {
            move = MoveMessages.decode(bytes);
        } catch (IllegalArgumentException e) {
            LOG.warn("Dropped a session message: {}", e.getMessage());
            return;
        }
        switch (move.kind()) {
            case MoveMessages.RELEASED -> {
                CompletableFuture<Void> released = waiting.get(move.request());
                if (released != null) {
                    released.complete(null);
                }
            }
            case MoveMessages.SEE_ROUTES, MoveMessages.SEE_ADOPTED_ROUTES -> barrier.asked(move);
            case MoveMessages.ROUTES_SEEN -> barrier.answered(move.request(), move.from());
            case MoveMessages.MOVE_OVER -> relays.outgoing().over(move.clientId(), move.from());
            case MoveMessages.ADOPT -> adoptGivenBack(move.clientId(), move.from());
            default -> letGo(move);
        }
    }

    /** {@code move.from()} claims a session this node holds: let go of it, relaying to that node what comes for it. */
    private void letGo(MoveMessages.Move move) {
        String clientId = move.clientId();
        relays.outgoing().start(clientId, move.from()); // before the release, which asks whether to relay
        sequence.run(clientId, () -> {
            SessionHolder front = holder.get();
            return front == null ? CompletableFuture.completedFuture(null)
                    : front.letGo(clientId, "session taken over on node " + move.from());
        }).whenComplete((v, error) -> {
            if (error != null) {
                LOG.warn("Client '{}': letting go of its session for node '{}' failed: {}", clientId, move.from(), error.toString());
            }
            ownership.letGo(clientId); // from now on nothing of it is copied from here
            forgetLocally(clientId);
            movedOut.incrementAndGet();
            topic(move.from()).publish(MoveMessages.encode(new MoveMessages.Move(MoveMessages.RELEASED, move.request(),
                    clientId, ownership.self())));
        });
    }

    // ---- a member left

    /**
     * On the member adopting {@code node}'s sessions (the oldest), when {@code node} left: takes each session it owned;
     * {@code over} runs once every one is taken (or could not be) and every member routes here for them.
     */
    void memberLeft(String node, Runnable over) {
        lateAdoptions.put(node, new ArrayList<>());
        blocking.execute(() -> {
            Set<String> orphans;
            try {
                orphans = orphansOf(node);
            } catch (RuntimeException e) {
                LOG.error("The sessions of node '{}', which left, were not taken: {}", node, e.toString());
                lateAdoptions.remove(node);
                over.run();
                return;
            }
            if (!orphans.isEmpty()) {
                LOG.info("Node '{}' left owning {} session(s): node '{}' takes them", node, orphans.size(), ownership.self());
            }
            List<CompletableFuture<Void>> taken = new ArrayList<>();
            for (String clientId : orphans) {
                taken.add(sequence.run(clientId, () -> CompletableFuture.runAsync(() -> adopt(clientId, node), blocking))
                        .whenComplete((v, e) -> {
                            if (e != null) {
                                LOG.error("The session of client '{}' (node '{}' left) was not taken: {}", clientId, node,
                                        e.toString());
                            }
                        }).toCompletableFuture());
            }
            // the left node's routes lead here until every member has the routes of the sessions taken, and no claim
            // of one of its sessions is still on its way back to it
            CompletableFuture.allOf(taken.toArray(CompletableFuture[]::new))
                    .whenComplete((v, e) -> barrier.adopted(node, () -> afterLateAdoptions(node, over)));
        });
    }

    /**
     * A session given back to {@code leftNode} by a claim that asked it to let go when it died: taken here with what
     * was held for that node; the adoption, if still on, ends only once it is.
     */
    private void adoptGivenBack(String clientId, String leftNode) {
        CompletableFuture<Void> taking = sequence.run(clientId,
                () -> CompletableFuture.runAsync(() -> adopt(clientId, leftNode), blocking)).toCompletableFuture();
        if (!adoptedLate(leftNode, taking)) {
            LOG.warn("Client '{}': its session was given back to node '{}' after the adoption of that node's sessions"
                    + " ended; taken from its records without what was held for it", clientId, leftNode);
        }
    }

    /** The adoption of {@code leftNode}, if still on, waits for {@code taking} too; false if it is over. */
    private boolean adoptedLate(String leftNode, CompletableFuture<Void> taking) {
        return lateAdoptions.computeIfPresent(leftNode, (node, late) -> {
            late.add(taking);
            return late;
        }) != null;
    }

    /**
     * The adoption of {@code leftNode} is over once the sessions given back to it meanwhile are taken and every member
     * routes here for them too; then {@code over} runs.
     */
    private void afterLateAdoptions(String leftNode, Runnable over) {
        List<CompletableFuture<Void>> late = new ArrayList<>();
        lateAdoptions.computeIfPresent(leftNode, (node, pending) -> {
            late.addAll(pending);
            return pending.isEmpty() ? null : new ArrayList<>();
        });
        if (late.isEmpty()) {
            over.run();
            return;
        }
        CompletableFuture.allOf(late.toArray(CompletableFuture[]::new))
                .whenComplete((v, e) -> barrier.adopted(leftNode, () -> afterLateAdoptions(leftNode, over)));
    }

    /**
     * The client ids {@code node} owned, once the partitions it owned have been handed to their backups (a query
     * before that may miss them).
     */
    private Set<String> orphansOf(String node) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SAFE_TIMEOUT_SECONDS);
        while (!partitionsPromoted() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return new TreeSet<>(ownership.owners().keySet(Predicates.equal("this", node)));
    }

    /**
     * Every partition has a member as its owner and none migrates. "Cluster safe" alone is not enough: right after the
     * member-left event it may still be true because the promotion of the dead member's partitions has not begun, and
     * a query then misses what those partitions hold (SessionMovesTest lost one of two sessions so).
     */
    private boolean partitionsPromoted() {
        Set<Member> members = hazelcast.getCluster().getMembers();
        for (Partition partition : hazelcast.getPartitionService().getPartitions()) {
            Member owner = partition.getOwner();
            if (owner == null || !members.contains(owner)) {
                return false;
            }
        }
        return hazelcast.getPartitionService().isClusterSafe();
    }

    private void adopt(String clientId, String deadNode) {
        // only if still the dead node's: a client that logged in elsewhere meanwhile keeps its session there
        if (ownership.owners().replace(clientId, deadNode, ownership.self())) {
            takeRecords(clientId, deadNode);
            adopted.incrementAndGet();
        }
    }

    // ---- views

    /** Sessions moved here, moved away, taken from nodes that left. */
    long[] counts() {
        return new long[] {movedIn.get(), movedOut.get(), adopted.get()};
    }

    private ITopic<byte[]> topic(String node) {
        return topics.computeIfAbsent(node, n -> hazelcast.getTopic(TOPIC_PREFIX + n));
    }

    private Set<String> memberNames() {
        return MemberNames.of(hazelcast, nodeAttribute);
    }
}
