package io.switchboard.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.switchboard.api.Message;
import io.switchboard.api.MessageModule;
import io.switchboard.api.MessageStatus;
import io.switchboard.api.ModuleProperties;
import io.switchboard.api.Session;
import io.switchboard.api.Verdict;
import io.switchboard.api.Worker;
import io.switchboard.api.admin.ModuleInfo;
import io.switchboard.api.broker.PublishResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, item 5: a module that keeps failing or blocking is quarantined (out of the chain, shown with the
 * reason and its last error) until sb:enable; abandoned threads are capped; observation callbacks are watched
 * and counted as chain calls are.
 */
class ModuleQuarantineTest {

    /** Holds the blocking modules; released at the end so their threads end. */
    private final CountDownLatch release = new CountDownLatch(1);
    private CoreHarness harness;

    @AfterEach
    void stop() {
        release.countDown();
        harness.close();
    }

    private void awaitRelease() {
        try {
            release.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aModuleThrowingOnEveryMessageIsQuarantinedWhileMessagesFlowAndEnablingReadmitsIt() throws Exception {
        harness = new CoreHarness(2, Map.of("quarantine_failures", 3));
        AtomicInteger calls = new AtomicInteger();
        harness.add("thrower", 10, new MessageModule() {
            @Override
            public Verdict onMessage(Message message, Session sender) {
                calls.incrementAndGet();
                throw new IllegalStateException("boom " + message.payloadText());
            }
        });
        CoreHarness.Client sub = harness.client("sub").subscribe("t", 1);
        CoreHarness.Client pub = harness.client("pub");

        for (int i = 1; i <= 5; i++) {
            assertThat(pub.publish("t", "m" + i).routed()).as("m%d passes (FAIL_OPEN, then without the module)", i).isTrue();
            assertThat(sub.next().payloadText()).isEqualTo("m" + i);
        }

        assertThat(calls).hasValue(3);
        ModuleInfo info = harness.module("thrower");
        assertThat(info.state()).isEqualTo("QUARANTINED");
        assertThat(info.reason()).isEqualTo("quarantined: 3 failures or timeouts within 60000 ms, the last: failed: "
                + "java.lang.IllegalStateException: boom m3 (sb:enable thrower re-admits it)");
        assertThat(info.lastError()).isEqualTo("failed: java.lang.IllegalStateException: boom m3");
        assertThat(info.lastErrorTime()).isNotNull();
        assertThat(info.counters().errors()).isEqualTo(3);
        assertThat(harness.core.stats().modules()).isZero();

        harness.core.setEnabled("thrower", true);
        assertThat(harness.module("thrower").state()).isEqualTo("ACTIVE");
        pub.publish("t", "m6");
        pub.publish("t", "m7");
        assertThat(calls).hasValue(5);
        assertThat(harness.module("thrower").state()).as("a fresh window after re-admission").isEqualTo("ACTIVE");
    }

    @Test
    void atTheAbandonedThreadLimitABlockingModuleIsQuarantinedAndItsWorkerWaitsForIt() throws Exception {
        harness = new CoreHarness(1, Map.of("max_abandoned_threads", 1, "quarantine_failures", 0));
        AtomicInteger calls = new AtomicInteger();
        harness.add("blocker", 10, new MessageModule() {
            @Override
            public Verdict onMessage(Message message, Session sender) {
                calls.incrementAndGet();
                awaitRelease();
                return Verdict.pass();
            }
        }, ModuleProperties.TIMEOUT, 200L, ModuleProperties.TOPICS, "block/#");
        CoreHarness.Client pub = harness.client("pub");

        assertThat(pub.publish("block/1", "a").routed()).isTrue(); // cut off by the watchdog: its thread abandoned
        assertThat(harness.core.stats().abandonedThreads()).isEqualTo(1);
        assertThat(harness.core.stats().abandonedThreadLimit()).isEqualTo(1);

        CompletableFuture<PublishResult> second = pub.session.publish(Message.builder("block/2").payload("b").build())
                .toCompletableFuture();
        CoreHarness.await("the blocker quarantined", () -> "QUARANTINED".equals(harness.module("blocker").state()));
        assertThat(harness.module("blocker").reason()).contains("1 worker threads were already abandoned");
        assertThat(second).as("its worker waits for the blocked call").isNotDone();
        assertThat(harness.core.stats().abandonedThreads()).isEqualTo(1);

        release.countDown();
        assertThat(second.get(5, TimeUnit.SECONDS).routed()).isTrue(); // late: its policy (FAIL_OPEN) passed it
        CoreHarness.await("the abandoned thread ended", () -> harness.core.stats().abandonedThreads() == 0);
        assertThat(pub.publish("block/3", "c").routed()).isTrue();
        assertThat(calls).as("not called in quarantine").hasValue(2);
        assertThat(harness.module("blocker").counters().timeouts()).isEqualTo(2);
    }

    @Test
    void aThrowingObserverCountsErrorsAndIsQuarantined() throws Exception {
        // one worker: the statuses are observed one after another, each with the chain current then
        harness = new CoreHarness(1, Map.of("quarantine_failures", 3));
        AtomicInteger statuses = new AtomicInteger();
        harness.add("observer", 0, new MessageModule() {
            @Override
            public void onStatus(MessageStatus status) {
                statuses.incrementAndGet();
                throw new IllegalStateException("cannot observe " + status.state());
            }
        });
        CoreHarness.Client sub = harness.client("sub").subscribe("t", 1);
        CoreHarness.Client pub = harness.client("pub");

        pub.publish("t", "1");
        pub.publish("t", "2"); // SENT and DELIVERED of each: four statuses, the third quarantines

        CoreHarness.await("the observer quarantined", () -> "QUARANTINED".equals(harness.module("observer").state()));
        assertThat(harness.module("observer").counters()).extracting(c -> c.calls(), c -> c.passes(), c -> c.errors())
                .containsExactly(3L, 0L, 3L);
        assertThat(harness.module("observer").lastError()).startsWith("failed: java.lang.IllegalStateException: cannot observe");
        pub.publish("t", "3");
        assertThat(sub.next().payloadText()).isEqualTo("1");
        assertThat(statuses).hasValue(3);
    }

    @Test
    void aBlockingSessionObserverIsCutOffAtItsBudgetAndCountsTowardsQuarantine() throws Exception {
        harness = new CoreHarness(1, Map.of("quarantine_failures", 2)); // one worker: every session waits behind it
        AtomicInteger opened = new AtomicInteger();
        harness.add("slow-open", 0, new MessageModule() {
            @Override
            public void onSessionOpen(Session session) {
                opened.incrementAndGet();
                awaitRelease();
            }
        }, ModuleProperties.TIMEOUT, 200L);

        // each subscribe waits behind its session's open step: without the watchdog, until the release
        CoreHarness.Client a = harness.client("a").subscribe("t", 1);
        harness.client("b").subscribe("t", 1);
        CoreHarness.await("the observer quarantined", () -> "QUARANTINED".equals(harness.module("slow-open").state()));
        harness.client("c").subscribe("t", 1);
        harness.client("pub").publish("t", "x");

        assertThat(a.next().payloadText()).isEqualTo("x");
        assertThat(opened).as("not called in quarantine").hasValue(2);
        assertThat(harness.module("slow-open").counters().timeouts()).isEqualTo(2);
        assertThat(harness.module("slow-open").lastError())
                .isEqualTo("blocked its worker in onSessionOpen past its time budget of 200 ms");
    }

    @Test
    void aBlockingWorkerStartIsCutOffAndTheWorkerGoesOn() throws Exception {
        harness = new CoreHarness(1);
        harness.add("slow-start", 0, new MessageModule() {
            @Override
            public void onWorkerStart(Worker worker) {
                awaitRelease();
            }
        }, ModuleProperties.TIMEOUT, 200L);

        CoreHarness.Client sub = harness.client("sub").subscribe("t", 1);
        harness.client("pub").publish("t", "x");

        assertThat(sub.next().payloadText()).isEqualTo("x");
        assertThat(harness.module("slow-start").counters().timeouts()).isEqualTo(1);
    }
}
