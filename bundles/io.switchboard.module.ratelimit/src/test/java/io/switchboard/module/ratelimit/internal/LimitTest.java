package io.switchboard.module.ratelimit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LimitTest {

    @Test
    void readsRates() {
        assertThat(Limit.parseRate("100")).isEqualTo(100.0);
        assertThat(Limit.parseRate(" 100/s ")).isEqualTo(100.0);
        assertThat(Limit.parseRate("0.5")).isEqualTo(0.5);
        assertThat(Limit.parseRate("600/m")).isEqualTo(10.0);
        assertThat(Limit.parseRate("60 / MIN")).isEqualTo(1.0);
        assertThat(Limit.parseRate("36/h")).isCloseTo(0.01, within(1e-12));
        assertThat(Limit.parseRate("1/hour")).isEqualTo(Limit.MIN_PER_SECOND);
        assertThat(Limit.parseRate("0")).isZero();
    }

    @Test
    void refusesWhatIsNotARate() {
        assertThatIllegalArgumentException().isThrownBy(() -> Limit.parseRate("fast"))
                .withMessage("'fast' is not a rate like 100/s, 600/m or 10/h");
        assertThatIllegalArgumentException().isThrownBy(() -> Limit.parseRate("-1/s"));
        assertThatIllegalArgumentException().isThrownBy(() -> Limit.parseRate("10/d"))
                .withMessage("'10/d': unknown unit 'd' (s, m or h)");
        assertThatIllegalArgumentException().isThrownBy(() -> Limit.parseRate("1/day"));
        assertThatIllegalArgumentException().isThrownBy(() -> Limit.parseRate("1/2h"));
        assertThatIllegalArgumentException().isThrownBy(() -> Limit.parseRate("2000000/s")).withMessageContaining("outside");
        assertThatIllegalArgumentException().isThrownBy(() -> Limit.parseRate("0.1/h")).withMessageContaining("outside");
    }

    @Test
    void derivesIntervalToleranceAndBurst() {
        Limit limit = new Limit(4, 10, "4/s");

        assertThat(limit.interval()).isEqualTo(250_000_000L);
        assertThat(limit.tolerance()).isEqualTo(9 * 250_000_000L);
        assertThat(Limit.defaultBurst(0.2)).isEqualTo(1);
        assertThat(Limit.defaultBurst(100)).isEqualTo(100);
        assertThat(Limit.defaultBurst(2.5)).isEqualTo(3);
        assertThat(limit).hasToString("4/s burst 10");
    }
}
