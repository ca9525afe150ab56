package io.switchboard.cluster.internal.forwarding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ConfirmationFramesTest {

    @Test
    void aFrameCarriesTheNodeTheOutcomeAndTheIds() {
        ConfirmationFrames.Confirmation c = ConfirmationFrames.decode(ConfirmationFrames.encode("b", true, new long[] {3, 1, Long.MAX_VALUE}));
        assertThat(c.node()).isEqualTo("b");
        assertThat(c.accepted()).isTrue();
        assertThat(c.ids()).containsExactly(3, 1, Long.MAX_VALUE);

        assertThat(ConfirmationFrames.decode(ConfirmationFrames.encode("c", false, new long[] {9})).accepted()).isFalse();
    }

    @Test
    void bytesThatAreNoConfirmationAreRefused() {
        byte[] truncated = ConfirmationFrames.encode("b", true, new long[] {1, 2});
        byte[] cut = java.util.Arrays.copyOf(truncated, truncated.length - 3);
        assertThatThrownBy(() -> ConfirmationFrames.decode(cut)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("not a confirmation frame");
    }
}
