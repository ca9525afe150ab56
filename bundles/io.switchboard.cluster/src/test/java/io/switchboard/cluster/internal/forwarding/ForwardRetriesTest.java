package io.switchboard.cluster.internal.forwarding;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.switchboard.api.Message;
import org.junit.jupiter.api.Test;

class ForwardRetriesTest {

    private final AtomicLong clock = new AtomicLong();
    private final ForwardRetries retries = new ForwardRetries(clock::get);

    @Test
    void aKeptMessageIsTakenOnceByItsPublisherAndIdOnly() {
        ForwardRetries.Attempt attempt = attempt(1);
        retries.keep("pub", 1, attempt);

        assertThat(retries.take("other", 1)).as("another publisher's message 1").isNull();
        assertThat(retries.take("pub", 1)).isSameAs(attempt);
        assertThat(retries.take("pub", 1)).as("taken already").isNull();
    }

    @Test
    void atMostTheLimitIsKeptTheOldestGoFirstAndNothingPastItsTime() {
        for (long id = 0; id <= ForwardRetries.LIMIT; id++) {
            retries.keep("pub", id, attempt(id));
        }
        assertThat(retries.size()).isEqualTo(ForwardRetries.LIMIT);
        assertThat(retries.take("pub", 0)).as("the oldest went").isNull();
        assertThat(retries.take("pub", 1)).isNotNull();

        clock.addAndGet(TimeUnit.MINUTES.toNanos(ForwardRetries.TTL_MINUTES) + 1);
        retries.keep("pub", -5, attempt(-5)); // kept just now
        retries.expire();
        assertThat(retries.size()).isEqualTo(1);
        assertThat(retries.take("pub", -5)).isNotNull();
    }

    private static ForwardRetries.Attempt attempt(long id) {
        return new ForwardRetries.Attempt(Message.builder("t").payload("x").qos(2).id(Math.max(id, 0)).build(), Set.of("b"),
                Set.of("c"), Map.of(), Set.of());
    }
}
