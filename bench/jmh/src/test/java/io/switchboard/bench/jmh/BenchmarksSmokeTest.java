package io.switchboard.bench.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every benchmark for a moment, in this JVM, with its smallest parameters: the benchmarks must
 * keep compiling, setting up (each setup checks that it measures what it claims) and producing a
 * score. Measures nothing worth reading: bench/jmh/run does that.
 */
class BenchmarksSmokeTest {

    @Test
    void chainDispatch() throws RunnerException {
        assertScores(smoke("io.switchboard.core.internal.ChainDispatchBenchmark").param("modules", "3"), 3);
    }

    @Test
    void topicMatch() throws RunnerException {
        assertScores(smoke("io.switchboard.core.internal.TopicMatchBenchmark").param("subscriptions", "1000"), 2);
    }

    @Test
    void routeView() throws RunnerException {
        assertScores(smoke("io.switchboard.cluster.internal.RouteViewBenchmark").param("routes", "1000"), 3);
    }

    @Test
    void publishCodec() throws RunnerException {
        assertScores(smoke("io.switchboard.mqtt.internal.transport.PublishCodecBenchmark"), 4);
    }

    @Test
    void fanOutEncode() throws RunnerException {
        assertScores(smoke("io.switchboard.mqtt.internal.protocol.FanOutEncodeBenchmark"), 8);
    }

    @Test
    void brokerPublish() throws RunnerException {
        assertScores(smoke("io.switchboard.core.internal.BrokerPublishBenchmark").param("modules", "3"), 1);
    }

    @Test
    void storeEngine() throws RunnerException {
        // 3 batch sizes x 3 engines x fsync off and on, a small window
        assertScores(smoke("io.switchboard.store.internal.StoreEngineBenchmark").param("window", "100"), 18);
    }

    @Test
    void storeGroupCommit() throws RunnerException {
        // fsync off only: JMH takes a second to end each 16-thread run here, and StoreEngineBenchmark covers fsync
        assertScores(smoke("io.switchboard.store.internal.StoreGroupCommitBenchmark").param("window", "160")
                .param("fsync", "false"), 3);
    }

    @Test
    void storeRecovery() throws RunnerException {
        assertScores(smoke("io.switchboard.store.internal.StoreRecoveryBenchmark").param("records", "1000")
                .warmupIterations(0), 2);
    }

    private static ChainedOptionsBuilder smoke(String benchmarkClass) {
        return new OptionsBuilder()
                .include("^" + benchmarkClass.replace(".", "\\.") + "\\.")
                .forks(0)
                .warmupIterations(1)
                .warmupTime(TimeValue.milliseconds(50))
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100))
                .timeUnit(TimeUnit.NANOSECONDS)
                .shouldFailOnError(true);
    }

    private static void assertScores(ChainedOptionsBuilder options, int expectedRuns) throws RunnerException {
        Collection<RunResult> results = new Runner(options.build()).run();
        assertThat(results).hasSize(expectedRuns);
        for (RunResult result : results) {
            double score = result.getPrimaryResult().getScore();
            assertThat(score).as(result.getParams().getBenchmark() + " " + result.getParams())
                    .isFinite().isPositive();
        }
    }
}
