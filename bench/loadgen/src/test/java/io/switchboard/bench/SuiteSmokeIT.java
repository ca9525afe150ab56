package io.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The benchmark suite in smoke mode (tiny counts, one repetition) against the brokers this build made:
 * switchboard-empty, switchboard-3modules, switchboard-shipped, and mosquitto when it is installed. It keeps the
 * whole benchmark from rotting; the numbers mean nothing. Writes under target/ only.
 *
 * <p>Not Moquette: now and then it closes one of ten subscribers that subscribe at once (in a CI run of 2026-12-05,
 * all three trials of one scenario, the others fine; never in six runs of it alone), which matches its open
 * subscription-tree race (moquette-io/moquette#388). A third-party broker's defect must not fail this build;
 * {@code bench/run} still compares with it, and its warnings now land in its broker.log.
 */
class SuiteSmokeIT {

    @Test
    @Timeout(420)
    void everyScenarioRunsAgainstEveryBrokerInBothWriteModes() throws Exception {
        SuiteOptions options = new SuiteOptions();
        options.root = Path.of(System.getProperty("switchboard.root", "../..")).toAbsolutePath().normalize();
        options.smokeDefaults();
        options.brokers.remove("moquette");
        options.pinBrokers = false; // a CI machine: no taskset requirement
        options.workDir = Path.of(System.getProperty("bench.smoke.work", "target/bench-smoke")).toAbsolutePath();
        options.docs = null;
        options.raw = options.workDir.resolve("benchmarks-raw.json");
        options.command = "SuiteSmokeIT";
        options.locateArtifacts();
        assertThat(options.distribution.resolve("bin/switchboard")).as("the assembled distribution").isExecutable();

        long started = System.nanoTime();
        List<Suite.Measurement> measurements = new Suite(options).run();
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(measurements).allSatisfy(m -> assertThat(m.error()).as(m.scenario() + " " + m.broker()).isNull());
        int runs = 1 + 2; // idle, connect-clean and connect-persistent (connect-cold restarts: not in smoke mode)
        for (Suite.Scenario s : Suite.scenarios(true)) {
            runs += s.modes(options.writeModes).size();
        }
        assertThat(measurements).hasSize(runs * options.brokers.size());
        for (Suite.Measurement m : measurements) {
            String what = m.scenario() + " " + m.broker() + " " + m.metrics();
            if (m.scenario().equals("idle")) {
                assertThat(m.metrics().get("connections")).as(what).isEqualTo(options.idleConnections);
                assertThat(m.metrics().get("rssMiB")).as(what).isPositive();
                continue;
            }
            if (m.scenario().startsWith("connect-")) {
                assertThat(m.scenario()).as(what).isIn(Suite.CONNECT_CLEAN, Suite.CONNECT_PERSISTENT);
                assertThat(m.metrics().get("perSecond")).as(what).isPositive();
                assertThat(m.metrics().get("p50")).as(what).isPositive();
                assertThat(m.metrics().get("cpuUsPerConn")).as(what).isNotNaN().isGreaterThanOrEqualTo(0);
                assertThat(((Map<?, ?>) m.raw()).get("connections")).as(what).isEqualTo(options.connectConnections);
                continue;
            }
            // every load run: the machine's load around it and the broker's CPU per message
            assertThat(m.metrics()).as(what).containsKeys("load1Before", "load1After", "otherCores", "busy");
            if (m.scenario().startsWith("latency-qos0/")) {
                assertThat(m.metrics().get("delivered")).as(what).isEqualTo(1.0);
                assertThat(m.metrics().get("p50")).as(what).isPositive();
                assertThat(m.metrics().get("p99")).as(what).isPositive();
            } else {
                // a sweep's rate is a trial that passed: every message delivered to every subscriber
                assertThat(m.scenario()).as(what).matches("qos[01]-\\d+to\\d+/(per-message|batched)");
                assertThat(m.metrics().get("in")).as(what).isPositive();
                assertThat(m.metrics().get("rssMiB")).as(what).isPositive();
            }
            // the broker's CPU per delivered message (0 is possible: a smoke trial is shorter than a few clock ticks)
            assertThat(m.metrics().get("cpuUsPerMsg")).as(what).isNotNull().isNotNaN().isGreaterThanOrEqualTo(0);
            if (m.scenario().endsWith("/per-message") && !m.scenario().startsWith("latency")) {
                assertThat(m.metrics().get("msgPerWrite")).as(what + ": one PUBLISH per write").isLessThanOrEqualTo(1.0);
            }
        }
        assertThat(Files.readString(options.workDir.resolve("benchmarks-section.md"))).contains("switchboard-3modules", "Connection rate");
        assertThat(options.raw).isNotEmptyFile();
        System.out.println("suite smoke: " + measurements.size() + " measurements in " + took.toSeconds() + " s");
    }
}
