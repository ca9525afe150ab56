package io.switchboard.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.switchboard.api.FailurePolicy;
import io.switchboard.api.Message;
import io.switchboard.api.MessageModule;
import io.switchboard.api.ModuleProperties;
import io.switchboard.api.Session;
import io.switchboard.api.Verdict;
import io.switchboard.api.admin.BrokerStats;
import io.switchboard.api.admin.ModuleCounters;
import io.switchboard.api.admin.TraceStep;
import io.switchboard.api.broker.PublishResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * sb:trace runs the broker's own chain code (issue 10, defect 5): failure policies and time budgets apply
 * as for a publish, so each trace here ends as a real publish of the same message does; and it stays a dry
 * run (no counter, no routing).
 */
class ChainTraceTest {

    private final CoreHarness harness = new CoreHarness(2);
    /** Holds the blocking modules; released at the end so their abandoned threads end. */
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stop() {
        release.countDown();
        harness.close();
    }

    @Test
    void failClosedModuleThatThrowsConsumesTheTracedMessageAsAPublishDoes() throws Exception {
        harness.add("broken", 20, throwing(), ModuleProperties.FAILURE_POLICY, FailurePolicy.FAIL_CLOSED.name());
        harness.add("after", 10, appender("after"));
        CoreHarness.Client sub = harness.client("sub").subscribe("#", 1);

        List<TraceStep> steps = harness.core.trace(Message.builder("t").payload("hi").build());

        assertThat(steps).extracting(TraceStep::module).containsExactly("broken");
        assertThat(steps.get(0).decision())
                .isEqualTo("failed: java.lang.IllegalStateException: boom (policy FAIL_CLOSED) → consumed");
        assertNothingCounted("broken", "after");
        PublishResult published = harness.client("pub").publish("t", "hi");
        assertThat(published.routed()).isFalse();
        assertThat(published.reason()).contains("broken").contains("boom");
        assertThat(sub.received).isEmpty(); // the publish completed: had it been routed, the delivery would be here
    }

    @Test
    void failOpenModuleThatThrowsLetsTheTracedMessagePassAsAPublishDoes() throws Exception {
        harness.add("broken", 20, throwing());
        harness.add("after", 10, appender("after"));
        CoreHarness.Client sub = harness.client("sub").subscribe("#", 1);

        List<TraceStep> steps = harness.core.trace(Message.builder("t").payload("hi").build());

        assertThat(steps).extracting(TraceStep::decision).containsExactly(
                "failed: java.lang.IllegalStateException: boom (policy FAIL_OPEN) → passed", "replace");
        assertThat(steps.get(1).payloadAfter()).isEqualTo("hi>after");
        assertNothingCounted("broken", "after");
        assertThat(harness.client("pub").publish("t", "hi").routed()).isTrue();
        assertThat(sub.next().payloadText()).isEqualTo("hi>after");
    }

    @ParameterizedTest
    @EnumSource(FailurePolicy.class)
    void moduleBlockingFarPastItsBudgetIsCutOffAfterAboutTheBudget(FailurePolicy policy) throws Exception {
        harness.add("blocker", 20, blocking(), ModuleProperties.TIMEOUT, 200L, ModuleProperties.FAILURE_POLICY,
                policy.name());
        harness.add("after", 10, appender("after"));

        long started = System.nanoTime();
        List<TraceStep> steps = harness.core.trace(Message.builder("t").payload("hi").build());
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        // the module blocks for a minute; the watchdog cuts it off after its 200 ms (+ one 100 ms period)
        assertThat(tookMillis).isLessThan(10_000);
        String cutOff = "blocked its worker past its time budget of 200 ms (policy " + policy + ")";
        boolean failClosed = policy == FailurePolicy.FAIL_CLOSED;
        assertThat(steps.get(0).decision()).isEqualTo(cutOff + (failClosed ? " → consumed" : " → passed"));
        assertThat(steps.get(0).nanos()).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
        assertThat(steps).extracting(TraceStep::module).containsExactly(failClosed ? new String[] {"blocker"}
                : new String[] {"blocker", "after"});
        assertNothingCounted("blocker", "after");
        assertThat(harness.client("pub").publish("t", "hi").routed()).isEqualTo(!failClosed);
    }

    @Test
    void laterDecisionThatCompletesInTimeIsAwaited() throws Exception {
        harness.add("slow", 20, new MessageModule() {
            @Override
            public Verdict onMessage(Message message, Session sender) {
                return Verdict.later(CompletableFuture.supplyAsync(
                        () -> Verdict.replace(message.toBuilder().payload(message.payloadText() + ">slow").build()),
                        CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS)));
            }
        }, ModuleProperties.TIMEOUT, 5_000L, ModuleProperties.FAILURE_POLICY, FailurePolicy.FAIL_CLOSED.name());
        harness.add("after", 10, appender("after"));
        CoreHarness.Client sub = harness.client("sub").subscribe("#", 1);

        List<TraceStep> steps = harness.core.trace(Message.builder("t").payload("hi").build());

        assertThat(steps).extracting(TraceStep::decision).containsExactly("replace", "replace");
        assertThat(steps).extracting(TraceStep::payloadAfter).containsExactly("hi>slow", "hi>slow>after");
        assertThat(steps.get(0).nanos()).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
        assertNothingCounted("slow", "after");
        assertThat(harness.client("pub").publish("t", "hi").routed()).isTrue();
        assertThat(sub.next().payloadText()).isEqualTo("hi>slow>after");
    }

    @Test
    void laterDecisionThatNeverComesTimesOutWithThePolicy() throws Exception {
        harness.add("silent", 20, new MessageModule() {
            @Override
            public Verdict onMessage(Message message, Session sender) {
                return Verdict.later(new CompletableFuture<>());
            }
        }, ModuleProperties.TIMEOUT, 200L, ModuleProperties.FAILURE_POLICY, FailurePolicy.FAIL_CLOSED.name());

        List<TraceStep> steps = harness.core.trace(Message.builder("t").payload("hi").build());

        assertThat(steps).extracting(TraceStep::decision)
                .containsExactly("timed out after 200 ms (policy FAIL_CLOSED) → consumed");
        assertNothingCounted("silent");
        assertThat(harness.client("pub").publish("t", "hi").routed()).isFalse();
    }

    @Test
    void replacementsFollowEachOtherAndTopicFiltersSkip() throws Exception {
        harness.add("first", 30, appender("first"));
        harness.add("elsewhere", 20, appender("elsewhere"), ModuleProperties.TOPICS, "other/#");
        harness.add("second", 10, appender("second"));
        CoreHarness.Client sub = harness.client("sub").subscribe("#", 1);

        List<TraceStep> steps = harness.core.trace(Message.builder("chat/room").payload("x").build());

        assertThat(steps).extracting(TraceStep::decision).containsExactly("replace", "skipped (topic filter [other/#])",
                "replace");
        assertThat(steps).extracting(TraceStep::payloadAfter).containsExactly("x>first", "x>first", "x>first>second");
        assertNothingCounted("first", "elsewhere", "second");
        assertThat(harness.client("pub").publish("chat/room", "x").routed()).isTrue();
        assertThat(sub.next().payloadText()).isEqualTo("x>first>second");
    }

    private void assertNothingCounted(String... modules) {
        for (String name : modules) {
            ModuleCounters counters = harness.core.modules().stream().filter(m -> m.name().equals(name)).findFirst()
                    .orElseThrow().counters();
            assertThat(counters).as(name).isEqualTo(new ModuleCounters(0, 0, 0, 0, 0, 0, 0, 0,
                    java.util.Collections.nCopies(ModuleCounters.DURATION_BOUNDS_NANOS.size() + 1, 0L)));
        }
        BrokerStats stats = harness.core.stats();
        assertThat(stats.published()).isZero();
        assertThat(stats.routed()).isZero();
        assertThat(stats.consumed()).isZero();
        assertThat(stats.deliveries()).isZero();
    }

    private static MessageModule throwing() {
        return new MessageModule() {
            @Override
            public Verdict onMessage(Message message, Session sender) {
                throw new IllegalStateException("boom");
            }
        };
    }

    private MessageModule blocking() {
        return new MessageModule() {
            @Override
            public Verdict onMessage(Message message, Session sender) {
                try {
                    release.await(1, TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return Verdict.consume();
            }
        };
    }

    private static MessageModule appender(String name) {
        return new MessageModule() {
            @Override
            public Verdict onMessage(Message message, Session sender) {
                return Verdict.replace(message.toBuilder().payload(message.payloadText() + ">" + name).build());
            }
        };
    }
}
