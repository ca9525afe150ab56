package io.switchboard.mqtt.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Read receipts are taken only for the last {@value DeliveredIds#KEPT} messages sent to the session. */
class DeliveredIdsTest {

    @Test
    void nothingSentNothingContainedNotEvenIdZero() {
        DeliveredIds ids = new DeliveredIds();
        assertThat(ids.contains(0)).isFalse();
        assertThat(ids.contains(-1)).isFalse();
    }

    @Test
    void keepsTheLastKeptIdsAsItGrowsThenForgetsTheOldest() {
        DeliveredIds ids = new DeliveredIds();
        for (long id = 1; id <= DeliveredIds.KEPT; id++) {
            ids.sent(id);
            assertThat(ids.contains(id)).isTrue();
            assertThat(ids.contains(1)).as("the first, while growing").isTrue();
        }
        ids.sent(DeliveredIds.KEPT + 1);
        ids.sent(DeliveredIds.KEPT + 2);

        assertThat(ids.contains(1)).as("the oldest, forgotten").isFalse();
        assertThat(ids.contains(2)).isFalse();
        assertThat(ids.contains(3)).isTrue();
        assertThat(ids.contains(DeliveredIds.KEPT + 2)).isTrue();
        assertThat(ids.contains(DeliveredIds.KEPT + 3)).isFalse();
    }
}
