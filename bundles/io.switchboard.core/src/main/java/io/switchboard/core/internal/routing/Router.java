package io.switchboard.core.internal.routing;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntConsumer;

import io.switchboard.api.Decision;
import io.switchboard.api.Message;
import io.switchboard.api.MessageStatus;
import io.switchboard.api.ReasonCode;
import io.switchboard.api.Verdict;
import io.switchboard.api.admin.ChainEvent;
import io.switchboard.api.broker.ClusterPeer;
import io.switchboard.api.broker.Forwarding;
import io.switchboard.api.broker.PublishResult;
import io.switchboard.core.internal.chain.ChainRun;
import io.switchboard.core.internal.chain.ChainRunner;
import io.switchboard.core.internal.chain.DecisionImpl;
import io.switchboard.core.internal.chain.ObservationRun;
import io.switchboard.core.internal.modules.Chains;
import io.switchboard.core.internal.modules.ModuleEntry;
import io.switchboard.core.internal.modules.ModuleRegistry;
import io.switchboard.core.internal.sessions.SessionImpl;
import io.switchboard.core.internal.status.StatusBus;
import io.switchboard.core.internal.workers.CoreContext;
import io.switchboard.core.internal.workers.WorkerThread;
import io.switchboard.store.StateStore;
import org.osgi.framework.Bundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes messages: runs each published or module-sent message through its chains, retains it if flagged,
 * matches it against the subscription tree and delivers it through the delivery chain; keeps the retained
 * messages and counts the traffic. The subscriptions change through {@link SubscriptionSteps}.
 */
public final class Router {

    private static final Logger LOG = LoggerFactory.getLogger(Router.class);

    /** The sender of the broker's {@code $SYS} status messages. */
    public static final String SYSTEM_SENDER = "$SYS";
    /** Why a client's publish to a {@code $SYS} topic is refused. */
    static final String SYSTEM_TOPIC_REFUSED = "$SYS topics belong to the broker: clients cannot publish to them";

    /** What the router counted since it started, for the broker's stats. */
    public record Counts(long published, long routed, long consumed, long deliveries, long delivered, long failed, long expired,
            long inFlight) {
    }

    private final ModuleRegistry registry;
    private final ChainRunner runner;
    private final StatusBus statuses;
    private final MessageIds messageIds;
    private final ModuleSends moduleSends;
    private final ScheduledExecutorService timer;
    private final SubscriptionTree subscriptions = new SubscriptionTree();
    private final RetainedMessages retained;
    private volatile int maxHops;
    /** The other nodes of the broker, when a cluster bundle is there. */
    private final ClusterLink cluster = new ClusterLink();
    private final SubscriptionSteps subscriptionSteps;

    private final LongAdder published = new LongAdder();
    private final LongAdder routed = new LongAdder();
    private final LongAdder consumed = new LongAdder();
    private final LongAdder deliveries = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder expired = new LongAdder();
    private final LongAdder inFlight = new LongAdder();

    public Router(ModuleRegistry registry, ChainRunner runner, StatusBus statuses, MessageIds messageIds, ModuleSends moduleSends,
            ScheduledExecutorService timer, int maxHops, StateStore store, int maxRetainedMessages, long maxRetainedBytes) {
        this.registry = registry;
        this.runner = runner;
        this.statuses = statuses;
        this.messageIds = messageIds;
        this.moduleSends = moduleSends;
        this.timer = timer;
        this.maxHops = maxHops;
        this.retained = new RetainedMessages(store, new RetainedMessages.Limits(maxRetainedMessages, maxRetainedBytes));
        this.subscriptionSteps = new SubscriptionSteps(subscriptions, cluster, runner, retained,
                (m, entry, worker, done) -> deliverAll(m, Fanout.of(entry), registry.chains(), true, false, worker,
                        done));
        messageIds.startAbove(retained.highestId());
    }

    /** The sessions' subscribe, unsubscribe, restore and removal of subscriptions. */
    public SubscriptionSteps subscriptionSteps() {
        return subscriptionSteps;
    }

    /** The limits of the retained messages; apply to the next retained publish. */
    public void setRetainedLimits(int messages, long bytes) {
        retained.setLimits(new RetainedMessages.Limits(messages, bytes));
    }

    /** How many module-sent messages may follow from one another; applies to the next send. */
    public void setMaxHops(int maxHops) {
        this.maxHops = maxHops;
    }

    /**
     * Routes messages to the other nodes through {@code clusterPeer} from now on ({@code null}: a single node again),
     * after telling it this node's filters.
     */
    public void setPeer(ClusterPeer clusterPeer) {
        cluster.setPeer(clusterPeer);
    }

    public Counts counts() {
        return new Counts(published.sum(), routed.sum(), consumed.sum(), deliveries.sum(), delivered.sum(), failed.sum(),
                expired.sum(), inFlight.sum());
    }

    public int subscriptionCount() {
        return subscriptions.size();
    }

    public int retainedCount() {
        return retained.size();
    }

    // ---- publishing

    /**
     * Stamps a message (id, sender, time) and queues it on its publisher's session; {@code result}
     * completes when the chain decided and the message was handed to its recipients.
     *
     * @return the message's id
     */
    public long publish(SessionImpl session, Message message, String from, int hops, Bundle skipBundle,
            CompletableFuture<PublishResult> result) {
        if (session.isClosed()) {
            result.completeExceptionally(new IllegalStateException(session + " is closed"));
            return 0;
        }
        Message stamped = message.toBuilder().id(messageIds.next()).from(from)
                .timestamp(System.currentTimeMillis()).recipientOnline(true).build();
        if (hops > 0) {
            // recorded before the message is queued: its statuses and answers (on other workers, maybe
            // before this thread runs again) continue its count from here, never from 0
            moduleSends.remember(stamped.id(), hops);
        }
        published.increment();
        inFlight.increment();
        Publication step = new Publication(this, stamped, hops, skipBundle, result);
        if (hops == 0 && registry.chains().publishNonBlocking()) {
            session.submit(step); // a client's publish: on the calling network thread when the worker is idle
        } else {
            session.enqueue(step);
        }
        return stamped.id();
    }

    /** A message sent by a module through HostServices: one hop more than what caused it. */
    public long send(Bundle sender, SessionImpl senderSession, Message message) {
        int hops = Math.max(CoreContext.hops(), message.refId() == 0 ? 0 : moduleSends.hopsOf(message.refId())) + 1;
        if (hops > maxHops) {
            throw new IllegalStateException("message to '" + message.topic() + "' refused: it would be hop " + hops
                    + " of modules answering modules (limit " + maxHops + "); is a module answering its own answers?");
        }
        String from = message.from() != null ? message.from() : senderSession.user();
        return publish(senderSession, message, from, hops, sender, new CompletableFuture<>());
    }

    /** A publish's step on its session's worker: the chains, then the deliveries. */
    void process(Publication p) {
        SessionImpl s = p.sender;
        Message message = p.message;
        int hops = p.hops;
        Bundle skipBundle = p.skipBundle;
        CompletableFuture<PublishResult> result = p.result;
        if (message.isExpired(System.currentTimeMillis())) {
            statuses.raise(message, MessageStatus.State.EXPIRED, null, "expired before it entered the chain");
            expired.increment();
            finish(s, result, new PublishResult(message.id(), false, 0, null, "expired"));
            return;
        }
        if (RetainedMessages.isSystem(message.topic())) {
            refused(s, message, ReasonCode.NOT_AUTHORIZED, SYSTEM_TOPIC_REFUSED, result);
            return;
        }
        Chains chains = registry.chains();
        p.chains = chains; // the message's chains and its deliveries' agree
        CallImpl call = message.topic().charAt(0) == '$' ? CallImpl.parse(message) : null;
        if (call == null) {
            messageChain(p, message);
        } else if (call.state() == io.switchboard.api.Call.State.SETUP) {
            new ChainRun(chains.of(ChainEvent.CALL), 0, message, (e, m) -> e.module().onCall(call),
                    (verdict, m, by) -> {
                        if (verdict.kind() == Verdict.Kind.CONSUME) {
                            consumedBy(s, message, verdict, by, result);
                        } else {
                            messageChain(p, m);
                        }
                    }, s.worker(), timer, skipBundle, hops).run();
        } else {
            new ObservationRun(ChainEvent.CALL_STATUS, chains.of(ChainEvent.CALL_STATUS), message.topic(),
                    e -> e.module().onCallStatus(call), s.worker(), hops,
                    () -> messageChain(p, message)).run();
        }
    }

    private void messageChain(Publication p, Message message) {
        ModuleEntry[] chain = p.chains.of(ChainEvent.MESSAGE);
        ChainRun.start(chain, startAfter(chain, p.skipBundle), message, p, p, p.sender.worker(), timer, p.skipBundle, p.hops);
    }

    /** The message chain decided about a publish: retain, forward to the other nodes, deliver here. */
    void messageChainDone(Publication p, Verdict verdict, Message m, ModuleEntry by) {
        SessionImpl s = p.sender;
        CompletableFuture<PublishResult> result = p.result;
        if (verdict.kind() == Verdict.Kind.CONSUME) {
            consumedBy(s, m, verdict, by, result);
            return;
        }
        String notRetained = m.retain() ? retained.put(m) : null;
        if (notRetained != null) {
            refused(s, m, ReasonCode.QUOTA_EXCEEDED, notRetained, result);
            return;
        }
        routed.increment();
        statuses.raise(m, MessageStatus.State.SENT, null, null);
        Forwarding forwarding = cluster.forward(m, s.clientId());
        Set<String> sharedElsewhere = forwarding == null ? Set.of() : forwarding.sharedElsewhere();
        Fanout targets = new Fanout(m, s.clientId());
        subscriptions.match(m.topic(), e -> {
            if (!(e.noLocal() && e.session() == s) && (e.shareGroup() == null || !sharedElsewhere.contains(e.filter()))) {
                targetOrRelay(e, targets);
            }
        });
        deliverAll(m, targets, p.chains, false, false, s.worker(), recipients -> {
            PublishResult outcome = new PublishResult(m.id(), true, recipients, null, null);
            CompletionStage<Void> accepted = targets.afterRelays(forwarding == null ? null : forwarding.accepted());
            if (accepted == null) {
                finish(s, result, outcome);
            } else {
                finishWhenAccepted(s, result, outcome, accepted);
            }
        });
    }

    /**
     * A QoS 2 message of {@code session} whose forwarding failed, sent again to the nodes that did not accept it (the
     * cluster kept it with the nodes that did); {@code null} when the cluster keeps it no more. On the caller's
     * thread: the front door calls it for the client's resend, before it reads the client's later publishes.
     */
    public CompletionStage<Void> forwardAgain(SessionImpl session, long messageId) {
        return cluster.forwardAgain(messageId, session.clientId());
    }

    /**
     * Finishes the publisher's step now (its next message need not wait for the other nodes: their confirmations
     * come back in any order, and the front door acknowledges in order), and completes {@code result} once the nodes
     * the message was sent or relayed to accepted it, or fails it. An already accepted message (QoS 0, or no other node)
     * completes before the step ends, as {@link #finish} does.
     */
    private void finishWhenAccepted(SessionImpl s, CompletableFuture<PublishResult> result, PublishResult outcome,
            CompletionStage<Void> accepted) {
        inFlight.decrement();
        accepted.whenComplete((v, error) -> {
            if (error == null) {
                result.complete(outcome);
            } else {
                result.completeExceptionally(Fanout.unwrapped(error));
            }
        });
        s.stepDone();
    }

    /**
     * A message another node routed: retained here too if flagged, then handed to this node's subscribers (of the
     * shared subscriptions, those in {@code sharedHere}: the entering node chose this node for them) on
     * {@code worker} (one worker per publisher keeps the publisher's order) through the delivery chain only; the
     * message chain ran on the node it entered. Stamped with an id of this node, as its ids are this node's own.
     */
    public void deliverForwarded(Message message, String orderKey, Set<String> sharedHere, WorkerThread worker) {
        deliverForwarded(null, true, message, orderKey, sharedHere, Set.of(), worker, null);
    }

    /**
     * Like {@link #deliverForwarded(Message, String, Set, WorkerThread)}, not through the plain subscriptions of the
     * sessions of {@code notTo} (client ids: they have the message already, relayed to them); {@code handed}
     * completes with how many sessions the message was handed to once every delivery decision is made and what was
     * relayed to moving sessions is confirmed, or fails when a relay failed.
     */
    public void deliverForwarded(Message message, String orderKey, Set<String> sharedHere, Set<String> notTo,
            WorkerThread worker, CompletableFuture<Integer> handed) {
        deliverForwarded(null, true, message, orderKey, sharedHere, notTo, worker, handed);
    }

    /**
     * Like {@link #deliverForwarded(Message, String, Set, Set, WorkerThread, CompletableFuture)}, through the shared
     * subscriptions of {@code sharedHere} only, and not retained: a message forwarded again, which this node's plain
     * subscriptions had the first time.
     */
    public void deliverShared(Message message, String orderKey, Set<String> sharedHere, WorkerThread worker,
            CompletableFuture<Integer> handed) {
        deliverForwarded(null, false, message, orderKey, sharedHere, Set.of(), worker, handed);
    }

    /**
     * Like {@link #deliverForwarded(Message, String, Set, Set, WorkerThread, CompletableFuture)}, to {@code session}
     * only: through its subscriptions matching the message (of its shared ones, those in {@code sharedHere});
     * {@code handed} completes with whether it was handed to the session (1) or not (0). Not retained here: the
     * message is one the session missed, not a new one.
     */
    public void deliverTo(SessionImpl session, Message message, Set<String> sharedHere, WorkerThread worker,
            CompletableFuture<Integer> handed) {
        deliverForwarded(session, true, message, null, sharedHere, Set.of(), worker, handed);
    }

    /**
     * A message from another node to every session here ({@code only} null, retained if flagged) or to {@code only};
     * through plain subscriptions unless {@code plain} is false (then not retained either); {@code handed} (null:
     * nobody waits) completes as {@link #deliverForwarded(Message, String, Set, Set, WorkerThread, CompletableFuture)}
     * says.
     */
    private void deliverForwarded(SessionImpl only, boolean plain, Message message, String orderKey,
            Set<String> sharedHere, Set<String> notTo, WorkerThread worker, CompletableFuture<Integer> handed) {
        Message stamped = message.toBuilder().id(messageIds.next()).build();
        worker.execute(() -> {
            if (only == null && plain && stamped.retain()) {
                String notRetained = retained.put(stamped);
                if (notRetained != null) {
                    LOG.warn("Retained message from another node to '{}' not kept here: {}", stamped.topic(), notRetained);
                }
            }
            Fanout targets = new Fanout(message, orderKey, only == null ? 10 : 1);
            subscriptions.match(stamped.topic(), e -> {
                if ((only == null || e.session() == only) && (e.shareGroup() == null
                        ? plain && (notTo.isEmpty() || !notTo.contains(e.session().clientId()))
                        : sharedHere.contains(e.filter()))) {
                    targetOrRelay(e, targets);
                }
            });
            deliverAll(stamped, targets, registry.chains(), false, only != null, worker, recipients -> {
                if (handed != null) {
                    targets.completeAfterRelays(handed, recipients);
                }
            });
        });
    }

    /**
     * A broker status message ({@code $SYS/...}, {@link io.switchboard.api.admin.SystemTopics}): retained in memory and
     * handed to its subscribers on {@code worker}, without the message chain and without counting as published or
     * routed; each delivery runs the delivery chain (so read authorisation applies). No message status is raised
     * for it. Messages given to one worker are processed in order.
     */
    public void publishSystem(Message message, WorkerThread worker) {
        String topic = message.topic();
        if (!RetainedMessages.isSystem(topic) || topic.indexOf('+') >= 0 || topic.indexOf('#') >= 0 || topic.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("not a $SYS topic name: '" + topic + "'");
        }
        Message stamped = message.toBuilder().id(messageIds.next()).from(SYSTEM_SENDER)
                .timestamp(System.currentTimeMillis()).recipientOnline(true).build();
        worker.execute(() -> {
            if (stamped.retain()) {
                String notRetained = retained.put(stamped, false);
                if (notRetained != null) {
                    LOG.debug("$SYS message to '{}' not retained: {}", stamped.topic(), notRetained);
                }
            }
            Fanout targets = new Fanout(null, null);
            subscriptions.match(stamped.topic(), e -> {
                if (!e.session().isClosed()) {
                    targets.add(e);
                }
            });
            deliverAll(stamped, targets, registry.chains(), false, false, worker, recipients -> { });
        });
    }

    /** Raises a status of a delivery, unless the message is a broker status message (nobody tracks those). */
    void deliveryStatus(Message m, MessageStatus.State state, String recipient, String reason) {
        if (!RetainedMessages.isSystem(m.topic())) {
            statuses.raise(m, state, recipient, reason);
        }
    }

    private void consumedBy(SessionImpl s, Message m, Verdict verdict, ModuleEntry by, CompletableFuture<PublishResult> result) {
        consumed.increment();
        if (by != null && runner.observesDecisions()) {
            runner.raise(new DecisionImpl(Decision.Subject.MESSAGE, by.name(), false, verdict.reason() == null ? "" : verdict.reason(),
                    s.clientId(), s.user(), m.topic(), System.currentTimeMillis()), s.worker());
        }
        String reason = "consumed by module '" + (by == null ? "?" : by.name()) + "'"
                + (verdict.reason() == null ? "" : ": " + verdict.reason());
        statuses.raise(m, MessageStatus.State.FAILED, null, reason);
        finish(s, result, new PublishResult(m.id(), false, 0, verdict.reasonCode(), reason));
    }

    /** Refused by the broker itself (a limit), not by a module. */
    private void refused(SessionImpl s, Message m, ReasonCode code, String reason, CompletableFuture<PublishResult> result) {
        consumed.increment();
        statuses.raise(m, MessageStatus.State.FAILED, null, reason);
        finish(s, result, new PublishResult(m.id(), false, 0, code, reason));
    }

    private void finish(SessionImpl s, CompletableFuture<PublishResult> result, PublishResult outcome) {
        inFlight.decrement();
        result.complete(outcome);
        s.stepDone();
    }

    /** The index after the sending bundle's first module in the chain: a module's message enters behind it. */
    private static int startAfter(ModuleEntry[] chain, Bundle sender) {
        if (sender != null) {
            for (int i = 0; i < chain.length; i++) {
                if (chain[i].bundle() == sender) {
                    return i + 1;
                }
            }
        }
        return 0;
    }

    // ---- delivering

    /**
     * Hands {@code message} to each target through the delivery chain; calls {@code done} with the number
     * of recipients once every delivery decision is made (the relays of deliveries the front door passed on to a
     * moving session are in {@code targets} by then). Runs on {@code worker}. {@code handOver}: messages a session
     * missed ({@link #deliverTo}), which go before what its deliveries keep.
     */
    private void deliverAll(Message message, Fanout targets, Chains chains, boolean retainedDelivery, boolean handOver,
            WorkerThread worker, IntConsumer done) {
        ModuleEntry[] chain = chains.of(ChainEvent.DELIVERY);
        if (targets.isEmpty()) {
            done.accept(0);
            return;
        }
        if (chain.length == 0) {
            Message adjusted = null;
            for (SubscriptionTree.Entry target : targets) {
                adjusted = adjust(message, target, retainedDelivery, adjusted);
                deliver(adjusted, target, handOver, targets);
            }
            done.accept(targets.size());
            return;
        }
        new Deliveries(this, message, targets, chain, retainedDelivery, handOver, worker, timer, done).start();
    }

    /**
     * {@code message} as {@code target} gets it: its QoS, retain flag and online flag; {@code previous} (the previous
     * target's, or null) when it is the same, so that the targets of a message fanned out share one copy (the
     * front door encodes a message once for all the subscribers it is the same object for).
     */
    static Message adjust(Message message, SubscriptionTree.Entry target, boolean retainedDelivery,
            Message previous) {
        int qos = Math.min(message.qos(), target.qos());
        boolean retain = retainedDelivery || target.retainAsPublished() && message.retain();
        boolean online = target.session().isOnline();
        if (qos == message.qos() && retain == message.retain() && online == message.recipientOnline()) {
            return message;
        }
        if (previous != null && qos == previous.qos() && retain == previous.retain() && online == previous.recipientOnline()) {
            return previous;
        }
        return message.toBuilder().qos(qos).retain(retain).recipientOnline(online).build();
    }

    /**
     * A matching subscription: one of the {@code targets}, unless its session is closed; a session moving to another
     * node gets the message as it reached this node there ({@link #relay}).
     */
    private void targetOrRelay(SubscriptionTree.Entry e, Fanout targets) {
        SessionImpl session = e.session();
        if (!session.isClosed()) {
            targets.add(e);
        } else if (session.isRelaying()) {
            relay(targets.routed, e, targets);
        }
    }

    /**
     * {@code session} leaves this node: when every node routes to the node taking it (its subscriptions relay until
     * then), or {@code null} when it does not move.
     */
    public CompletionStage<Void> leaving(SessionImpl session) {
        return cluster.leaving(session.clientId());
    }

    /**
     * Passes {@code message} on to the node the target's session moves to, with the order key of {@code fanout} (the
     * one it was routed with, or {@code null}); the message is accepted once that node confirmed it ({@link Fanout}).
     * It fails for that session when there is no such node.
     */
    void relay(Message message, SubscriptionTree.Entry target, Fanout fanout) {
        SessionImpl recipient = target.session();
        CompletionStage<Void> confirmed = cluster.relay(recipient.clientId(), message, fanout.orderKey,
                target.shareGroup() == null ? null : target.filter());
        if (confirmed == null) {
            deliveryFailed(message, recipient.user(), "the session left this node");
        } else {
            fanout.relayed(confirmed);
        }
    }

    /**
     * Hands {@code message} to the target's session, with the identifiers of the subscriptions it came through; kept
     * for later while the session's deliveries are kept behind a hand-over ({@link SessionImpl#keep}), unless it is
     * part of that hand-over. {@code fanout.routed}: the message as routing got it; a hand-over's message is the same
     * object when it was held for the session as it was routed, which is how a kept delivery of a message that raced
     * the restore is found and dropped. (A kept delivery the front door passes on to a moving session is relayed
     * after its message was accepted: nothing waits for that relay.)
     */
    void deliver(Message message, SubscriptionTree.Entry target, boolean handOver, Fanout fanout) {
        SessionImpl session = target.session();
        if (handOver) {
            session.handingOver(fanout.routed);
        } else if (session.keepsDeliveries()
                && session.keep(fanout.routed, fanout.orderKey, () -> deliverNow(message, target, fanout))) {
            return;
        }
        deliverNow(message, target, fanout);
    }

    private void deliverNow(Message message, SubscriptionTree.Entry target, Fanout fanout) {
        SessionImpl recipient = target.session();
        if (message.isExpired(System.currentTimeMillis())) {
            expired.increment();
            deliveryStatus(message, MessageStatus.State.EXPIRED, recipient.user(), "expired before delivery");
            return;
        }
        deliveries.increment();
        DeliveryImpl delivery = new DeliveryImpl(this, message, target, fanout);
        try {
            recipient.receiver().deliver(message, delivery);
        } catch (Throwable t) {
            LOG.warn("Delivery of message {} to {} failed in its receiver", message.id(), recipient, t);
            delivery.failed("the receiver failed: " + t);
        }
    }

    void delivered(Message message, String recipient) {
        delivered.increment();
        deliveryStatus(message, MessageStatus.State.DELIVERED, recipient, null);
    }

    void deliveryFailed(Message message, String recipient, String reason) {
        failed.increment();
        deliveryStatus(message, MessageStatus.State.FAILED, recipient, reason);
    }
}
