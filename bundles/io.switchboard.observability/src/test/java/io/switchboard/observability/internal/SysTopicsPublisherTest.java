package io.switchboard.observability.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.annotation.Annotation;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.switchboard.api.admin.BrokerStats;
import io.switchboard.api.admin.SystemTopics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The publisher: every topic first, then only the changed ones, through SystemTopics; a bad interval is refused. */
class SysTopicsPublisherTest {

    private final Map<String, String> sent = new LinkedHashMap<>();
    private final SysTopicsPublisher publisher = new SysTopicsPublisher();
    private long now = 1_000_000_000L;

    @AfterEach
    void stop() {
        publisher.deactivate();
    }

    @Test
    void publishesEveryTopicFirstThenWhatChanged() {
        start(0); // off: publish() is called by the test
        publisher.publish();
        assertThat(sent).containsEntry("$SYS/broker/uptime", "2 seconds")
                .containsEntry("$SYS/broker/version", "switchboard version unknown")
                .containsEntry("$SYS/broker/retained messages/count", "3")
                .containsKey("$SYS/broker/load/bytes/sent/15min");
        assertThat(sent.keySet()).allMatch(t -> t.startsWith("$SYS/broker/"));
        int all = sent.size();

        sent.clear();
        now += 10_000_000_000L;
        publisher.publish();
        assertThat(sent).as("the same counters (the fake broker's uptime stands still): nothing sent again").isEmpty();
        assertThat(all).isGreaterThan(40);
    }

    @Test
    void aNegativeIntervalIsRefused() {
        assertThatThrownBy(() -> start(-1)).hasMessageContaining("sys.interval must be 0 (off) or a number of seconds, was -1");
    }

    private void start(long interval) {
        publisher.topics = (SystemTopics) (topic, payload) -> sent.put(topic, new String(payload, StandardCharsets.UTF_8));
        publisher.admin = new FakeAdmin(new BrokerStats(2500, 1, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16, 3), List.of());
        publisher.frontDoors = List.of();
        publisher.heapUsed = () -> 1000;
        publisher.nanoTime = () -> now;
        publisher.activate(config(interval));
    }

    private static SysConfig config(long interval) {
        return new SysConfig() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return SysConfig.class;
            }

            @Override
            public long sys_interval() {
                return interval;
            }
        };
    }
}
