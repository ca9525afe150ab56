package io.switchboard.mqtt.internal.protocol;

import static io.switchboard.mqtt.internal.protocol.ConnectionRateLimit.Verdict.ADMITTED;
import static io.switchboard.mqtt.internal.protocol.ConnectionRateLimit.Verdict.REFUSED_LOG;
import static io.switchboard.mqtt.internal.protocol.ConnectionRateLimit.Verdict.REFUSED_QUIETLY;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class ConnectionRateLimitTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final ConnectionRateLimit limit = new ConnectionRateLimit(now::get);

    private static InetAddress address(String a) throws Exception {
        return InetAddress.getByName(a);
    }

    private void passMillis(long millis) {
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    @Test
    void aSourceGetsABurstOfTheRateThenTheRatePerSecond() throws Exception {
        InetAddress a = address("10.0.0.1");
        for (int i = 0; i < 5; i++) {
            assertThat(limit.admit(a, 5)).as("connection %d of the burst", i + 1).isEqualTo(ADMITTED);
        }
        assertThat(limit.admit(a, 5)).isEqualTo(REFUSED_LOG);
        passMillis(100);
        assertThat(limit.admit(a, 5)).as("a fifth of a second's worth not yet refilled").isEqualTo(REFUSED_QUIETLY);
        passMillis(100);
        assertThat(limit.admit(a, 5)).as("200 ms at 5 per second: one more").isEqualTo(ADMITTED);
        assertThat(limit.admit(a, 5)).isEqualTo(REFUSED_QUIETLY);
        passMillis(10_000);
        for (int i = 0; i < 5; i++) {
            assertThat(limit.admit(a, 5)).as("a full bucket again, never more than the rate").isEqualTo(ADMITTED);
        }
        assertThat(limit.admit(a, 5)).isEqualTo(REFUSED_QUIETLY);
    }

    @Test
    void otherSourcesAreNotAffected() throws Exception {
        InetAddress flooding = address("10.0.0.1");
        for (int i = 0; i < 10; i++) {
            limit.admit(flooding, 2);
        }
        assertThat(limit.admit(flooding, 2)).isNotEqualTo(ADMITTED);
        assertThat(limit.admit(address("10.0.0.2"), 2)).isEqualTo(ADMITTED);
        assertThat(limit.admit(address("::1"), 2)).isEqualTo(ADMITTED);
    }

    @Test
    void aSourceIsLoggedOnceAMinuteWithTheRefusalsInBetweenCounted() throws Exception {
        InetAddress a = address("10.0.0.1");
        limit.admit(a, 1);
        assertThat(limit.admit(a, 1)).isEqualTo(REFUSED_LOG);
        assertThat(limit.takeQuietRefusals(a)).isZero();
        for (int i = 0; i < 30; i++) {
            passMillis(1); // never a whole token
            assertThat(limit.admit(a, 1)).isEqualTo(REFUSED_QUIETLY);
        }
        passMillis(TimeUnit.NANOSECONDS.toMillis(ConnectionRateLimit.LOG_INTERVAL_NANOS));
        limit.admit(a, 1); // refilled: admitted
        assertThat(limit.admit(a, 1)).as("a minute later: logged again").isEqualTo(REFUSED_LOG);
        assertThat(limit.takeQuietRefusals(a)).isEqualTo(30);
        assertThat(limit.takeQuietRefusals(a)).as("counted once").isZero();
    }

    @Test
    void theTableOfSourcesIsBounded() throws Exception {
        for (int i = 0; i < ConnectionRateLimit.MAX_SOURCES + 1000; i++) {
            byte[] ip = {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i};
            limit.admit(InetAddress.getByAddress(ip), 10);
        }
        assertThat(limit.sources()).isEqualTo(ConnectionRateLimit.MAX_SOURCES);
    }

    @Test
    void theSourceSeenLeastRecentlyIsForgottenFirst() throws Exception {
        InetAddress busy = address("10.255.0.1");
        limit.admit(busy, 1);
        for (int i = 0; i < ConnectionRateLimit.MAX_SOURCES - 1; i++) { // the table is full now
            limit.admit(InetAddress.getByAddress(new byte[] {10, 0, (byte) (i >> 8), (byte) i}), 1);
        }
        assertThat(limit.admit(busy, 1)).as("the first, seen again").isEqualTo(REFUSED_LOG);
        limit.admit(address("10.254.0.1"), 1); // one more source: the one seen least recently goes

        assertThat(limit.admit(busy, 1)).as("still remembered, so still refused").isEqualTo(REFUSED_QUIETLY);
        assertThat(limit.admit(address("10.0.0.0"), 1)).as("the forgotten one: a full bucket").isEqualTo(ADMITTED);
    }

    @Test
    void noLimitAdmitsEverythingAndRemembersNothing() throws Exception {
        InetAddress a = address("10.0.0.1");
        limit.admit(a, 1);
        for (int i = 0; i < 1000; i++) {
            assertThat(limit.admit(a, 0)).isEqualTo(ADMITTED);
        }
        assertThat(limit.sources()).isZero();
    }
}
