package io.switchboard.console.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

class SampleRingTest {

    private static Sample at(long t) {
        return new Sample(t, t, t, Map.of(), Set.of());
    }

    @Test
    void keepsTheLastSamplesOldestFirst() {
        SampleRing ring = new SampleRing(3);
        assertThat(ring.snapshot()).isEmpty();
        ring.add(at(1));
        ring.add(at(2));
        assertThat(ring.snapshot()).extracting(Sample::epochMillis).containsExactly(1L, 2L);
        ring.add(at(3));
        ring.add(at(4));
        ring.add(at(5));
        assertThat(ring.snapshot()).extracting(Sample::epochMillis).containsExactly(3L, 4L, 5L);
        for (int i = 6; i < 100; i++) {
            ring.add(at(i));
        }
        assertThat(ring.snapshot()).extracting(Sample::epochMillis).containsExactly(97L, 98L, 99L);
    }

    @Test
    void needsRoomForAnInterval() {
        assertThatThrownBy(() -> new SampleRing(1)).isInstanceOf(IllegalArgumentException.class);
    }
}
