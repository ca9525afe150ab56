package io.switchboard.core.internal.routing;

import java.util.concurrent.ScheduledExecutorService;
import java.util.function.IntConsumer;

import io.switchboard.api.Message;
import io.switchboard.api.MessageStatus;
import io.switchboard.api.Verdict;
import io.switchboard.core.internal.chain.ChainRun;
import io.switchboard.core.internal.modules.ModuleEntry;
import io.switchboard.core.internal.sessions.SessionImpl;
import io.switchboard.core.internal.workers.CoreContext;
import io.switchboard.core.internal.workers.Steps;
import io.switchboard.core.internal.workers.WorkerThread;

/**
 * One message's deliveries through a delivery chain of modules, one target after another on the worker (a module
 * may decide later). It is the steps' step and each delivery chain run's call and completion, for the target
 * being decided, so a message allocates this one object for its deliveries rather than closures per target.
 */
final class Deliveries implements Steps.Step, ChainRun.Call, ChainRun.Done {

    private final Router router;
    private final Message message;
    private final Fanout targets;
    private final ModuleEntry[] chain;
    private final boolean retainedDelivery;
    private final boolean handOver;
    private final WorkerThread worker;
    private final ScheduledExecutorService timer;
    private final IntConsumer done;
    private final int hops = CoreContext.hops();
    private int recipients;
    /** The message as the previous target got it: targets with the same flags share one copy. */
    private Message adjusted;
    private SubscriptionTree.Entry target;
    private Runnable next;

    Deliveries(Router router, Message message, Fanout targets, ModuleEntry[] chain, boolean retainedDelivery,
            boolean handOver, WorkerThread worker, ScheduledExecutorService timer, IntConsumer done) {
        this.router = router;
        this.message = message;
        this.targets = targets;
        this.chain = chain;
        this.retainedDelivery = retainedDelivery;
        this.handOver = handOver;
        this.worker = worker;
        this.timer = timer;
        this.done = done;
    }

    void start() {
        new Steps(worker, targets.size(), this, () -> done.accept(recipients)).start();
    }

    @Override
    public void run(int index, Runnable stepDone) {
        target = targets.get(index);
        next = stepDone;
        adjusted = Router.adjust(message, target, retainedDelivery, adjusted);
        ChainRun.start(chain, 0, adjusted, this, this, worker, timer, null, hops);
    }

    @Override
    public Verdict call(ModuleEntry entry, Message m) throws Exception {
        return entry.module().onDelivery(m, target.session());
    }

    @Override
    public void done(Verdict verdict, Message m, ModuleEntry by) {
        SessionImpl recipient = target.session();
        if (verdict.kind() == Verdict.Kind.CONSUME) {
            router.deliveryStatus(m, MessageStatus.State.FAILED, recipient.user(), "not delivered: consumed by module '"
                    + by.name() + "'" + (verdict.reason() == null ? "" : ": " + verdict.reason()));
        } else {
            router.deliver(m, target, handOver, targets);
            recipients++;
        }
        next.run();
    }
}
