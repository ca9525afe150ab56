package io.switchboard.core.internal;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledThreadPoolExecutor;

import io.switchboard.api.Message;
import io.switchboard.api.MessageModule;
import io.switchboard.api.Session;
import io.switchboard.api.Verdict;
import io.switchboard.api.admin.ChainEvent;
import io.switchboard.core.internal.chain.ChainRun;
import io.switchboard.core.internal.modules.ModuleEntry;
import io.switchboard.core.internal.modules.ModuleRegistry;
import io.switchboard.core.internal.sessions.SessionImpl;
import io.switchboard.core.internal.workers.CoreContext;
import io.switchboard.core.internal.workers.WorkerThread;

/**
 * A message chain built by the core's own {@link ModuleRegistry} from stand-in registrations, and a
 * publisher session on a worker, to run {@link ChainRun}s the way {@code Router.messageChain} does.
 *
 * <p>The worker is a real {@link WorkerThread} whose thread is never started: the benchmark thread
 * runs the chain itself, after entering the worker's context ({@link CoreContext#enterWorker}) as the
 * worker's loop does. That keeps everything the chain does per module call (the watchdog's
 * begin/end bookkeeping on the worker, the hop count, the counters) without handing each message to
 * another thread, which would measure a queue and a wake-up instead of the dispatch. Nothing checks
 * the calling thread on this path; only the watchdog (not running here) would look at the worker.
 */
final class ChainFixture implements AutoCloseable {

    /** The topic of the benchmark messages; deep enough to look like a real device topic. */
    static final String TOPIC = "site/7/device/42/temp";

    final ModuleEntry[] chain;
    final Message message;
    private final WorkerThread worker = StandInOsgi.worker();
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
    private final SessionImpl publisher;

    private Verdict outcome;
    private Message outcomeMessage;
    private final ChainRun.Call call = (e, m) -> e.module().onMessage(m, publisher());
    private final ChainRun.Done done = (verdict, m, by) -> {
        outcome = verdict;
        outcomeMessage = m;
    };

    /** {@code modules} in call order (the first gets the highest ranking). */
    ChainFixture(MessageModule... modules) {
        ModuleRegistry registry = new ModuleRegistry();
        for (int i = 0; i < modules.length; i++) {
            registry.add(StandInOsgi.moduleReference("module-" + i, modules.length - i), modules[i]);
        }
        this.chain = registry.chains().of(ChainEvent.MESSAGE);
        if (chain.length != modules.length) {
            throw new IllegalStateException("expected " + modules.length + " modules in the message chain, got " + chain.length);
        }
        this.publisher = new SessionImpl(1, "bench-publisher", "bench-publisher", "bench", null,
                (m, delivery) -> delivery.delivered(), worker);
        // stamped as Router.publish stamps a message before its chain
        this.message = sample().toBuilder().id(1).from(publisher.user()).timestamp(System.currentTimeMillis())
                .recipientOnline(true).build();
        CoreContext.enterWorker(worker);
    }

    /**
     * One message through the chain, as {@code Router.messageChain} runs it: a run the worker kept from the
     * previous message, with the call and completion of the publish (the router's {@code Publication}, made once
     * per publish before the chain; here once per fixture). Returns the message the chain ended with.
     */
    Message dispatch() {
        ChainRun.start(chain, 0, message, call, done, worker, timer, null, 0);
        return outcomeMessage;
    }

    private SessionImpl publisher() {
        return publisher;
    }

    /** The verdict the last {@link #dispatch()} ended with (pass or consume). */
    Verdict outcome() {
        return outcome;
    }

    /** The message a client publishes: QoS 1, a 64-byte payload. */
    static Message sample() {
        return Message.builder(TOPIC).payload(payload(64, 'p')).qos(1).build();
    }

    /** A payload of {@code size} bytes of one ASCII letter. */
    static byte[] payload(int size, char letter) {
        return String.valueOf(letter).repeat(size).getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() {
        CoreContext.leaveWorker();
        timer.shutdownNow();
    }

    // Three module classes, used in turn: in a broker every module is its own class (from its own
    // bundle), so from three modules on the chain's call to onMessage cannot be inlined for one type.

    static MessageModule passing(int index) {
        return switch (index % 3) {
            case 0 -> new PassA();
            case 1 -> new PassB();
            default -> new PassC();
        };
    }

    static final class PassA implements MessageModule {
        @Override
        public Verdict onMessage(Message message, Session sender) {
            return Verdict.pass();
        }
    }

    static final class PassB implements MessageModule {
        @Override
        public Verdict onMessage(Message message, Session sender) {
            return Verdict.pass();
        }
    }

    static final class PassC implements MessageModule {
        @Override
        public Verdict onMessage(Message message, Session sender) {
            return Verdict.pass();
        }
    }

    /** Consumes every message (a filter that drops it). */
    static final class Consuming implements MessageModule {
        @Override
        public Verdict onMessage(Message message, Session sender) {
            return Verdict.consume();
        }
    }

    /**
     * Replaces every message with a changed copy prepared once, so that what is measured is the chain
     * handling a replacement (the verdict and the hand-over), not the module building its copy.
     */
    static final class Changing implements MessageModule {
        private final Message changed;

        Changing() {
            Message original = sample();
            this.changed = original.toBuilder().payload(payload(original.payloadSize(), 'c')).build();
        }

        @Override
        public Verdict onMessage(Message message, Session sender) {
            return Verdict.replace(changed);
        }
    }
}
