package io.switchboard.core.internal.modules;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import io.switchboard.api.admin.ChainEvent;
import org.osgi.framework.Bundle;

/**
 * An immutable snapshot of the module chains: for each event, the modules that handle it, in call
 * order (highest ranking first, then lowest service id). A message takes the snapshot current when it
 * enters and runs to its end with it, whatever happens to the modules meanwhile.
 */
public final class Chains {

    static final Comparator<ModuleEntry> ORDER = Comparator.comparingInt(ModuleEntry::ranking).reversed()
            .thenComparingLong(e -> e.serviceId);

    private static final ModuleEntry[] NONE = new ModuleEntry[0];
    private static final Set<ChainEvent> OBSERVATIONS = EnumSet.of(ChainEvent.LOGOUT, ChainEvent.UNSUBSCRIBE,
            ChainEvent.STATUS, ChainEvent.CALL_STATUS, ChainEvent.SESSION_OPEN, ChainEvent.SESSION_CLOSE,
            ChainEvent.SESSION_FREE, ChainEvent.WORKER_START, ChainEvent.WORKER_STOP);

    /** The chains a publish runs in its own step (observers of statuses run later, on workers). */
    private static final Set<ChainEvent> PUBLISH_STEP = EnumSet.of(ChainEvent.MESSAGE, ChainEvent.DELIVERY,
            ChainEvent.CALL, ChainEvent.CALL_STATUS, ChainEvent.DECISION);

    // after NONE, which the constructor uses
    static final Chains EMPTY = new Chains(List.of());

    private final ModuleEntry[][] byEvent = new ModuleEntry[ChainEvent.values().length][];
    private final List<ModuleEntry> all;
    private final Supersession supersession;
    /** Every module a publish meets in its own step declares itself non-blocking (or there is none). */
    private final boolean publishNonBlocking;

    Chains(Collection<ModuleEntry> entries) {
        List<ModuleEntry> sorted = new ArrayList<>(entries);
        sorted.sort(ORDER);
        this.all = List.copyOf(sorted);
        this.supersession = new Supersession(sorted);
        for (ChainEvent event : ChainEvent.values()) {
            // a vacancy holds only the chains that decide: an observation cannot wait for the successor
            boolean decides = !OBSERVATIONS.contains(event);
            List<ModuleEntry> chain = new ArrayList<>();
            for (ModuleEntry e : sorted) {
                if (e.inChain() && e.handles(event) && supersession.supersededBy(e) == null
                        && (decides || e.vacancy == null)) {
                    chain.add(e);
                }
            }
            byEvent[event.ordinal()] = chain.isEmpty() ? NONE : chain.toArray(NONE);
        }
        this.publishNonBlocking = PUBLISH_STEP.stream().flatMap(event -> Arrays.stream(of(event)))
                .allMatch(e -> e.description().nonBlocking());
    }

    /**
     * Whether a client's publish may run its chains on the thread that read it (a network thread) instead of
     * handing it to a worker: when every module of the chains that run in a publish's own step (message,
     * delivery, call, decision) declares itself {@link io.switchboard.api.ModuleProperties#NON_BLOCKING non-blocking}.
     */
    public boolean publishNonBlocking() {
        return publishNonBlocking;
    }

    /** Whether no module handles any of {@code events}: their steps call no module, so they may run on any thread. */
    public boolean noneHandle(ChainEvent... events) {
        for (ChainEvent event : events) {
            if (byEvent[event.ordinal()].length > 0) {
                return false;
            }
        }
        return true;
    }

    /** The modules handling {@code event} in call order; an empty array if none (no cost to dispatch). */
    public ModuleEntry[] of(ChainEvent event) {
        return byEvent[event.ordinal()];
    }

    /** The bundle of a newer version that keeps {@code entry} out of the chains, or null. */
    Bundle supersededBy(ModuleEntry entry) {
        return supersession.supersededBy(entry);
    }

    /** Every tracked module, disabled ones included, in chain order. */
    public List<ModuleEntry> all() {
        return all;
    }
}
