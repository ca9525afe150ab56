package io.switchboard.shell.internal;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;

import io.switchboard.api.Admission;
import io.switchboard.api.Message;
import io.switchboard.api.Session;
import io.switchboard.api.Subscription;
import io.switchboard.api.broker.Broker;
import io.switchboard.api.broker.ClientConnection;
import io.switchboard.api.broker.ClientSession;
import io.switchboard.api.broker.LoginRequest;
import io.switchboard.api.broker.PublishResult;
import io.switchboard.api.broker.Receiver;
import io.switchboard.api.broker.RestoredSession;

/**
 * A {@link Broker} whose logins and publications complete with what the test set (or never, when
 * the test sets {@code null}), recording the requests, the published messages and the closed sessions.
 */
final class FakeBroker implements Broker {

    final List<LoginRequest> logins = new ArrayList<>();
    final List<Message> published = new ArrayList<>();
    final List<String> closed = new ArrayList<>();
    /** Set: logins fail with it. */
    Throwable loginFailure;
    /** Set: logins never complete. */
    boolean loginNeverCompletes;
    /** What publishing completes with; {@code null}: it never completes. */
    PublishResult publishResult = new PublishResult(1, true, 0, null, null);

    @Override
    public CompletionStage<ClientConnection> accept(InetSocketAddress remote, InetSocketAddress local, String listener) {
        throw new UnsupportedOperationException("the shell never accepts connections");
    }

    @Override
    public CompletionStage<String> authenticate(LoginRequest request) {
        throw new UnsupportedOperationException("not used by these tests");
    }

    @Override
    public void deliverForwarded(Message message, String orderKey, java.util.Set<String> sharedHere) {
        throw new UnsupportedOperationException("the shell takes no forwarded messages");
    }

    @Override
    public java.util.concurrent.CompletionStage<Integer> acceptForwarded(Message message, String orderKey,
            java.util.Set<String> sharedHere) {
        throw new UnsupportedOperationException("the shell takes no forwarded messages");
    }

    @Override
    public void releaseDeliveries(String clientId,
            java.util.function.BiPredicate<Message, String> had) {
        // this fake never keeps deliveries (holdDeliveries is the API's no-op): nothing to release
    }

    @Override
    public java.util.concurrent.CompletionStage<Void> routedSoFar() {
        return java.util.concurrent.CompletableFuture.completedFuture(null); // it routes nothing
    }

    @Override
    public java.util.concurrent.CompletionStage<Integer> deliverShared(Message message, String orderKey,
            java.util.Set<String> sharedHere) {
        return java.util.concurrent.CompletableFuture.completedFuture(0); // no shared subscriptions here: no session
    }

    @Override
    public java.util.concurrent.CompletionStage<Integer> deliverTo(String clientId, Message message, String orderKey,
            java.util.Set<String> sharedHere) {
        throw new UnsupportedOperationException("the shell takes no forwarded messages");
    }

    @Override
    public ClientSession restore(RestoredSession session, Receiver receiver) {
        throw new UnsupportedOperationException("the shell does not restore sessions");
    }

    @Override
    public CompletionStage<ClientSession> login(LoginRequest request, Receiver receiver) {
        logins.add(request);
        if (loginNeverCompletes) {
            return new CompletableFuture<>();
        }
        if (loginFailure != null) {
            return CompletableFuture.failedFuture(loginFailure);
        }
        return CompletableFuture.completedFuture(new FakeSession(request.clientId()));
    }

    @Override
    public void login(LoginRequest request, UnaryOperator<Receiver> receiverFor, BiConsumer<ClientSession, Throwable> then) {
        // the shell's clients keep no state with their sessions: a fresh receiver each time, as a first login
        login(request, receiverFor.apply(null)).whenComplete(then);
    }

    private final class FakeSession implements ClientSession {
        private final String clientId;

        FakeSession(String clientId) {
            this.clientId = clientId;
        }

        @Override
        public Session session() {
            throw new UnsupportedOperationException("not used by the shell");
        }

        @Override
        public CompletionStage<PublishResult> publish(Message message) {
            published.add(message);
            return publishResult == null ? new CompletableFuture<>() : CompletableFuture.completedFuture(publishResult);
        }

        @Override
        public CompletionStage<Admission> subscribe(Subscription subscription) {
            throw new UnsupportedOperationException("not used by the shell");
        }

        @Override
        public CompletionStage<Boolean> unsubscribe(String topicFilter) {
            throw new UnsupportedOperationException("not used by the shell");
        }

        @Override
        public void read(long messageId) {
            throw new UnsupportedOperationException("not used by the shell");
        }

        @Override
        public void close(String reason) {
            closed.add(clientId + ": " + reason);
        }

        @Override
        public java.util.concurrent.CompletionStage<Void> release(String reason) {
            closed.add(clientId + " (released): " + reason);
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }

        @Override
        public boolean sessionPresent() {
            return false;
        }

        @Override
        public void detach(String reason) {
            closed.add(clientId + " detached: " + reason);
        }
    }
}
