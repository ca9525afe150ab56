package io.switchboard.observability.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** The count of refused logins per address: in a row, bounded in time and in the number of addresses it tracks. */
class FailedLoginsTest {

    private final AtomicLong now = new AtomicLong();

    @Test
    void theThirdRefusalInARowBlocksForTheBlockTime() {
        FailedLogins failed = new FailedLogins(3, 100, now::get);
        assertThat(failed.refused("a")).isFalse();
        assertThat(failed.refused("a")).isFalse();
        assertThat(failed.blockedFor("a")).isZero();
        now.set(10);
        assertThat(failed.refused("a")).as("the third in a row").isTrue();
        assertThat(failed.blockedFor("a")).isEqualTo(100);
        assertThat(failed.blockedFor("b")).isZero();
        now.set(109);
        assertThat(failed.blockedFor("a")).isEqualTo(1);
        now.set(110);
        assertThat(failed.blockedFor("a")).isZero();
        assertThat(failed.refused("a")).as("after the block, counting starts again").isFalse();
    }

    @Test
    void anAcceptedLoginClearsTheCountAndZeroNeverBlocks() {
        FailedLogins failed = new FailedLogins(2, 100, now::get);
        failed.refused("a");
        failed.accepted("a");
        assertThat(failed.refused("a")).isFalse();

        FailedLogins never = new FailedLogins(0, 100, now::get);
        for (int i = 0; i < 10; i++) {
            assertThat(never.refused("a")).isFalse();
        }
        assertThat(never.blockedFor("a")).isZero();
    }

    @Test
    void pastTheTrackedAddressesANewOneIsNotCountedUntilOldOnesExpire() {
        FailedLogins failed = new FailedLogins(1, 100, now::get);
        for (int i = 0; i < FailedLogins.MAX_ADDRESSES; i++) {
            assertThat(failed.refused("10.0." + i)).isTrue();
        }
        assertThat(failed.refused("192.0.2.1")).as("not tracked: every tracked address is current").isFalse();
        assertThat(failed.blockedFor("192.0.2.1")).isZero();
        assertThat(failed.blockedFor("10.0.0")).isPositive();

        now.set(100);
        assertThat(failed.refused("192.0.2.1")).as("the expired ones made room").isTrue();
        assertThat(failed.blockedFor("192.0.2.1")).isEqualTo(100);
    }
}
