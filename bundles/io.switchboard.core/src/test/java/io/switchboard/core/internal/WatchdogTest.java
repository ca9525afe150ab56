package io.switchboard.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.switchboard.api.FailurePolicy;
import io.switchboard.api.Message;
import io.switchboard.api.MessageModule;
import io.switchboard.api.ModuleProperties;
import io.switchboard.api.Session;
import io.switchboard.api.Verdict;
import io.switchboard.api.admin.ModuleInfo;
import io.switchboard.api.broker.PublishResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A module that blocks its worker thread does not stop the sessions sharing that worker. */
class WatchdogTest {

    private final CoreHarness harness = new CoreHarness(1); // one worker: every session shares it
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stop() {
        release.countDown();
        harness.close();
    }

    private MessageModule blocker() {
        return new MessageModule() {
            @Override
            public Verdict onMessage(Message message, Session sender) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return Verdict.consume();
            }
        };
    }

    @Test
    void blockedCallIsCutOffAndTheWorkerGoesOn() throws Exception {
        harness.add("blocker", 10, blocker(), ModuleProperties.TOPICS, "block/#", ModuleProperties.TIMEOUT, 200L);
        CoreHarness.Client sub = harness.client("sub").subscribe("#", 1);
        CoreHarness.Client blocked = harness.client("blocked");
        CoreHarness.Client other = harness.client("other");

        var stuck = blocked.session.publish(Message.builder("block/1").payload("b").build()).toCompletableFuture();
        PublishResult free = other.publish("free/1", "f");

        assertThat(free.routed()).isTrue();
        assertThat(sub.next().topic()).isIn("free/1", "block/1");
        // fail-open: the blocked message passes once its budget is over
        assertThat(stuck.get(5, TimeUnit.SECONDS).routed()).isTrue();
        ModuleInfo info = harness.core.modules().get(0);
        assertThat(info.counters().timeouts()).isEqualTo(1);

        // the blocked thread, released late, must not deliver anything twice
        release.countDown();
        other.publish("free/2", "g");
        assertThat(sub.next().topic()).isIn("free/1", "block/1");
        assertThat(sub.next().topic()).isEqualTo("free/2");
        assertThat(sub.received.poll(200, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void failClosedConsumesTheBlockedMessage() throws Exception {
        harness.add("blocker", 10, blocker(), ModuleProperties.TIMEOUT, 200L, ModuleProperties.FAILURE_POLICY,
                FailurePolicy.FAIL_CLOSED.name());

        PublishResult result = harness.client("pub").publish("any", "x");

        assertThat(result.routed()).isFalse();
        assertThat(result.reason()).contains("blocker").contains("blocked its worker");
    }
}
