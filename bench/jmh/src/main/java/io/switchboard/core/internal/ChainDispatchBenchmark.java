package io.switchboard.core.internal;

import java.util.concurrent.TimeUnit;

import io.switchboard.api.Message;
import io.switchboard.api.MessageModule;
import io.switchboard.api.Verdict;
import io.switchboard.core.internal.chain.ChainRun;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One message through the message chain ({@link ChainRun}, synchronously, as a worker runs it; see
 * {@link ChainFixture} for how the benchmark thread stands in for the worker). The cost per
 * pass-through module is the slope of {@code pass} over {@code modules}: (score(10) - score(0)) / 10.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ChainDispatchBenchmark {

    /** Every module passes. */
    @State(Scope.Thread)
    public static class PassingChain {
        @Param({"0", "1", "3", "10"})
        public int modules;
        ChainFixture fixture;

        @Setup
        public void setUp() {
            MessageModule[] chain = new MessageModule[modules];
            for (int i = 0; i < modules; i++) {
                chain[i] = ChainFixture.passing(i);
            }
            fixture = new ChainFixture(chain);
            expect(fixture, Verdict.Kind.PASS, fixture.message);
        }

        @TearDown
        public void tearDown() {
            fixture.close();
        }
    }

    /** Every module passes but the last, which consumes: the whole chain runs and the message stops. */
    @State(Scope.Thread)
    public static class ConsumingChain {
        @Param({"1", "3", "10"})
        public int modules;
        ChainFixture fixture;

        @Setup
        public void setUp() {
            MessageModule[] chain = new MessageModule[modules];
            for (int i = 0; i < modules - 1; i++) {
                chain[i] = ChainFixture.passing(i);
            }
            chain[modules - 1] = new ChainFixture.Consuming();
            fixture = new ChainFixture(chain);
            expect(fixture, Verdict.Kind.CONSUME, fixture.message);
        }

        @TearDown
        public void tearDown() {
            fixture.close();
        }
    }

    /** Every module replaces the message with a changed copy. */
    @State(Scope.Thread)
    public static class ChangingChain {
        @Param({"1", "3", "10"})
        public int modules;
        ChainFixture fixture;

        @Setup
        public void setUp() {
            MessageModule[] chain = new MessageModule[modules];
            for (int i = 0; i < modules; i++) {
                chain[i] = new ChainFixture.Changing();
            }
            fixture = new ChainFixture(chain);
            expect(fixture, Verdict.Kind.PASS, null);
        }

        @TearDown
        public void tearDown() {
            fixture.close();
        }
    }

    @Benchmark
    public Message pass(PassingChain chain) {
        return chain.fixture.dispatch();
    }

    @Benchmark
    public Message consume(ConsumingChain chain) {
        return chain.fixture.dispatch();
    }

    @Benchmark
    public Message change(ChangingChain chain) {
        return chain.fixture.dispatch();
    }

    /** Checks once, before measuring, that the chain decides what the benchmark claims to measure. */
    private static void expect(ChainFixture fixture, Verdict.Kind kind, Message sameAs) {
        Message out = fixture.dispatch();
        boolean messageAsExpected = sameAs != null ? out == sameAs : out != fixture.message;
        if (fixture.outcome().kind() != kind || !messageAsExpected) {
            throw new IllegalStateException("chain of " + fixture.chain.length + " ended with " + fixture.outcome()
                    + (messageAsExpected ? "" : " and an unexpected message") + "; expected " + kind);
        }
    }
}
