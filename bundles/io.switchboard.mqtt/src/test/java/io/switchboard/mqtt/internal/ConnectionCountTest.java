package io.switchboard.mqtt.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class ConnectionCountTest {

    @Test
    void takesPlacesUpToTheMaximumAndAGivenBackOneIsFreeAgain() {
        ConnectionCount count = new ConnectionCount();
        assertThat(count.tryTake(2)).isTrue();
        assertThat(count.tryTake(2)).isTrue();
        assertThat(count.tryTake(2)).as("a third place of two").isFalse();
        assertThat(count.open()).as("a refusal takes nothing").isEqualTo(2);

        count.giveBack();
        assertThat(count.tryTake(2)).isTrue();
        assertThat(count.open()).isEqualTo(2);
    }

    @Test
    void aLoweredMaximumRefusesUntilEnoughAreGivenBack() {
        ConnectionCount count = new ConnectionCount();
        for (int i = 0; i < 5; i++) {
            assertThat(count.tryTake(ConnectionCount.UNLIMITED)).isTrue();
        }
        assertThat(count.tryTake(3)).isFalse();
        count.giveBack();
        count.giveBack();
        assertThat(count.tryTake(3)).isFalse();
        count.giveBack();
        assertThat(count.tryTake(3)).isTrue();
    }

    @Test
    void racingTakersGetExactlyTheMaximum() throws Exception {
        ConnectionCount count = new ConnectionCount();
        AtomicInteger taken = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 1000; i++) {
                    if (count.tryTake(100)) {
                        taken.incrementAndGet();
                    }
                }
            });
            thread.start();
            threads.add(thread);
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(taken.get()).isEqualTo(100);
        assertThat(count.open()).isEqualTo(100);
    }
}
