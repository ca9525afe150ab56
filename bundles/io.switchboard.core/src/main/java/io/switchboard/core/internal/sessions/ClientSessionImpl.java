package io.switchboard.core.internal.sessions;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.switchboard.api.Admission;
import io.switchboard.api.Message;
import io.switchboard.api.Session;
import io.switchboard.api.Subscription;
import io.switchboard.api.broker.ClientSession;
import io.switchboard.api.broker.PublishResult;
import io.switchboard.core.internal.routing.Router;
import io.switchboard.core.internal.status.StatusBus;

/** A front door's handle on a session; kept apart from {@link SessionImpl} so modules cannot publish as clients. */
final class ClientSessionImpl implements ClientSession {

    private final Sessions sessions;
    private final Router router;
    private final StatusBus statuses;
    private final SessionImpl session;
    private final boolean sessionPresent;
    /** Which login of the session this handle belongs to. */
    private final int attachment;

    ClientSessionImpl(Sessions sessions, Router router, StatusBus statuses, SessionImpl session, boolean sessionPresent) {
        this.sessions = sessions;
        this.router = router;
        this.statuses = statuses;
        this.session = session;
        this.sessionPresent = sessionPresent;
        this.attachment = session.attachment;
    }

    @Override
    public boolean sessionPresent() {
        return sessionPresent;
    }

    @Override
    public void detach(String reason) {
        sessions.detach(session, reason, attachment);
    }

    @Override
    public Session session() {
        return session;
    }

    @Override
    public CompletionStage<PublishResult> publish(Message message) {
        CompletableFuture<PublishResult> result = new CompletableFuture<>();
        router.publish(session, message, session.user(), 0, null, result);
        return result;
    }

    @Override
    public CompletionStage<Void> forwardAgain(long messageId) {
        return router.forwardAgain(session, messageId);
    }

    @Override
    public CompletionStage<Admission> subscribe(Subscription subscription) {
        return router.subscriptionSteps().subscribe(session, subscription);
    }

    @Override
    public CompletionStage<Boolean> unsubscribe(String topicFilter) {
        return router.subscriptionSteps().unsubscribe(session, topicFilter);
    }

    @Override
    public void read(long messageId) {
        statuses.read(session.user(), messageId);
    }

    @Override
    public void close(String reason) {
        sessions.close(session, reason, attachment);
    }

    @Override
    public CompletionStage<Void> release(String reason) {
        return sessions.release(session, reason, attachment);
    }

    @Override
    public String toString() {
        return session.toString();
    }
}
