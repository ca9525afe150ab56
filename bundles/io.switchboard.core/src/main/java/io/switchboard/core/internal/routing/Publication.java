package io.switchboard.core.internal.routing;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import io.switchboard.api.Message;
import io.switchboard.api.Verdict;
import io.switchboard.api.broker.PublishResult;
import io.switchboard.core.internal.chain.ChainRun;
import io.switchboard.core.internal.modules.Chains;
import io.switchboard.core.internal.modules.ModuleEntry;
import io.switchboard.core.internal.sessions.SessionImpl;
import org.osgi.framework.Bundle;

/**
 * One publish on its way through the broker: the stamped message, who sent it and the result to complete. It is
 * the step queued on the sender's session and the message chain's call and completion, so a publish allocates
 * this one object for them rather than a closure for each.
 */
final class Publication implements Consumer<SessionImpl>, ChainRun.Call, ChainRun.Done {

    final Message message;
    final int hops;
    /** Modules of this bundle do not see the message (a module's own message), or null. */
    final Bundle skipBundle;
    final CompletableFuture<PublishResult> result;
    private final Router router;
    /** Set when the step runs, on the sender's worker. */
    SessionImpl sender;
    /** The chains as they were when the step ran: the message's chains and its deliveries' agree. */
    Chains chains;

    Publication(Router router, Message message, int hops, Bundle skipBundle, CompletableFuture<PublishResult> result) {
        this.router = router;
        this.message = message;
        this.hops = hops;
        this.skipBundle = skipBundle;
        this.result = result;
    }

    @Override
    public void accept(SessionImpl session) {
        sender = session;
        router.process(this);
    }

    @Override
    public Verdict call(ModuleEntry entry, Message m) throws Exception {
        return entry.module().onMessage(m, sender);
    }

    @Override
    public void done(Verdict outcome, Message m, ModuleEntry decidedBy) {
        router.messageChainDone(this, outcome, m, decidedBy);
    }
}
