package io.switchboard.mqtt.internal.protocol;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import io.switchboard.api.Admission;
import io.switchboard.api.Connection;
import io.switchboard.api.Message;
import io.switchboard.api.MessageModule;
import io.switchboard.api.ReasonCode;
import io.switchboard.api.Session;
import io.switchboard.api.Subscription;
import io.switchboard.api.TlsInfo;
import io.switchboard.api.broker.Broker;
import io.switchboard.api.broker.ClientConnection;
import io.switchboard.api.broker.ClientSession;
import io.switchboard.api.broker.Delivery;
import io.switchboard.api.broker.LoginRequest;
import io.switchboard.api.broker.PublishResult;
import io.switchboard.api.broker.Receiver;
import io.switchboard.api.broker.RestoredSession;
import io.switchboard.api.broker.RefusedException;

/**
 * A broker double with the core's semantics where the protocol depends on them: every call completes
 * on one broker thread (never the caller's), so logins, detaches and closes take turns; sessions are kept
 * by client id, a login with clean start false resumes the session with the receiver it chooses, receivers
 * hear of takeovers and ends, a stale handle's detach or close is ignored; routing by topic filter (highest
 * QoS per session, no local, retain as published, retained messages and retain handling), and it records
 * what the protocol did (events, published messages, delivery outcomes, read receipts).
 */
final class FakeBroker implements Broker {

    /** What became of one delivery. */
    static final class Outcome implements Delivery {
        final String recipient;
        final Message message;
        final List<Integer> subscriptionIds;
        final CompletableFuture<String> result = new CompletableFuture<>();

        Outcome(String recipient, Message message, List<Integer> subscriptionIds) {
            this.recipient = recipient;
            this.message = message;
            this.subscriptionIds = subscriptionIds;
        }

        @Override
        public List<Integer> subscriptionIds() {
            return subscriptionIds;
        }

        @Override
        public void delivered() {
            result.complete("delivered");
        }

        @Override
        public void failed(String reason) {
            result.complete("failed: " + reason);
        }

        @Override
        public void moved() {
            result.complete("moved");
        }

        @Override
        public String toString() {
            return recipient + " <- " + message.topic() + " " + result.getNow("pending");
        }
    }

    private record Sub(String filter, int qos, boolean noLocal, boolean retainAsPublished, int identifier) {

        Sub(Subscription s) {
            this(s.topicFilter(), s.qos(), s.noLocal(), s.retainAsPublished(), s.identifier());
        }

        List<Integer> ids() {
            return identifier == 0 ? List.of() : List.of(identifier);
        }
    }

    final class FakeSession implements Session {
        final long id = ids.incrementAndGet();
        final String clientId;
        final String user;
        volatile Receiver receiver;
        volatile ClientConnection connection;
        /** Counts the logins that held the session: a handle of an earlier one is stale. */
        volatile int attachment = 1;
        volatile boolean online = true;
        volatile boolean closed;
        final Map<String, Sub> subs = new ConcurrentHashMap<>();

        FakeSession(String clientId, String user, Receiver receiver) {
            this.clientId = clientId;
            this.user = user;
            this.receiver = receiver;
        }

        @Override
        public long id() {
            return id;
        }

        @Override
        public String clientId() {
            return clientId;
        }

        @Override
        public String user() {
            return user;
        }

        @Override
        public String protocol() {
            return "mqtt";
        }

        @Override
        public Connection connection() {
            return null;
        }

        @Override
        public boolean isOnline() {
            return online;
        }

        @Override
        public <T> T state(MessageModule owner, Class<T> type) {
            return null;
        }

        @Override
        public void setState(MessageModule owner, Object state) {
        }
    }

    private final class Handle implements ClientSession {
        private final FakeSession s;
        private final boolean present;
        private final int attachment;

        Handle(FakeSession s, boolean present) {
            this.s = s;
            this.present = present;
            this.attachment = s.attachment;
        }

        @Override
        public Session session() {
            return s;
        }

        @Override
        public CompletionStage<PublishResult> publish(Message message) {
            if (s.closed) {
                return CompletableFuture.failedFuture(new IllegalStateException("session closed"));
            }
            publishCalls.incrementAndGet();
            return CompletableFuture.supplyAsync(() -> {
                PublishResult routed = route(s, message);
                RuntimeException failure = publishFailure.apply(message);
                if (failure != null) {
                    throw failure;
                }
                return routed;
            }, worker);
        }

        /** Completes when {@link #keptToForwardAgain} has the id; null when it does not (any more). */
        @Override
        public CompletionStage<Void> forwardAgain(long messageId) {
            if (!keptToForwardAgain.remove(messageId)) {
                return null;
            }
            forwardedAgain.add(messageId);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Admission> subscribe(Subscription subscription) {
            if (TopicFilters.invalid(subscription.topicFilter()) != null) {
                throw new IllegalArgumentException("invalid topic filter: " + subscription.topicFilter());
            }
            return CompletableFuture.supplyAsync(() -> {
                Admission admission = subscribePolicy.apply(subscription);
                if (admission.isRefused()) {
                    return admission;
                }
                Sub sub = new Sub(subscription);
                boolean isNew = s.subs.put(subscription.topicFilter(), sub) == null;
                events.add("subscribe " + s.clientId + " " + subscription);
                if (!TopicFilters.isShared(subscription.topicFilter())
                        && (subscription.retainHandling() == 0 || subscription.retainHandling() == 1 && isNew)) {
                    for (Message m : retained.values()) {
                        if (TopicFilters.matches(sub.filter(), m.topic())) {
                            Message adjusted = m.toBuilder().qos(Math.min(m.qos(), sub.qos())).retain(true).build();
                            deliver(s, adjusted, sub.ids());
                        }
                    }
                }
                return admission;
            }, worker);
        }

        @Override
        public CompletionStage<Boolean> unsubscribe(String topicFilter) {
            // on the worker, after this session's earlier subscribes, as the real broker orders them
            return CompletableFuture.supplyAsync(() -> {
                events.add("unsubscribe " + s.clientId + " " + topicFilter);
                return s.subs.remove(topicFilter) != null;
            }, worker);
        }

        @Override
        public void read(long messageId) {
            reads.add(messageId);
        }

        @Override
        public boolean sessionPresent() {
            return present;
        }

        @Override
        public void detach(String reason) {
            worker.execute(() -> {
                if (s.attachment == attachment) {
                    detachSession(s, reason);
                }
            });
        }

        @Override
        public void close(String reason) {
            worker.execute(() -> {
                if (s.attachment == attachment) {
                    closeSession(s, reason);
                }
            });
        }

        @Override
        public CompletionStage<Void> release(String reason) {
            return CompletableFuture.runAsync(() -> {
                if (s.attachment == attachment && !s.closed) {
                    s.closed = true;
                    s.subs.clear();
                    sessions.remove(s.clientId, s);
                    events.add("release " + s.clientId + ": " + reason);
                }
            }, worker);
        }
    }

    private final class FakeConnection implements ClientConnection {
        private final long id = ids.incrementAndGet();
        private final InetSocketAddress remote;
        private final InetSocketAddress local;
        private final String listener;
        private volatile TlsInfo tls;

        FakeConnection(InetSocketAddress remote, InetSocketAddress local, String listener) {
            this.remote = remote;
            this.local = local;
            this.listener = listener;
        }

        @Override
        public long id() {
            return id;
        }

        @Override
        public InetSocketAddress remoteAddress() {
            return remote;
        }

        @Override
        public InetSocketAddress localAddress() {
            return local;
        }

        @Override
        public String listener() {
            return listener;
        }

        @Override
        public Optional<TlsInfo> tls() {
            return Optional.ofNullable(tls);
        }

        @Override
        public CompletionStage<Void> tlsEstablished(TlsInfo info) {
            this.tls = info;
            tlsSessions.add(info);
            return CompletableFuture.runAsync(() -> { }, worker);
        }

        @Override
        public void closed(String reason) {
            closed(reason, false);
        }

        @Override
        public void closed(String reason, boolean keepSession) {
            worker.execute(() -> {
                for (FakeSession s : sessions.values()) {
                    if (s.connection == this && s.online) {
                        if (keepSession) {
                            detachSession(s, reason);
                        } else {
                            closeSession(s, reason);
                        }
                    }
                }
                events.add("connection closed: " + reason);
            });
        }
    }

    final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fake-broker");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong ids = new AtomicLong();
    final Map<String, FakeSession> sessions = new ConcurrentHashMap<>();
    final Map<String, Message> retained = new ConcurrentHashMap<>();
    final List<String> events = new CopyOnWriteArrayList<>();
    final List<Message> published = new CopyOnWriteArrayList<>();
    final List<Outcome> outcomes = new CopyOnWriteArrayList<>();
    final List<Long> reads = new CopyOnWriteArrayList<>();
    final List<LoginRequest> logins = new CopyOnWriteArrayList<>();
    final List<TlsInfo> tlsSessions = new CopyOnWriteArrayList<>();
    final java.util.concurrent.atomic.AtomicInteger publishCalls = new java.util.concurrent.atomic.AtomicInteger();

    /** Refuses a login by returning the exception; null accepts. */
    volatile Function<LoginRequest, RefusedException> loginPolicy = r -> null;
    /** Consumes a message by returning the result to report; null routes it. */
    volatile Function<Message, PublishResult> consumePolicy = m -> null;
    volatile Function<Subscription, Admission> subscribePolicy = s -> Admission.accept();
    /** Fails a routed publish with the exception returned (another node did not confirm it, say); null completes it. */
    volatile Function<Message, RuntimeException> publishFailure = m -> null;
    /** The message ids a cluster would keep to forward again, and those forwarded again. */
    final java.util.Set<Long> keptToForwardAgain = java.util.concurrent.ConcurrentHashMap.newKeySet();
    final List<Long> forwardedAgain = new CopyOnWriteArrayList<>();
    /** Refuses connections with this, when set. */
    volatile RefusedException acceptRefusal;

    @Override
    public CompletionStage<ClientConnection> accept(InetSocketAddress remote, InetSocketAddress local, String listener) {
        return CompletableFuture.supplyAsync(() -> {
            events.add("accept " + listener);
            RefusedException refusal = acceptRefusal;
            if (refusal != null) {
                throw new java.util.concurrent.CompletionException(refusal);
            }
            return new FakeConnection(remote, local, listener);
        }, worker);
    }

    @Override
    public CompletionStage<ClientSession> login(LoginRequest request, Receiver receiver) {
        CompletableFuture<ClientSession> result = new CompletableFuture<>();
        login(request, resumed -> receiver, (session, error) -> {
            if (error != null) {
                result.completeExceptionally(error);
            } else {
                result.complete(session);
            }
        });
        return result;
    }

    @Override
    public void login(LoginRequest request, UnaryOperator<Receiver> receiverFor, BiConsumer<ClientSession, Throwable> then) {
        worker.execute(() -> {
            logins.add(request);
            RefusedException refusal = loginPolicy.apply(request);
            if (refusal != null) {
                events.add("login refused " + request.clientId());
                then.accept(null, refusal);
                return;
            }
            String takenOver = "session taken over by a new connection of the same client id";
            FakeSession existing = sessions.get(request.clientId());
            if (existing != null && !request.cleanStart()) {
                Receiver receiver = receiverFor.apply(existing.receiver);
                if (existing.online) {
                    existing.receiver.detached(takenOver);
                }
                existing.receiver = receiver;
                existing.connection = request.connection();
                existing.attachment++;
                existing.online = true;
                events.add("resume " + request.clientId());
                then.accept(new Handle(existing, true), null);
                return;
            }
            if (existing != null) {
                closeSession(existing, takenOver);
            }
            String user = request.userName() != null ? request.userName() : request.clientId();
            FakeSession s = new FakeSession(request.clientId(), user, receiverFor.apply(null));
            s.connection = request.connection();
            sessions.put(request.clientId(), s);
            events.add("login " + request.clientId());
            then.accept(new Handle(s, false), null);
        });
    }

    @Override
    public CompletionStage<String> authenticate(LoginRequest request) {
        throw new UnsupportedOperationException("not used by these tests");
    }

    @Override
    public void deliverForwarded(Message message, String orderKey, java.util.Set<String> sharedHere) {
        throw new UnsupportedOperationException("the MQTT tests run one node");
    }

    @Override
    public java.util.concurrent.CompletionStage<Integer> acceptForwarded(Message message, String orderKey,
            java.util.Set<String> sharedHere) {
        throw new UnsupportedOperationException("the MQTT tests run one node");
    }

    @Override
    public void releaseDeliveries(String clientId,
            java.util.function.BiPredicate<Message, String> had) {
        // this fake never keeps deliveries (holdDeliveries is the API's no-op): nothing to release
    }

    @Override
    public java.util.concurrent.CompletionStage<Void> routedSoFar() {
        return java.util.concurrent.CompletableFuture.runAsync(() -> { }, worker); // after what the worker had
    }

    @Override
    public java.util.concurrent.CompletionStage<Integer> deliverShared(Message message, String orderKey,
            java.util.Set<String> sharedHere) {
        return java.util.concurrent.CompletableFuture.completedFuture(0); // no shared subscriptions here: no session
    }

    @Override
    public java.util.concurrent.CompletionStage<Integer> deliverTo(String clientId, Message message, String orderKey,
            java.util.Set<String> sharedHere) {
        throw new UnsupportedOperationException("the MQTT tests run one node");
    }

    @Override
    public ClientSession restore(RestoredSession restored, Receiver receiver) {
        FakeSession s = new FakeSession(restored.clientId(), restored.user(), receiver);
        s.online = false;
        for (Subscription sub : restored.subscriptions()) {
            s.subs.put(sub.topicFilter(), new Sub(sub));
        }
        if (sessions.putIfAbsent(restored.clientId(), s) != null) {
            throw new IllegalStateException("a session of client '" + restored.clientId() + "' exists already");
        }
        events.add("restore " + restored.clientId() + " " + restored.subscriptions().size());
        return new Handle(s, true);
    }

    private void detachSession(FakeSession s, String reason) {
        if (s.closed || !s.online) {
            return;
        }
        s.receiver.detached(reason);
        s.online = false;
        events.add("detach " + s.clientId + ": " + reason);
    }

    private void closeSession(FakeSession s, String reason) {
        if (s.closed) {
            return;
        }
        s.receiver.closing(reason);
        s.closed = true;
        s.online = false;
        s.subs.clear();
        sessions.remove(s.clientId, s);
        events.add("close " + s.clientId + ": " + reason);
    }

    private PublishResult route(FakeSession from, Message message) {
        Message stamped = message.toBuilder().id(ids.incrementAndGet()).from(from.user)
                .timestamp(System.currentTimeMillis()).build();
        published.add(stamped);
        PublishResult consumed = consumePolicy.apply(stamped);
        if (consumed != null) {
            return new PublishResult(stamped.id(), false, 0, consumed.reasonCode(), consumed.reason());
        }
        if (stamped.retain()) {
            if (stamped.payloadSize() == 0) {
                retained.remove(stamped.topic());
            } else {
                retained.put(stamped.topic(), stamped);
            }
        }
        int recipients = 0;
        for (FakeSession s : sessions.values()) {
            if (s.closed) {
                continue;
            }
            Sub best = null;
            java.util.TreeSet<Integer> ids = new java.util.TreeSet<>();
            for (Sub sub : s.subs.values()) {
                if (TopicFilters.matches(sub.filter(), stamped.topic()) && !(sub.noLocal() && s == from)) {
                    ids.addAll(sub.ids());
                    if (best == null || sub.qos() > best.qos()) {
                        best = sub;
                    }
                }
            }
            if (best != null) {
                deliver(s, stamped.toBuilder().qos(Math.min(stamped.qos(), best.qos()))
                        .retain(best.retainAsPublished() && stamped.retain()).build(), List.copyOf(ids));
                recipients++;
            }
        }
        return new PublishResult(stamped.id(), true, recipients, null, null);
    }

    private void deliver(FakeSession s, Message m, List<Integer> subscriptionIds) {
        Outcome outcome = new Outcome(s.clientId, m, subscriptionIds);
        outcomes.add(outcome);
        s.receiver.deliver(m, outcome);
    }

    /** Delivers {@code message} to the session of {@code clientId} as if routed (on the broker thread). */
    void deliverTo(String clientId, Message message) {
        deliverTo(clientId, message, List.of());
    }

    /** Delivers {@code message} as if routed through subscriptions with {@code subscriptionIds}. */
    void deliverTo(String clientId, Message message, List<Integer> subscriptionIds) {
        worker.execute(() -> {
            FakeSession s = sessions.get(clientId);
            Message stamped = message.id() != 0 ? message : message.toBuilder().id(ids.incrementAndGet()).build();
            deliver(s, stamped, subscriptionIds);
        });
    }

    /** The outcomes of deliveries to {@code clientId}, in order. */
    List<Outcome> outcomesOf(String clientId) {
        List<Outcome> found = new ArrayList<>();
        for (Outcome o : outcomes) {
            if (o.recipient.equals(clientId)) {
                found.add(o);
            }
        }
        return found;
    }

    static RefusedException refused(ReasonCode code, String reason) {
        return new RefusedException(code, reason);
    }

    void shutdown() {
        worker.shutdownNow();
    }

    /** The MQTT state of the session of {@code clientId} (its receiver), or {@code null}. */
    MqttSession stateOf(String clientId) {
        FakeSession s = sessions.get(clientId);
        return s == null ? null : (MqttSession) s.receiver;
    }
}
