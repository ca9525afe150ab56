package io.switchboard.testkit;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

import io.switchboard.api.Admission;
import io.switchboard.api.Call;
import io.switchboard.api.Connection;
import io.switchboard.api.Login;
import io.switchboard.api.Message;
import io.switchboard.api.MessageModule;
import io.switchboard.api.MessageStatus;
import io.switchboard.api.Session;
import io.switchboard.api.Subscription;
import io.switchboard.api.Verdict;
import io.switchboard.api.Worker;
import io.switchboard.api.admin.ChainEvent;

/**
 * Drives a module's callbacks as the broker would, on the calling thread, and returns what it decided:
 *
 * <pre>{@code
 * FakeHost host = new FakeHost();
 * MyModule module = new MyModule(host, Configs.of(MyConfig.class, Map.of("limit", 3)));
 * ModuleProbe probe = ModuleProbe.of(module).with(host).on(new FakeWorker(0));
 *
 * probe.message(TestMessages.text("alice", "chat/room", "hello")).from(FakeSession.of("alice")).assertPassed();
 * probe.message(msg).to(FakeSession.of("bob")).assertReplacedWithPayload("hola");   // onDelivery
 * probe.login(FakeLogin.of("alice", "secret")).assertAccepted();
 * }</pre>
 *
 * <p>A callback that throws is captured in the result ({@link DecisionResult#assertFailed()}), as the
 * broker captures it to apply the module's failure policy; observation callbacks (status, session,
 * worker events) rethrow instead. With {@link #on(Worker)} and {@link #with(FakeHost)}, the host's
 * {@link FakeHost#currentWorker()} is that worker during each call.
 */
public final class ModuleProbe {

    /** How long the result assertions wait for a {@code later} decision unless {@link #timeout} says otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private final MessageModule module;
    private FakeHost host;
    private Worker worker;
    private Duration timeout = DEFAULT_TIMEOUT;

    private ModuleProbe(MessageModule module) {
        this.module = Objects.requireNonNull(module, "module");
    }

    /** A probe of {@code module}. */
    public static ModuleProbe of(MessageModule module) {
        return new ModuleProbe(module);
    }

    /** The host whose {@link FakeHost#currentWorker()} reports {@link #on(Worker) the worker} during calls. */
    public ModuleProbe with(FakeHost host) {
        this.host = host;
        return this;
    }

    /** The worker the calls run "on"; needs {@link #with(FakeHost)} to be visible to the module. */
    public ModuleProbe on(Worker worker) {
        this.worker = worker;
        return this;
    }

    /** How long the result assertions wait for a {@code later} decision (default 5 s). */
    public ModuleProbe timeout(Duration timeout) {
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        return this;
    }

    /** The module under test. */
    public MessageModule module() {
        return module;
    }

    /**
     * The events whose callbacks the module's class overrides: the broker calls only these (the others
     * cost nothing). Computed as the broker computes it.
     */
    public Set<ChainEvent> handledEvents() {
        Set<ChainEvent> events = EnumSet.noneOf(ChainEvent.class);
        for (ChainEvent event : ChainEvent.values()) {
            for (Method m : MessageModule.class.getMethods()) {
                if (m.getName().equals(event.callback())) {
                    try {
                        Method impl = module.getClass().getMethod(m.getName(), m.getParameterTypes());
                        if (impl.getDeclaringClass() != MessageModule.class) {
                            events.add(event);
                        }
                    } catch (NoSuchMethodException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
        return events;
    }

    // ------------------------------------------------------------------------------ messages

    /** A message, to hand to the module as published ({@link MessageStep#from}) or delivered ({@link MessageStep#to}). */
    public MessageStep message(Message message) {
        return new MessageStep(Objects.requireNonNull(message, "message"));
    }

    /** {@code onMessage} from an online session of the message's sender ({@code user} if it has none). */
    public VerdictResult publish(Message message) {
        return message(message).from(FakeSession.of(message.from() == null ? "user" : message.from()));
    }

    /** Hands a message to {@code onMessage} or {@code onDelivery}. */
    public final class MessageStep {
        private final Message message;

        private MessageStep(Message message) {
            this.message = message;
        }

        /** {@code onMessage(message, sender)}: the message was published by {@code sender}. */
        public VerdictResult from(Session sender) {
            return verdict("onMessage(" + message + ", " + sender + ")", message, () -> module.onMessage(message, sender));
        }

        /** {@code onDelivery(message, recipient)}: the message is about to reach {@code recipient}. */
        public VerdictResult to(Session recipient) {
            return verdict("onDelivery(" + message + ", " + recipient + ")", message, () -> module.onDelivery(message, recipient));
        }
    }

    /** {@code onCall(call)}: a call set-up. */
    public VerdictResult call(Call call) {
        return verdict("onCall(" + call + ")", call.message(), () -> module.onCall(call));
    }

    // ------------------------------------------------------------------------------ admissions

    /** {@code onConnect(connection)}. */
    public AdmissionResult connect(Connection connection) {
        return admission("onConnect(" + connection + ")", () -> module.onConnect(connection));
    }

    /** {@code onTlsEstablished(connection)}. */
    public AdmissionResult tlsEstablished(Connection connection) {
        return admission("onTlsEstablished(" + connection + ")", () -> module.onTlsEstablished(connection));
    }

    /** {@code onLogin(login)}. */
    public AdmissionResult login(Login login) {
        return admission("onLogin(" + login + ")", () -> module.onLogin(login));
    }

    /** {@code onSubscribe(session, subscription)}. */
    public AdmissionResult subscribe(Session session, Subscription subscription) {
        return admission("onSubscribe(" + session + ", " + subscription + ")", () -> module.onSubscribe(session, subscription));
    }

    /** {@code onSubscribe} at QoS 1 with default options. */
    public AdmissionResult subscribe(Session session, String topicFilter) {
        return subscribe(session, Subscription.of(topicFilter, 1));
    }

    // ------------------------------------------------------------------------------ observations

    /** {@code onStatus(status)}; rethrows what the module throws. */
    public ModuleProbe status(MessageStatus status) {
        return observe(() -> module.onStatus(status));
    }

    /** {@code onCallStatus(call)}; rethrows. */
    public ModuleProbe callStatus(Call call) {
        return observe(() -> module.onCallStatus(call));
    }

    /** {@code onLogout(session, reason)}; rethrows. */
    public ModuleProbe logout(Session session, String reason) {
        return observe(() -> module.onLogout(session, reason));
    }

    /** {@code onUnsubscribe(session, topicFilter)}; rethrows. */
    public ModuleProbe unsubscribe(Session session, String topicFilter) {
        return observe(() -> module.onUnsubscribe(session, topicFilter));
    }

    /** {@code onSessionOpen(session)}; rethrows. */
    public ModuleProbe sessionOpen(Session session) {
        return observe(() -> module.onSessionOpen(session));
    }

    /** {@code onSessionClose(session)}; rethrows. */
    public ModuleProbe sessionClose(Session session) {
        return observe(() -> module.onSessionClose(session));
    }

    /** {@code onSessionFree(session)}; rethrows. */
    public ModuleProbe sessionFree(Session session) {
        return observe(() -> module.onSessionFree(session));
    }

    /** {@code onWorkerStart(worker)}, with {@code worker} as the current worker; rethrows. */
    public ModuleProbe workerStart(Worker worker) {
        return observeOn(worker, () -> module.onWorkerStart(worker));
    }

    /** {@code onWorkerStop(worker)}, with {@code worker} as the current worker; rethrows. */
    public ModuleProbe workerStop(Worker worker) {
        return observeOn(worker, () -> module.onWorkerStop(worker));
    }

    // ------------------------------------------------------------------------------

    private VerdictResult verdict(String call, Message message, Supplier<Verdict> callback) {
        try {
            return new VerdictResult(call, message, run(worker, callback), null, timeout);
        } catch (RuntimeException | AssertionError | StackOverflowError e) {
            return new VerdictResult(call, message, null, e, timeout);
        }
    }

    private AdmissionResult admission(String call, Supplier<Admission> callback) {
        try {
            return new AdmissionResult(call, run(worker, callback), null, timeout);
        } catch (RuntimeException | AssertionError | StackOverflowError e) {
            return new AdmissionResult(call, null, e, timeout);
        }
    }

    private ModuleProbe observe(Runnable callback) {
        return observeOn(worker, callback);
    }

    private ModuleProbe observeOn(Worker w, Runnable callback) {
        run(w, () -> {
            callback.run();
            return null;
        });
        return this;
    }

    private <T> T run(Worker w, Supplier<T> callback) {
        return host == null ? callback.get() : host.asWorker(w, callback);
    }

    @Override
    public String toString() {
        return "ModuleProbe[" + module + "]";
    }
}
