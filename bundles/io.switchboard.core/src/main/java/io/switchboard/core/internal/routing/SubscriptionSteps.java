package io.switchboard.core.internal.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.IntConsumer;

import io.switchboard.api.Admission;
import io.switchboard.api.Decision;
import io.switchboard.api.Message;
import io.switchboard.api.Subscription;
import io.switchboard.api.Verdict;
import io.switchboard.api.admin.ChainEvent;
import io.switchboard.core.internal.chain.ChainRun;
import io.switchboard.core.internal.chain.ChainRunner;
import io.switchboard.core.internal.chain.DecisionImpl;
import io.switchboard.core.internal.sessions.SessionImpl;
import io.switchboard.core.internal.workers.Steps;
import io.switchboard.core.internal.workers.WorkerThread;

/**
 * The sessions' subscriptions, as {@link Router} matches them: subscribe and unsubscribe as steps of the session
 * (the subscribe chain decides, the unsubscribe event follows), the retained messages a new subscription gets, a
 * recovered session's subscriptions put back and a freed session's removed; the other nodes hear of each filter's
 * first and last subscription ({@link ClusterLink}).
 */
public final class SubscriptionSteps {

    /** Delivers a retained message to one new subscription through the delivery chain; {@code done} when decided. */
    interface RetainedDelivery {
        void deliver(Message message, SubscriptionTree.Entry entry, WorkerThread worker, IntConsumer done);
    }

    private final SubscriptionTree subscriptions;
    private final ClusterLink cluster;
    private final ChainRunner runner;
    private final RetainedMessages retained;
    private final RetainedDelivery retainedDelivery;

    SubscriptionSteps(SubscriptionTree subscriptions, ClusterLink cluster, ChainRunner runner, RetainedMessages retained,
            RetainedDelivery retainedDelivery) {
        this.subscriptions = subscriptions;
        this.cluster = cluster;
        this.runner = runner;
        this.retained = retained;
        this.retainedDelivery = retainedDelivery;
    }

    public CompletionStage<Admission> subscribe(SessionImpl session, Subscription subscription) {
        Topics.validateFilter(subscription.topicFilter());
        if (session.isClosed()) {
            return CompletableFuture.failedFuture(new IllegalStateException(session + " is closed"));
        }
        CompletableFuture<Admission> result = new CompletableFuture<>();
        DecisionImpl.About about = new DecisionImpl.About(Decision.Subject.SUBSCRIBE, session.clientId(), session.user(),
                subscription.topicFilter());
        session.enqueue(s -> runner.admit(ChainEvent.SUBSCRIBE, (e, m) -> ChainRun.toVerdict(e.module().onSubscribe(s, subscription)),
                s.worker(), about, verdict -> {
                    if (verdict.kind() == Verdict.Kind.CONSUME) {
                        result.complete(Admission.refuse(verdict.reasonCode(), verdict.reason()));
                        s.stepDone();
                        return;
                    }
                    String filter = subscription.topicFilter();
                    SubscriptionTree.Entry entry = SubscriptionTree.Entry.of(s, subscription);
                    boolean isNew = subscriptions.subscribe(entry);
                    s.subscriptions().put(filter, entry);
                    if (isNew) {
                        cluster.filterAdded(filter);
                    }
                    result.complete(Admission.accept());
                    boolean sendRetained = entry.shareGroup() == null
                            && (subscription.retainHandling() == 0 || subscription.retainHandling() == 1 && isNew);
                    if (!sendRetained) {
                        s.stepDone();
                        return;
                    }
                    sendRetained(s, entry, retained.matching(filter));
                }));
        return result;
    }

    /** Delivers the retained messages one after another, then ends the subscribe step. */
    private void sendRetained(SessionImpl s, SubscriptionTree.Entry entry, List<Message> messages) {
        new Steps(s.worker(), messages.size(),
                (i, next) -> retainedDelivery.deliver(messages.get(i), entry, s.worker(), n -> next.run()),
                s::stepDone).start();
    }

    /**
     * Removes a subscription as a step of the session, so that it takes effect after the session's earlier
     * subscribes and publishes ([MQTT-4.6.0]); completes with whether it existed.
     */
    public CompletionStage<Boolean> unsubscribe(SessionImpl session, String filter) {
        if (session.isClosed()) {
            return CompletableFuture.failedFuture(new IllegalStateException(session + " is closed"));
        }
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        session.enqueue(s -> {
            boolean removed = subscriptions.unsubscribe(s, filter);
            s.subscriptions().remove(filter);
            if (removed) {
                cluster.filterRemoved(filter);
            }
            Runnable done = () -> {
                result.complete(removed);
                s.stepDone();
            };
            if (removed) {
                runner.observe(ChainEvent.UNSUBSCRIBE, e -> e.module().onUnsubscribe(s, filter), s.worker(), done);
            } else {
                done.run();
            }
        });
        return result;
    }

    /**
     * Puts back the subscriptions of a session recovered after a restart, before anyone can reach it:
     * no chain runs and no retained message is sent.
     */
    public void restore(SessionImpl session, List<Subscription> restored) {
        for (Subscription subscription : restored) {
            Topics.validateFilter(subscription.topicFilter());
            SubscriptionTree.Entry entry = SubscriptionTree.Entry.of(session, subscription);
            if (subscriptions.subscribe(entry)) {
                cluster.filterAdded(subscription.topicFilter());
            }
            session.subscriptions().put(subscription.topicFilter(), entry);
        }
    }

    /** Removes every subscription of a session that is being freed; no module hears of it (the session's end is the event). */
    public void unsubscribeAll(SessionImpl s) {
        for (String filter : new ArrayList<>(s.subscriptions().keySet())) {
            if (subscriptions.unsubscribe(s, filter)) {
                cluster.filterRemoved(filter);
            }
        }
        s.subscriptions().clear();
    }
}
