package io.switchboard.observability.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.api.admin.BrokerStats;
import io.switchboard.api.admin.ListenerStats;
import io.switchboard.api.admin.TrafficStatistics;
import io.switchboard.api.admin.TrafficStats;
import org.junit.jupiter.api.Test;

class TrafficMetricsTest {

    /** 10 consumed, 1 expired in the core; 12 retained. */
    static final BrokerStats STATS = new BrokerStats(2500, 3, 4, 2, 100, 90, 10, 180, 170, 5, 1, 2, 1, 16, 12);
    static final TrafficStats TRAFFIC = new TrafficStats(
            List.of(new ListenerStats("tcp", "tcp", false, 2, 5, 1, 1000, 2000, 30, 40, 50, 60),
                    new ListenerStats("wss", "websocket", true, 0, 1, 0, 300, 400, 0, 0, 2, 2)),
            Map.of(TrafficStats.QUEUE_FULL, 3L, TrafficStats.TOO_LARGE, 2L, TrafficStats.EXPIRED, 4L), 7, 8, 1);

    @Test
    void listenersAreLabelledAndDropsCarryTheirReason() throws IOException {
        TrafficStatistics frontDoor = () -> TRAFFIC;
        String text = scrape(new TrafficMetrics(() -> new FakeAdmin(STATS, List.of()), () -> List.of(frontDoor)));
        assertThat(text)
                .contains("# TYPE switchboard_listener_connections gauge\n")
                .contains("switchboard_listener_connections{listener=\"tcp\"} 2.0\n")
                .contains("# TYPE switchboard_listener_connections_accepted_total counter\n")
                .contains("switchboard_listener_connections_accepted_total{listener=\"tcp\"} 5.0\n")
                .contains("switchboard_listener_connections_refused_total{listener=\"tcp\"} 1.0\n")
                .contains("switchboard_listener_received_bytes_total{listener=\"tcp\"} 1000.0\n")
                .contains("switchboard_listener_sent_bytes_total{listener=\"wss\"} 400.0\n")
                .contains("switchboard_listener_messages_received_total{listener=\"tcp\"} 30.0\n")
                .contains("switchboard_listener_messages_sent_total{listener=\"tcp\"} 40.0\n")
                .contains("switchboard_listener_packets_received_total{listener=\"tcp\"} 50.0\n")
                .contains("switchboard_listener_packets_sent_total{listener=\"tcp\"} 60.0\n")
                .contains("switchboard_messages_dropped_total{reason=\"queue_full\"} 3.0\n")
                .contains("switchboard_messages_dropped_total{reason=\"too_large\"} 2.0\n")
                .contains("switchboard_messages_dropped_total{reason=\"expired\"} 5.0\n") // 4 queued + 1 in the core
                .contains("switchboard_messages_dropped_total{reason=\"refused\"} 10.0\n")
                .contains("switchboard_messages_queued 7.0\n")
                .contains("switchboard_deliveries_in_flight 8.0\n")
                .contains("switchboard_sessions_offline 1.0\n");
    }

    @Test
    void withoutFrontDoorsOnlyTheCoresDropsAreReported() throws IOException {
        String text = scrape(new TrafficMetrics(() -> new FakeAdmin(STATS, List.of()), List::of));
        assertThat(text).contains("switchboard_messages_dropped_total{reason=\"refused\"} 10.0\n")
                .doesNotContain("switchboard_messages_queued").doesNotContain("{listener=");
    }

    @Test
    void retainedMessagesAreABrokerGauge() throws IOException {
        String text = scrape(new BrokerMetrics(() -> new FakeAdmin(STATS, List.of()), () -> null));
        assertThat(text).contains("# TYPE switchboard_retained_messages gauge\nswitchboard_retained_messages 12.0\n");
    }

    static String scrape(io.prometheus.metrics.model.registry.MultiCollector collector) throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(collector);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        return out.toString(StandardCharsets.UTF_8);
    }
}
