package io.switchboard.core.internal.modules;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.switchboard.core.internal.chain.ChainRun;

/**
 * The place in the chain of a module whose service went away while a successor is expected (its bundle
 * is updating or stopping, or its component is being re-created for a new configuration). Chain runs
 * that reach it wait for the successor instead of skipping the module, so each of them is decided by the
 * old or the new version, never by neither; the wait is bounded by the module's time budget, after which
 * its failure policy decides (see {@link ChainRun}).
 */
public final class Vacancy {

    private final CompletableFuture<ModuleEntry> successor = new CompletableFuture<>();

    /** Completes with the successor, or with null when the module left for good. */
    public CompletionStage<ModuleEntry> successor() {
        return successor;
    }

    void filledBy(ModuleEntry entry) {
        successor.complete(entry);
    }

    /** No successor came within the module's budget: waiting runs get the failure policy. */
    void abandon() {
        successor.complete(null);
    }
}
