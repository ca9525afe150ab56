package io.switchboard.core.internal.status;

import io.switchboard.api.Message;
import io.switchboard.api.MessageStatus;
import io.switchboard.api.admin.ChainEvent;
import io.switchboard.core.internal.chain.ObservationRun;
import io.switchboard.core.internal.modules.ModuleRegistry;
import io.switchboard.core.internal.routing.ModuleSends;
import io.switchboard.core.internal.workers.WorkerPool;
import io.switchboard.core.internal.workers.WorkerThread;

/**
 * Raises message statuses to the modules observing them ({@code onStatus}). The statuses of one message run
 * on one worker, chosen by its id, so they are observed in the order they were raised.
 */
public final class StatusBus {

    private final ModuleRegistry registry;
    private final WorkerPool workers;
    private final ModuleSends moduleSends;

    public StatusBus(ModuleRegistry registry, WorkerPool workers, ModuleSends moduleSends) {
        this.registry = registry;
        this.workers = workers;
        this.moduleSends = moduleSends;
    }

    /** Raises {@code state} of {@code m}; costs nothing when no module observes statuses. */
    public void raise(Message m, MessageStatus.State state, String recipient, String reason) {
        if (registry.chains().of(ChainEvent.STATUS).length == 0) {
            return;
        }
        raise(new StatusImpl(m.id(), state, m.topic(), m.from(), recipient, reason, System.currentTimeMillis()));
    }

    /** {@code reader} reports having read the message {@code messageId}. */
    public void read(String reader, long messageId) {
        raise(new StatusImpl(messageId, MessageStatus.State.READ, null, null, reader, null, System.currentTimeMillis()));
    }

    private void raise(StatusImpl status) {
        WorkerThread w = workers.workerFor(status.messageId());
        // a module sending from onStatus continues the hop count of the message the status is about
        w.execute(() -> new ObservationRun(ChainEvent.STATUS, registry.chains().of(ChainEvent.STATUS), status.topic(),
                e -> e.module().onStatus(status), w, moduleSends.hopsOf(status.messageId()), () -> {
                }).run());
    }
}
