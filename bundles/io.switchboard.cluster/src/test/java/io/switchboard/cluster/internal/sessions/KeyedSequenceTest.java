package io.switchboard.cluster.internal.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

class KeyedSequenceTest {

    private final KeyedSequence sequence = new KeyedSequence();
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());

    @Test
    void stepsOfOneKeyRunOneAfterAnotherAndOfOtherKeysAtOnce() {
        CompletableFuture<Void> firstStep = new CompletableFuture<>();
        CompletableFuture<Void> first = sequence.run("x", () -> {
            log.add("x1 starts");
            return firstStep;
        });
        CompletableFuture<Void> second = sequence.run("x", () -> {
            log.add("x2 starts");
            return CompletableFuture.completedFuture(null);
        });
        CompletableFuture<Void> other = sequence.run("y", () -> {
            log.add("y1 starts");
            return CompletableFuture.completedFuture(null);
        });
        assertThat(log).containsExactly("x1 starts", "y1 starts");
        assertThat(second).isNotDone();
        assertThat(other).isCompleted();

        firstStep.complete(null);
        assertThat(first).isCompleted();
        assertThat(second).isCompleted();
        assertThat(log).containsExactly("x1 starts", "y1 starts", "x2 starts");
        assertThat(sequence.busyKeys()).isZero();
    }

    @Test
    void aFailedStepFailsItsOwnResultOnlyAndTheNextRuns() {
        CompletableFuture<Void> failed = sequence.run("x", () -> {
            throw new IllegalStateException("boom");
        });
        CompletableFuture<Void> next = sequence.run("x", () -> {
            log.add("next");
            return CompletableFuture.completedFuture(null);
        });
        assertThat(failed).isCompletedExceptionally();
        assertThat(next).isCompleted();
        assertThat(log).containsExactly("next");
    }
}
