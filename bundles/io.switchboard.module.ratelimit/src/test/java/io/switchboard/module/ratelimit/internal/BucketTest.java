package io.switchboard.module.ratelimit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class BucketTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void aFullBucketLetsTheBurstThroughThenOnePerInterval() {
        Limit limit = new Limit(10, 3, "10/s"); // one token per 100 ms, three at once
        long t = 42 * SECOND;
        Bucket bucket = new Bucket(limit, t);

        assertThat(bucket.tokens(limit, t)).isEqualTo(3.0);
        assertThat(bucket.tryTake(limit, t)).isTrue();
        assertThat(bucket.tryTake(limit, t)).isTrue();
        assertThat(bucket.tryTake(limit, t)).isTrue();
        assertThat(bucket.tryTake(limit, t)).isFalse();
        assertThat(bucket.tokens(limit, t)).isZero();

        assertThat(bucket.tryTake(limit, t + 99_000_000)).as("99 ms later: still empty").isFalse();
        assertThat(bucket.tokens(limit, t + 50_000_000)).isCloseTo(0.5, within(1e-9));
        assertThat(bucket.tryTake(limit, t + 100_000_000)).as("one interval later: one token").isTrue();
        assertThat(bucket.tryTake(limit, t + 100_000_000)).isFalse();

        assertThat(bucket.tokens(limit, t + 10 * SECOND)).as("refills to the burst, no further").isEqualTo(3.0);
        assertThat(bucket.passed()).isEqualTo(4);
        assertThat(bucket.refused()).isEqualTo(3);
    }

    @Test
    void keepsTheAverageRateOverTime() {
        Limit limit = new Limit(100, 1, "100/s");
        Bucket bucket = new Bucket(limit, 0);
        int passed = 0;
        for (long t = 0; t < 10 * SECOND; t += 1_000_000) { // a message every millisecond for 10 s
            if (bucket.tryTake(limit, t)) {
                passed++;
            }
        }
        assertThat(passed).isEqualTo(1000);
    }

    @Test
    void givingBackRestoresTheToken() {
        Limit limit = new Limit(1, 1, "1/s");
        Bucket bucket = new Bucket(limit, 0);

        assertThat(bucket.tryTake(limit, 0)).isTrue();
        bucket.giveBack();

        assertThat(bucket.tokens(limit, 0)).isEqualTo(1.0);
        assertThat(bucket.tryTake(limit, 0)).isTrue();
        assertThat(bucket.passed()).isEqualTo(1);
    }

    @Test
    void slowRatesAndLargeBurstsDoNotOverflow() {
        Limit slow = new Limit(Limit.MIN_PER_SECOND, Limit.MAX_BURST, "1/h");
        long t = Long.MAX_VALUE - 10 * SECOND; // a nanoTime near its wrap-around
        Bucket bucket = new Bucket(slow, t);

        assertThat(bucket.tokens(slow, t)).isEqualTo((double) Limit.MAX_BURST);
        for (int i = 0; i < 1000; i++) {
            assertThat(bucket.tryTake(slow, t)).isTrue();
        }
        assertThat(bucket.tokens(slow, t + 20 * SECOND)).isCloseTo(Limit.MAX_BURST - 1000, within(0.01));
    }

    @Test
    void aNewLimitKeepsTheTokensUsed() {
        Limit slow = new Limit(1, 4, "1/s");
        Limit fast = new Limit(1000, 1000, "1000/s");
        Limit small = new Limit(1, 2, "1/s");
        Bucket bucket = new Bucket(slow, 0);
        bucket.tryTake(slow, 0);

        assertThat(bucket.tokens(fast, 0)).as("one used of 1000").isCloseTo(999.0, within(1e-6));
        assertThat(bucket.tryTake(fast, 0)).isTrue();
        assertThat(bucket.tokens(fast, 0)).isCloseTo(998.0, within(1e-6));
        assertThat(bucket.tokens(fast, 1_000_000)).as("refills at the new rate").isCloseTo(999.0, within(1e-6));
        assertThat(bucket.tryTake(small, 1_000_000)).as("one used of 2").isTrue();
        assertThat(bucket.tryTake(small, 1_000_000)).isFalse();
        assertThat(bucket.tryTake(new Limit(1, 2, "1/s"), 1_000_000)).as("an equal limit changes nothing").isFalse();
        assertThat(bucket.tokens(slow, 1_000_000)).as("two used of 4").isCloseTo(2.0, within(1e-3));
    }

    @Test
    void concurrentTakersGetExactlyTheBurst() throws InterruptedException {
        Limit limit = new Limit(Limit.MIN_PER_SECOND, 1000, "1/h");
        Bucket bucket = new Bucket(limit, 0);
        AtomicInteger taken = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Thread thread = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int k = 0; k < 500; k++) {
                    if (bucket.tryTake(limit, 0)) {
                        taken.incrementAndGet();
                    }
                }
            });
            thread.start();
            threads.add(thread);
        }
        go.countDown();
        for (Thread thread : threads) {
            thread.join();
        }

        assertThat(taken.get()).isEqualTo(1000);
        assertThat(bucket.passed()).isEqualTo(1000);
        assertThat(bucket.refused()).isEqualTo(3000);
    }
}
