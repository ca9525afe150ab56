package io.switchboard.cluster.internal.forwarding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;

import io.switchboard.api.broker.ForwardingException;
import org.junit.jupiter.api.Test;

class ConfirmationsTest {

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final Confirmations confirmations = new Confirmations(5000, clock::get);

    @Test
    void aMessageIsConfirmedWhenEveryNodeItWentToConfirmedIt() {
        Confirmations.Awaited awaited = confirmations.expect(List.of("b", "c"), "t");

        confirmations.confirmed("b", new long[] {awaited.id()}, true);
        assertThat(awaited.confirmed()).as("c has not confirmed").isNotDone();
        confirmations.confirmed("b", new long[] {awaited.id()}, true);
        assertThat(awaited.confirmed()).as("b twice is not c").isNotDone();
        confirmations.confirmed("c", new long[] {awaited.id()}, true);

        assertThat(awaited.confirmed()).isCompleted();
        assertThat(confirmations.size()).isZero();
    }

    @Test
    void eachNodeHasItsWaitingMessagesAndItsConfirmationsWithTheirWait() {
        Confirmations.Awaited first = confirmations.expect(List.of("b", "c"), "t");
        Confirmations.Awaited second = confirmations.expect(List.of("b"), "t");
        assertThat(confirmations.waitingByNode()).containsOnly(entry("b", 2), entry("c", 1));

        clock.addAndGet(3_000_000); // 3 ms
        confirmations.confirmed("b", new long[] {first.id(), second.id()}, true);
        clock.addAndGet(2_000_000);
        confirmations.confirmed("c", new long[] {first.id()}, true);
        confirmations.confirmed("c", new long[] {first.id()}, true); // again: counted once

        assertThat(confirmations.waitingByNode()).isEmpty();
        assertThat(confirmations.waitsFor("b")).isEqualTo(new Confirmations.Waits(2, 0.006));
        assertThat(confirmations.waitsFor("c")).isEqualTo(new Confirmations.Waits(1, 0.005));
        assertThat(confirmations.waitsFor("d")).isEqualTo(new Confirmations.Waits(0, 0));
    }

    @Test
    void eachMessageHasItsOwnIdAndOneFrameConfirmsSeveral() {
        Confirmations.Awaited first = confirmations.expect(List.of("b"), "t");
        Confirmations.Awaited second = confirmations.expect(List.of("b"), "t");
        Confirmations.Awaited third = confirmations.expect(List.of("b"), "t");
        assertThat(List.of(first.id(), second.id(), third.id())).doesNotHaveDuplicates();

        confirmations.confirmed("b", new long[] {third.id(), first.id()}, true);

        assertThat(first.confirmed()).isCompleted();
        assertThat(second.confirmed()).isNotDone();
        assertThat(third.confirmed()).isCompleted();
    }

    @Test
    void aNodeLeavingFailsWhatItHadNotConfirmedAndNothingElse() {
        Confirmations.Awaited toB = confirmations.expect(List.of("b"), "t/1");
        Confirmations.Awaited toBAndC = confirmations.expect(List.of("b", "c"), "t/2");
        Confirmations.Awaited toC = confirmations.expect(List.of("c"), "t/3");
        Confirmations.Awaited confirmedByB = confirmations.expect(List.of("b", "c"), "t/4");
        confirmations.confirmed("b", new long[] {confirmedByB.id()}, true);

        confirmations.nodeLeft("b");

        assertFailed(toB, "message to 't/1': node 'b' left the cluster before confirming it");
        assertFailed(toBAndC, "node 'b' left");
        assertThat(toC.confirmed()).isNotDone();
        assertThat(confirmedByB.confirmed()).as("b confirmed it before leaving").isNotDone();
        confirmations.confirmed("c", new long[] {confirmedByB.id(), toBAndC.id()}, true);
        assertThat(confirmedByB.confirmed()).isCompleted();
        assertThat(toBAndC.confirmed()).as("failed stays failed").isCompletedExceptionally();
    }

    @Test
    void aMessageThatCanBeForwardedAgainFailsOnceTheNodesStillThereConfirmedSoItsRetryKnowsWhichHaveIt() throws Exception {
        List<Set<String>> told = new java.util.concurrent.CopyOnWriteArrayList<>();
        Confirmations.Retry retry = new Confirmations.Retry() {
            @Override
            public long messageId() {
                return 7;
            }

            @Override
            public void failed(Set<String> notConfirmed) {
                told.add(notConfirmed);
            }
        };
        Confirmations.Awaited toBAndC = confirmations.expect(List.of("b", "c"), "t", retry);
        Confirmations.Awaited toBAndD = confirmations.expect(List.of("b", "d"), "t", retry);

        confirmations.nodeLeft("b");

        assertThat(toBAndC.confirmed()).as("c may have it: wait for it").isNotDone();
        confirmations.confirmed("c", new long[] {toBAndC.id()}, true);
        assertFailed(toBAndC, "node 'b' left the cluster before confirming it");
        assertThat(told).containsExactly(Set.of("b"));
        ForwardingException failure = (ForwardingException) toBAndC.confirmed().handle((v, e) -> e).get();
        assertThat(failure.messageId()).as("kept to forward again").isEqualTo(7);

        clock.addAndGet(5_000_000_000L);
        confirmations.expire();
        assertFailed(toBAndD, "node(s) 'd' did not confirm it within 5000 ms");
        assertThat(told).last().isEqualTo(Set.of("b", "d"));
    }

    @Test
    void aMessageRoutedToANodeThatLeftFailsAtOnceUntilTheNodeIsBack() {
        confirmations.nodeLeft("b");

        Confirmations.Awaited late = confirmations.expect(List.of("c", "b"), "t/late");
        assertFailed(late, "message to 't/late': node 'b' left the cluster before confirming it");
        assertThat(confirmations.size()).isZero();

        confirmations.nodeBack("b");
        Confirmations.Awaited back = confirmations.expect(List.of("b"), "t/back");
        assertThat(back.confirmed()).isNotDone();
        confirmations.confirmed("b", new long[] {back.id()}, true);
        assertThat(back.confirmed()).isCompleted();
    }

    @Test
    void whatIsNotConfirmedByTheDeadlineFailsNamingTheNode() {
        Confirmations.Awaited early = confirmations.expect(List.of("b", "c"), "t/1");
        clock.addAndGet(3_000_000_000L);
        Confirmations.Awaited late = confirmations.expect(List.of("b"), "t/2");
        confirmations.confirmed("c", new long[] {early.id()}, true);

        clock.addAndGet(1_999_000_000L);
        assertThat(confirmations.expire()).as("before the deadline").isZero();
        clock.addAndGet(1_000_000L);
        assertThat(confirmations.expire()).isEqualTo(1);

        assertFailed(early, "node(s) 'b' did not confirm it within 5000 ms");
        assertThat(late.confirmed()).isNotDone();
        confirmations.confirmed("b", new long[] {early.id()}, true);
        assertThat(early.confirmed()).as("a late confirmation changes nothing").isCompletedExceptionally();
    }

    @Test
    void aRefusalFailsTheMessage() {
        Confirmations.Awaited awaited = confirmations.expect(List.of("b", "c"), "t");
        confirmations.confirmed("c", new long[] {awaited.id()}, false);
        assertFailed(awaited, "node 'c' could not accept it");
    }

    @Test
    void leavingFailsEverything() {
        Confirmations.Awaited awaited = confirmations.expect(List.of("b"), "t");
        confirmations.failAll("this node is leaving the cluster");
        assertFailed(awaited, "this node is leaving");
        assertThat(confirmations.size()).isZero();
    }

    private static void assertFailed(Confirmations.Awaited awaited, String why) {
        assertThatThrownBy(() -> awaited.confirmed().get()).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(ForwardingException.class).cause().hasMessageContaining(why);
    }
}
