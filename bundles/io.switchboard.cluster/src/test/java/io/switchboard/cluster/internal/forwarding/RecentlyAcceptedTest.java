package io.switchboard.cluster.internal.forwarding;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RecentlyAcceptedTest {

    @Test
    void remembersTheLatestMessagesByTheirNodeAndIdTheOldestGoFirst() {
        RecentlyAccepted recent = new RecentlyAccepted(2);
        recent.add("a", 1);
        recent.add("b", 1);

        assertThat(recent.contains("a", 1)).isTrue();
        assertThat(recent.contains("c", 1)).as("another node's message 1").isFalse();

        recent.add("a", 2);
        assertThat(recent.contains("a", 1)).as("the oldest went").isFalse();
        assertThat(recent.contains("b", 1)).isTrue();
        assertThat(recent.contains("a", 2)).isTrue();
    }
}
