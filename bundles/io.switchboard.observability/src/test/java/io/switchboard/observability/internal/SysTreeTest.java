package io.switchboard.observability.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;

import io.switchboard.api.admin.BrokerStats;
import io.switchboard.api.admin.ListenerStats;
import io.switchboard.api.admin.TrafficStats;
import org.junit.jupiter.api.Test;

/** The $SYS values: Mosquitto's names, formats and load averages. */
class SysTreeTest {

    @Test
    void loadAveragesFollowMosquittosFormula() {
        // what Mosquitto 2.0.11 published here 11 s after its start, having received 8 packets: 7.31, 1.57, 0.53
        LoadAverage load = new LoadAverage();
        load.update(0, 0);
        load.update(8, 11);
        assertThat(SysTree.format(load.oneMinute())).isEqualTo("7.31");
        assertThat(SysTree.format(load.fiveMinutes())).isEqualTo("1.57");
        assertThat(SysTree.format(load.fifteenMinutes())).isEqualTo("0.53");
    }

    @Test
    void aSteadyRateConvergesToItsPerMinuteValueAndDecaysWhenItStops() {
        LoadAverage load = new LoadAverage();
        load.update(0, 0);
        long total = 0;
        for (int i = 0; i < 3 * 6 * 60; i++) { // three hours of 10 s intervals at 2 per second
            total += 20;
            load.update(total, 10);
        }
        assertThat(load.oneMinute()).isCloseTo(120, within(0.01));
        assertThat(load.fiveMinutes()).isCloseTo(120, within(0.01));
        assertThat(load.fifteenMinutes()).isCloseTo(120, within(0.01));
        load.update(total, 60);
        assertThat(load.oneMinute()).isCloseTo(120 * Math.exp(-1), within(0.01));
    }

    @Test
    void valuesHaveMosquittosTopicsAndFormats() {
        SysTree tree = new SysTree("switchboard version 1.2.3");
        BrokerStats broker = new BrokerStats(65_432, 5, 7, 2, 100, 90, 10, 180, 170, 5, 1, 2, 0, 16, 3);
        TrafficStats traffic = new TrafficStats(
                List.of(new ListenerStats("tcp", "tcp", false, 2, 5, 1, 1000, 2000, 30, 40, 50, 60),
                        new ListenerStats("ws", "websocket", false, 1, 1, 0, 300, 400, 1, 2, 3, 4)),
                Map.of(TrafficStats.QUEUE_FULL, 3L, TrafficStats.TOO_LARGE, 2L, TrafficStats.EXPIRED, 0L), 7, 8, 4);

        Map<String, String> v = tree.values(broker, List.of(traffic), 1_000_000, 0);

        assertThat(v).containsEntry("version", "switchboard version 1.2.3")
                .containsEntry("uptime", "65 seconds")
                .containsEntry("clients/connected", "3").containsEntry("clients/active", "3")
                .containsEntry("clients/disconnected", "4").containsEntry("clients/inactive", "4")
                .containsEntry("clients/total", "7").containsEntry("clients/maximum", "3")
                .containsEntry("messages/received", "53").containsEntry("messages/sent", "64")
                .containsEntry("publish/messages/received", "31").containsEntry("publish/messages/sent", "42")
                .containsEntry("publish/messages/dropped", "5")
                .containsEntry("bytes/received", "1300").containsEntry("bytes/sent", "2400")
                .containsEntry("retained messages/count", "3")
                .containsEntry("messages/stored", "18").containsEntry("store/messages/count", "18")
                .containsEntry("subscriptions/count", "7")
                .containsEntry("heap/current", "1000000").containsEntry("heap/maximum", "1000000")
                .containsEntry("load/messages/received/1min", "0.00")
                .containsEntry("load/connections/15min", "0.00");
        assertThat(v.keySet()).allMatch(t -> !t.startsWith("/") && !t.endsWith("/"))
                .contains("load/publish/dropped/5min", "load/bytes/sent/1min", "load/publish/received/15min");

        TrafficStats later = new TrafficStats(List.of(new ListenerStats("tcp", "tcp", false, 1, 5, 1, 1000, 2000, 30, 40,
                62, 60)), Map.of(), 0, 0, 0);
        Map<String, String> next = tree.values(broker, List.of(later), 500, 60);
        assertThat(next).as("maxima kept").containsEntry("clients/maximum", "3").containsEntry("heap/maximum", "1000000")
                .containsEntry("heap/current", "500");
        // 9 packets more (53 -> 62) over 60 s: 9 per minute, weighted by Mosquitto's formula
        assertThat(next.get("load/messages/received/1min")).isEqualTo(SysTree.format(9 * (1 - Math.exp(-1))));
        // a total going down (a listener removed) counts as no traffic, not as a negative rate
        assertThat(next.get("load/bytes/received/1min")).isEqualTo("0.00");
    }
}
