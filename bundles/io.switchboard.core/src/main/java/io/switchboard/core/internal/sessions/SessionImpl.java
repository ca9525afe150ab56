package io.switchboard.core.internal.sessions;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;
import java.util.function.Consumer;

import io.switchboard.api.Connection;
import io.switchboard.api.Message;
import io.switchboard.api.MessageModule;
import io.switchboard.api.Session;
import io.switchboard.api.broker.Receiver;
import io.switchboard.core.internal.modules.ModuleStates;
import io.switchboard.core.internal.routing.SubscriptionTree;
import io.switchboard.core.internal.workers.WorkerThread;

/**
 * A session. Its operations (publish, subscribe, close) are steps queued on its worker and run one
 * at a time in arrival order; a step waiting for an asynchronous module decision holds back the
 * session's later steps, and only those.
 */
public final class SessionImpl implements Session {

    private final long id;
    private final String clientId;
    private final String user;
    private final String protocol;
    private volatile Connection connection;
    /** Where deliveries go: a front door's state of the session; replaced when a login resuming the session asks so. */
    private volatile Receiver receiver;
    private final WorkerThread worker;
    private final ModuleStates states = new ModuleStates();
    /** This session's subscriptions by filter. */
    private final Map<String, SubscriptionTree.Entry> subscriptions = new ConcurrentHashMap<>();
    volatile boolean online = true;
    volatile boolean closed;
    /** Closed and moving to another node whose routes are not everywhere yet: what it is routed is relayed there. */
    volatile boolean relaying;
    /**
     * Deliveries kept behind the hand-over of what the session missed ({@link #holdDeliveries}); changed under this
     * session's lock (one lock: a hold racing a release is not lost), read without it first on the delivery path.
     */
    private volatile ArrayDeque<Kept> keptDeliveries;
    /**
     * While deliveries are kept: the messages the hand-over delivered (as routing got them, compared by identity), so
     * that a kept delivery of one of them is not delivered a second time; under this session's lock.
     */
    private Set<Message> handedOver;
    /** The close step has released the session's subscriptions and state; confined to the worker. */
    boolean freed;

    // confined to the worker thread
    private final ArrayDeque<Consumer<SessionImpl>> steps = new ArrayDeque<>();
    private boolean busy;
    /** The thread inside drain(), so a step ending synchronously does not start a nested drain. */
    private Thread drainingThread;

    public SessionImpl(long id, String clientId, String user, String protocol, Connection connection, Receiver receiver,
            WorkerThread worker) {
        this.id = id;
        this.clientId = clientId;
        this.user = user;
        this.protocol = protocol;
        this.connection = connection;
        this.receiver = receiver;
        this.worker = worker;
    }

    /**
     * Queues a step; it runs on the session's worker after the earlier steps finished. The step must
     * call {@link #stepDone()} exactly once, now or later (on the worker).
     */
    public void enqueue(Consumer<SessionImpl> step) {
        worker.execute(() -> {
            steps.add(step);
            drain();
        });
    }

    /**
     * Runs a step like {@link #enqueue}, but on the calling thread when the worker is idle with nothing queued
     * ({@link WorkerThread#runHereIfIdle}): for steps that never block, from a network thread, saving the hand-off.
     */
    public void submit(Consumer<SessionImpl> step) {
        Runnable task = () -> {
            steps.add(step);
            drain();
        };
        worker.runHereOrQueue(task);
    }

    /** Ends the current step; the next one starts. Call on the worker. */
    public void stepDone() {
        busy = false;
        if (drainingThread != Thread.currentThread()) {
            drain();
        }
    }

    private void drain() {
        Thread previous = drainingThread;
        drainingThread = Thread.currentThread();
        try {
            Consumer<SessionImpl> step;
            // an abandoned worker thread (see WorkerThread.checkOverrun) must not touch the queue again
            while (!busy && worker.isCurrent() && (step = steps.poll()) != null) {
                busy = true;
                step.accept(this);
            }
        } finally {
            if (worker.isCurrent()) {
                drainingThread = previous;
            }
        }
    }

    /** Steps waiting behind the current one. */
    int backlog() {
        return steps.size();
    }

    /** The worker all of this session's steps run on. */
    public WorkerThread worker() {
        return worker;
    }

    /** Where deliveries go now. */
    public Receiver receiver() {
        return receiver;
    }

    /** This session's subscriptions by filter; changed by the router in the session's steps. */
    public Map<String, SubscriptionTree.Entry> subscriptions() {
        return subscriptions;
    }

    /** From now on routing's deliveries to this session wait for {@link #releaseDeliveries}, in order. */
    public synchronized void holdDeliveries() {
        if (keptDeliveries == null) {
            keptDeliveries = new ArrayDeque<>();
        }
    }

    /** Whether deliveries are kept now (one volatile read on the delivery path). */
    public boolean keepsDeliveries() {
        return keptDeliveries != null;
    }

    /**
     * Keeps {@code delivery} of {@code routed} (the message as routing got it, or null; {@code orderKey}: its
     * publisher's, or null) for {@link #releaseDeliveries}; false when deliveries are no longer kept (deliver now).
     */
    public boolean keep(Message routed, String orderKey, Runnable delivery) {
        if (keptDeliveries == null) {
            return false;
        }
        synchronized (this) {
            if (keptDeliveries == null) {
                return false; // released meanwhile: what was kept went before this one
            }
            keptDeliveries.add(new Kept(routed, orderKey, delivery));
            return true;
        }
    }

    /**
     * The hand-over delivers {@code routed} (the message as routing got it) now: if routing delivers it too while
     * deliveries are kept (it raced the restore), that kept delivery is dropped at the release.
     */
    public synchronized void handingOver(Message routed) {
        if (keptDeliveries != null) {
            if (handedOver == null) {
                handedOver = Collections.newSetFromMap(new IdentityHashMap<>());
            }
            handedOver.add(routed);
        }
    }

    /**
     * Runs the kept deliveries in order, but those of a message the hand-over delivered already or {@code had} accepts
     * (the message as routing got it, its order key); from now on deliveries run at once.
     *
     * @return how many kept deliveries were dropped as duplicates
     */
    public synchronized int releaseDeliveries(BiPredicate<Message, String> had) {
        if (keptDeliveries == null) {
            return 0;
        }
        int duplicates = 0;
        for (Kept kept = keptDeliveries.poll(); kept != null; kept = keptDeliveries.poll()) {
            if (kept.routed() != null && (handedOver != null && handedOver.contains(kept.routed())
                    || had.test(kept.routed(), kept.orderKey()))) {
                duplicates++;
            } else {
                kept.delivery().run();
            }
        }
        keptDeliveries = null;
        handedOver = null;
        return duplicates;
    }

    /**
     * A kept delivery, with the message as routing got it (null when it has no twin another way: a retained one) and
     * its publisher's order key.
     */
    private record Kept(Message routed, String orderKey, Runnable delivery) {
    }

    /** Closed: routing skips it, requests are refused. */
    public boolean isClosed() {
        return closed;
    }

    /** Closed, and what its subscriptions match goes to the node it moves to ({@link io.switchboard.api.broker.ClusterPeer#relay}). */
    public boolean isRelaying() {
        return relaying;
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
        return protocol;
    }

    @Override
    public Connection connection() {
        return connection;
    }

    /** Counts the logins that held this session; a stale handle's detach must not end a newer one. */
    volatile int attachment = 1;

    /** A new connection resumes this session. Call on the worker. */
    void attach(Connection newConnection, Receiver newReceiver) {
        this.connection = newConnection;
        this.receiver = newReceiver;
        this.online = true;
        this.attachment++;
    }

    @Override
    public boolean isOnline() {
        return online;
    }

    @Override
    public <T> T state(MessageModule owner, Class<T> type) {
        return states.get(owner, type);
    }

    @Override
    public void setState(MessageModule owner, Object state) {
        states.set(owner, state);
    }

    void forget(MessageModule owner) {
        states.set(owner, null);
    }

    @Override
    public String toString() {
        return "session " + id + " (client '" + clientId + "', user '" + user + "')";
    }
}
