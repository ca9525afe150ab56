package io.switchboard.core.internal;

import java.util.concurrent.TimeUnit;

import io.switchboard.api.Message;
import io.switchboard.api.Subscription;
import io.switchboard.api.broker.ClientSession;
import io.switchboard.api.broker.LoginRequest;
import io.switchboard.api.broker.PublishResult;
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
 * A publish through the real {@link BrokerCore} (activated outside OSGi with {@link StandInOsgi}), with
 * one worker: the front door's call, the hand-over to the publisher's worker, the message chain of
 * {@code modules} pass-through modules, routing to one subscriber and its delivery, until the
 * publisher's result completes. The benchmark thread waits for each result, so this is the latency of
 * one publish including a thread wake-up, not the broker's throughput.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class BrokerPublishBenchmark {

    @Param({"0", "3"})
    public int modules;

    private BrokerCore core;
    private ClientSession publisher;
    private final Message message = ChainFixture.sample();

    @Setup
    public void setUp() throws Exception {
        core = new BrokerCore();
        core.stateStore = new io.switchboard.store.MemoryStateStore();
        core.activate(StandInOsgi.context(StandInOsgi.bundle("io.switchboard.core")), StandInOsgi.coreConfig(1));
        for (int i = 0; i < modules; i++) {
            core.whiteboard().add(StandInOsgi.moduleReference("module-" + i, modules - i), ChainFixture.passing(i));
        }
        ClientSession subscriber = core.login(LoginRequest.internal("bench-subscriber", null), (m, d) -> d.delivered())
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
        subscriber.subscribe(Subscription.of("site/+/device/+/temp", 1)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        publisher = core.login(LoginRequest.internal("bench-publisher", null), (m, d) -> d.delivered())
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
        PublishResult first = publish();
        if (!first.routed() || first.recipients() != 1 || core.chain(io.switchboard.api.admin.ChainEvent.MESSAGE).size() != modules) {
            throw new IllegalStateException("publish through " + modules + " modules gave " + first);
        }
    }

    @TearDown
    public void tearDown() {
        core.deactivate();
    }

    @Benchmark
    public PublishResult publish() {
        return publisher.publish(message).toCompletableFuture().join();
    }
}
