package io.switchboard.cluster.internal.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class OutgoingRelaysTest {

    private final AtomicLong now = new AtomicLong();
    private final OutgoingRelays relays = new OutgoingRelays(now::get);

    @Test
    void aRelayLastsUntilTheNodeThatTookTheSessionSaysItIsOver() {
        assertThat(relays.leaving("s")).as("not moving").isNull();
        relays.start("s", "b");
        CompletionStage<Void> over = relays.leaving("s");

        relays.over("s", "c"); // not the node it moves to

        assertThat(relays.target("s")).isEqualTo("b");
        assertThat(over.toCompletableFuture()).isNotDone();
        relays.over("s", "b");
        assertThat(over.toCompletableFuture()).isDone();
        assertThat(relays.target("s")).isNull();
    }

    @Test
    void aRelayEndsWhenItsNodeLeavesOrItsTimeIsUp() {
        relays.start("s1", "b");
        relays.start("s2", "c");
        CompletionStage<Void> toB = relays.leaving("s1");
        CompletionStage<Void> toC = relays.leaving("s2");

        relays.nodeLeft("b");
        assertThat(toB.toCompletableFuture()).isDone();
        assertThat(relays.size()).isEqualTo(1);

        now.addAndGet(TimeUnit.SECONDS.toNanos(OutgoingRelays.TIMEOUT_SECONDS) - 1);
        relays.expire();
        assertThat(toC.toCompletableFuture()).isNotDone();
        now.addAndGet(2);
        relays.expire();
        assertThat(toC.toCompletableFuture()).isDone();
        assertThat(relays.size()).isZero();
    }

    @Test
    void everyRelayEndsWhenThisNodeLeavesTheCluster() {
        relays.start("s1", "b");
        relays.start("s2", "c");
        CompletionStage<Void> first = relays.leaving("s1");

        relays.endAll();

        assertThat(first.toCompletableFuture()).isDone();
        assertThat(relays.size()).isZero();
    }

    @Test
    void aNewMoveOfTheSameSessionEndsTheEarlierRelay() {
        relays.start("s", "b");
        CompletionStage<Void> first = relays.leaving("s");

        relays.start("s", "c");

        assertThat(first.toCompletableFuture()).isDone();
        assertThat(relays.target("s")).isEqualTo("c");
    }
}
