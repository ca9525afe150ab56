package io.switchboard.core.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.switchboard.api.Admission;
import io.switchboard.api.Message;
import io.switchboard.api.Session;
import io.switchboard.api.Subscription;
import io.switchboard.api.broker.ClientSession;
import io.switchboard.api.broker.PublishResult;

/** A front door's handle on a session; kept apart from {@link SessionImpl} so modules cannot publish as clients. */
final class ClientSessionImpl implements ClientSession {

    private final BrokerCore core;
    private final SessionImpl session;
    private final boolean sessionPresent;
    /** Which login of the session this handle belongs to. */
    private final int attachment;

    ClientSessionImpl(BrokerCore core, SessionImpl session, boolean sessionPresent) {
        this.core = core;
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
        core.detachSession(session, reason, attachment);
    }

    @Override
    public Session session() {
        return session;
    }

    @Override
    public CompletionStage<PublishResult> publish(Message message) {
        CompletableFuture<PublishResult> result = new CompletableFuture<>();
        core.publish(session, message, session.user(), 0, null, result);
        return result;
    }

    @Override
    public CompletionStage<Admission> subscribe(Subscription subscription) {
        return core.subscribe(session, subscription);
    }

    @Override
    public CompletionStage<Boolean> unsubscribe(String topicFilter) {
        return core.unsubscribe(session, topicFilter);
    }

    @Override
    public void read(long messageId) {
        core.read(session, messageId);
    }

    @Override
    public void close(String reason) {
        core.closeSession(session, reason);
    }

    @Override
    public String toString() {
        return session.toString();
    }
}
