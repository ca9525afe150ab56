package io.switchboard.cluster.internal.forwarding;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;

import org.junit.jupiter.api.Test;

class ConfirmerTest {

    private final Queue<Runnable> senderQueue = new ArrayDeque<>();
    private final List<String> sent = new ArrayList<>();
    private final Confirmer confirmer = new Confirmer("b", senderQueue::add, (origin, frame) -> {
        ConfirmationFrames.Confirmation c = ConfirmationFrames.decode(frame);
        sent.add(origin + " <- " + c.node() + (c.accepted() ? " ok " : " refused ") + java.util.Arrays.toString(c.ids()));
    });

    @Test
    void confirmationsMadeBeforeTheSenderRunsTravelTogetherOneFramePerNodeAndOutcome() {
        confirmer.confirm("a", 1, true);
        confirmer.confirm("a", 2, true);
        confirmer.confirm("c", 7, true);
        confirmer.confirm("a", 3, false);
        assertThat(senderQueue).as("one send scheduled for all").hasSize(1);

        senderQueue.poll().run();

        assertThat(sent).containsExactlyInAnyOrder("a <- b ok [1, 2]", "c <- b ok [7]", "a <- b refused [3]");
    }

    @Test
    void aConfirmationWhileTheNodeLeavesIsDroppedQuietly() {
        Confirmer leaving = new Confirmer("b", task -> {
            throw new java.util.concurrent.RejectedExecutionException("shut down");
        }, (origin, frame) -> sent.add(origin));

        leaving.confirm("a", 1, true);

        assertThat(sent).isEmpty();
    }

    @Test
    void aConfirmationAfterASendSchedulesAnother() {
        confirmer.confirm("a", 1, true);
        senderQueue.poll().run();
        confirmer.confirm("a", 2, true);

        assertThat(senderQueue).hasSize(1);
        senderQueue.poll().run();
        assertThat(sent).containsExactly("a <- b ok [1]", "a <- b ok [2]");
    }
}
