package io.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report from made-up measurements: write modes side by side, CPU per message, the busy rule. */
class SuiteReportTest {
    @TempDir
    Path work;

    @Test
    void throughputRowsShowBothWriteModesCpuAndBusyRepetitions() {
        SuiteOptions options = new SuiteOptions();
        options.root = work;
        options.workDir = work;
        options.raw = work.resolve("raw.json");
        options.reps = 2;
        List<BrokerProcess> brokers = List.of(
                new BrokerProcess("switchboard-empty", BrokerProcess.Kind.SWITCHBOARD, false, options),
                new BrokerProcess("mosquitto", BrokerProcess.Kind.MOSQUITTO, false, options));
        Suite.Scenario scenario = Suite.scenarios(false).get(0);
        List<Suite.Measurement> ms = new ArrayList<>();
        for (int rep = 1; rep <= 2; rep++) {
            ms.add(sweep(scenario.key(WriteMode.PER_MESSAGE), "switchboard-empty", rep, 200_000, 2.5, rep == 2 ? 0.9 : 0.05));
            ms.add(sweep(scenario.key(WriteMode.BATCHED), "switchboard-empty", rep, 600_000, 1.2, 0.05));
            ms.add(sweep(scenario.key(WriteMode.PER_MESSAGE), "mosquitto", rep, 100_000, 5.0, 0.05));
            ms.add(sweep(scenario.key(WriteMode.BATCHED), "mosquitto", rep, 110_000, 4.0, 0.05));
        }
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("durationMinutes", 1.0);

        String md = new SuiteReport(options, env, List.of(scenario), brokers, ms).markdown();

        assertThat(md).contains("| QoS 0, 1 publisher → 1 subscriber | switchboard-empty | 200,000 (200,000–200,000) | "
                + "600,000 (600,000–600,000) | 0.33 | 200,000 | 2.00 / 5.45 |  | 2.50 / 1.20 | 1 of 4 |");
        assertThat(md).contains("| QoS 0, 1 publisher → 1 subscriber | mosquitto | 100,000 (100,000–100,000) | "
                + "110,000 (110,000–110,000) | 0.91 | 100,000 | 1.00 / 1.00 |  | 5 / 4 | 0 of 4 |");
        assertThat(md).contains("| qos0-1to1/per-message | switchboard-empty | 2 | 1.70 → 1.90 | 0.90 **busy: rerun** |");
        assertThat(md).contains("| qos0-1to1/per-message | switchboard-empty | 1 | 1.70 → 1.90 | 0.05 |");
        assertThat(md).contains("a real client").contains("Rule: a repetition marked busy");
    }

    @Test
    void connectionRateRowsGiveMediansSpreadRatioAndCpuPerConnection() {
        SuiteOptions options = new SuiteOptions();
        options.root = work;
        options.workDir = work;
        options.raw = work.resolve("raw.json");
        options.connectConnections = 20_000;
        List<BrokerProcess> brokers = List.of(
                new BrokerProcess("switchboard-empty", BrokerProcess.Kind.SWITCHBOARD, false, options),
                new BrokerProcess("mosquitto", BrokerProcess.Kind.MOSQUITTO, false, options));
        List<Suite.Measurement> ms = new ArrayList<>();
        double[] rates = {6_000, 9_000, 8_000};
        for (int rep = 1; rep <= 3; rep++) {
            ms.add(storm(Suite.CONNECT_CLEAN, "switchboard-empty", rep, rates[rep - 1], 50));
            ms.add(storm(Suite.CONNECT_CLEAN, "mosquitto", rep, 4_000, 40));
        }

        String md = new SuiteReport(options, new LinkedHashMap<>(), List.of(), brokers, ms).markdown();

        assertThat(md).contains("### Connection rate: new TCP connections, CONNECT → CONNACK (20,000 per storm)");
        assertThat(md).contains("| connect-clean | switchboard-empty | 8,000 (6,000–9,000) | 2.00 | 1,000 | 3,000 | 50 | 0 of 3 |");
        assertThat(md).contains("| connect-clean | mosquitto | 4,000 (4,000–4,000) | 1.00 | 1,000 | 3,000 | 40 | 0 of 3 |");
    }

    private static Suite.Measurement storm(String storm, String broker, int rep, double perSecond, double cpu) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("perSecond", perSecond);
        m.put("p50", 1_000.0);
        m.put("p99", 3_000.0);
        m.put("cpuUsPerConn", cpu);
        m.put("otherCores", 0.05);
        m.put("busy", 0.0);
        return new Suite.Measurement(storm, broker, rep, m, null, null);
    }

    private static Suite.Measurement sweep(String key, String broker, int rep, double in, double cpu, double others) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("in", in);
        m.put("out", in);
        m.put("cpuUsPerMsg", cpu);
        m.put("rssMiB", 100.0);
        m.put("load1Before", 1.7);
        m.put("load1After", 1.9);
        m.put("otherCores", others);
        m.put("busy", Suite.busy(others, 0.25) ? 1.0 : 0.0);
        return new Suite.Measurement(key, broker, rep, m, null, null);
    }

    @Test
    void suiteOptionsTakeTheWriteModesAndTheBusyThreshold() {
        SuiteOptions o = SuiteOptions.parse(new String[] {"--root", work.toString(), "--smoke", "--writes", "per-message",
                "--busy-cores", "0.5"});

        assertThat(o.writeModes).containsExactly(WriteMode.PER_MESSAGE);
        assertThat(o.busyCores).isEqualTo(0.5);
        assertThat(o.minSendRatio).isEqualTo(0.1);
        assertThat(SuiteOptions.parse(new String[] {"--root", work.toString()}).writeModes)
                .containsExactly(WriteMode.PER_MESSAGE, WriteMode.BATCHED);
        assertThat(Suite.scenarios(true)).extracting(Suite.Scenario::id).contains("qos0-1to10", "qos1-10to1");
        assertThat(Suite.scenarios(false)).extracting(Suite.Scenario::id).contains("qos0-1to100", "qos0-100to1", "qos1-1to100", "qos1-100to1");
        assertThat(Suite.busy(Double.NaN, 0.25)).isFalse();
    }
}
