package io.switchboard.cluster.internal.forwarding;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

/**
 * This node's side of confirmations: collects the ids of forwarded messages this node accepted (or could not), and
 * sends them back to the nodes they came from, on {@code sender}'s thread, all that collected meanwhile in one frame
 * per node and outcome. Confirmations come from the store's writer thread in bursts (one group commit completes many
 * messages), so batching costs no waiting: a send happens as soon as the previous one is done.
 */
public final class Confirmer {

    private record Outcome(String origin, boolean accepted) {
    }

    private final String self;
    private final Executor sender;
    private final BiConsumer<String, byte[]> send;
    private final Map<Outcome, ConcurrentLinkedQueue<Long>> queued = new ConcurrentHashMap<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    /**
     * @param self this node's name, as the frames carry it
     * @param sender runs the sends, one after another
     * @param send sends a confirmation frame to a node (its name, the frame)
     */
    public Confirmer(String self, Executor sender, BiConsumer<String, byte[]> send) {
        this.self = self;
        this.sender = sender;
        this.send = send;
    }

    /** Confirms message {@code id} to {@code origin}, the node it came from. Never blocks. */
    public void confirm(String origin, long id, boolean accepted) {
        queued.computeIfAbsent(new Outcome(origin, accepted), o -> new ConcurrentLinkedQueue<>()).add(id);
        if (scheduled.compareAndSet(false, true)) {
            try {
                sender.execute(this::sendQueued);
            } catch (RejectedExecutionException leaving) {
                // this node is leaving the cluster: the origin fails what it still waits for when it sees us go
            }
        }
    }

    private void sendQueued() {
        scheduled.set(false); // a confirmation queued from now on schedules another run
        for (Map.Entry<Outcome, ConcurrentLinkedQueue<Long>> e : queued.entrySet()) {
            List<Long> ids = new ArrayList<>();
            for (Long id; (id = e.getValue().poll()) != null; ) {
                ids.add(id);
            }
            if (!ids.isEmpty()) {
                long[] array = ids.stream().mapToLong(Long::longValue).toArray();
                send.accept(e.getKey().origin(), ConfirmationFrames.encode(self, e.getKey().accepted(), array));
            }
        }
    }
}
