package io.switchboard.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.switchboard.api.FailurePolicy;
import io.switchboard.api.Message;
import io.switchboard.api.MessageModule;
import io.switchboard.api.ModuleProperties;
import io.switchboard.api.Session;
import io.switchboard.api.Verdict;
import io.switchboard.api.admin.ModuleInfo;
import io.switchboard.api.broker.ClientSession;
import io.switchboard.api.broker.PublishResult;
import io.switchboard.itest.support.Inbox;
import io.switchboard.itest.support.SwitchboardTestSupport;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * A module that throws and a module that never decides (a {@link Verdict#later} stage never
 * completed, with a short {@code switchboard.module.timeout}) are isolated: their failure policy
 * decides their messages (FAIL_OPEN passes, FAIL_CLOSED consumes), their counters show it, and
 * delivery of everything else goes on meanwhile. A module that keeps failing is quarantined (the core's
 * default: 10 failures within 60 s) until it is enabled again.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class IsolationIT extends SwitchboardTestSupport {

    /** The hanging modules' time budget. */
    private static final long TIMEOUT_MILLIS = 300;

    private Inbox inbox;
    private ClientSession publisher;
    private ClientSession bystander;

    @Before
    public void clients() {
        inbox = subscriber("iso-sub", "iso/#");
        publisher = publisher("iso-pub");
        bystander = publisher("iso-bystander");
    }

    private static MessageModule thrower() {
        return new MessageModule() {
            @Override
            public Verdict onMessage(Message message, Session sender) {
                throw new IllegalStateException("thrower fails on " + message.topic());
            }
        };
    }

    /** A module whose decisions never come; the stages are kept so they stay pending. */
    private static MessageModule hanger(List<CompletableFuture<Verdict>> pending) {
        return new MessageModule() {
            @Override
            public Verdict onMessage(Message message, Session sender) {
                CompletableFuture<Verdict> never = new CompletableFuture<>();
                pending.add(never);
                return Verdict.later(never);
            }
        };
    }

    /** Registers {@code module} limited to {@code iso/<name>/#}, with a policy (and a time budget). */
    private void register(String name, MessageModule module, FailurePolicy policy) {
        registerModule(name, 50, module, Map.of(
                ModuleProperties.TOPICS, new String[] {"iso/" + name + "/#"},
                ModuleProperties.FAILURE_POLICY, policy.name(),
                ModuleProperties.TIMEOUT, TIMEOUT_MILLIS));
        awaitModule("active", name, m -> "ACTIVE".equals(m.state()));
    }

    @Test
    public void aThrowingModuleFailOpenLetsTheMessageThrough() {
        register("throw-open", thrower(), FailurePolicy.FAIL_OPEN);
        PublishResult result = publish(publisher, "iso/throw-open/1", "a");
        assertTrue("passed by policy FAIL_OPEN: " + result, result.routed());
        assertEquals("a", inbox.awaitTopic("iso/throw-open/1").text());
        assertDeliveryGoesOn("iso/free/after-throw-open");
        ModuleInfo info = awaitModule("to count the error", "throw-open", m -> m.counters().errors() >= 1);
        assertEquals("FAIL_OPEN", info.failurePolicy());
    }

    @Test
    public void aThrowingModuleFailClosedConsumesTheMessage() {
        register("throw-closed", thrower(), FailurePolicy.FAIL_CLOSED);
        PublishResult result = publish(publisher, "iso/throw-closed/1", "a");
        assertFalse("consumed by policy FAIL_CLOSED: " + result, result.routed());
        assertDeliveryGoesOn("iso/free/after-throw-closed");
        assertEquals("the consumed message was delivered", List.of(), inbox.onTopic("iso/throw-closed/1"));
        awaitModule("to count the error", "throw-closed", m -> m.counters().errors() >= 1);
    }

    @Test
    public void aHangingModuleFailOpenTimesOutWhileOtherMessagesFlow() {
        List<CompletableFuture<Verdict>> pending = new java.util.concurrent.CopyOnWriteArrayList<>();
        register("hang-open", hanger(pending), FailurePolicy.FAIL_OPEN);

        long start = System.nanoTime();
        CompletionStage<PublishResult> hanging = publisher.publish(message("iso/hang-open/1", "slow"));
        // another publisher's message is routed and delivered while the hanging one waits
        assertTrue(publish(bystander, "iso/free/meanwhile", "b").routed());
        Inbox.Received meanwhile = inbox.awaitTopic("iso/free/meanwhile");

        PublishResult result = get(hanging, "the hanging publish");
        assertTrue("passed by policy FAIL_OPEN after the timeout: " + result, result.routed());
        Inbox.Received late = inbox.awaitTopic("iso/hang-open/1");
        long waitedMillis = Duration.ofNanos(late.nanos() - start).toMillis();
        assertTrue("waited for the time budget (" + TIMEOUT_MILLIS + " ms), waited " + waitedMillis + " ms",
                waitedMillis >= TIMEOUT_MILLIS - 50);
        assertTrue("the bystander's message came while the hanging one waited", meanwhile.nanos() < late.nanos());
        assertEquals("the module was asked once", 1, pending.size());
        awaitModule("to count the timeout", "hang-open", m -> m.counters().timeouts() >= 1);
    }

    @Test
    public void aHangingModuleFailClosedConsumesAfterTheTimeout() {
        List<CompletableFuture<Verdict>> pending = new java.util.concurrent.CopyOnWriteArrayList<>();
        register("hang-closed", hanger(pending), FailurePolicy.FAIL_CLOSED);
        long start = System.nanoTime();
        PublishResult result = publish(publisher, "iso/hang-closed/1", "slow");
        long waitedMillis = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertFalse("consumed by policy FAIL_CLOSED: " + result, result.routed());
        assertTrue("decided by the time budget, after " + waitedMillis + " ms", waitedMillis >= TIMEOUT_MILLIS - 50);
        assertDeliveryGoesOn("iso/free/after-hang-closed");
        assertEquals("the consumed message was delivered", List.of(), inbox.onTopic("iso/hang-closed/1"));
        ModuleInfo info = awaitModule("to count the timeout", "hang-closed", m -> m.counters().timeouts() >= 1);
        assertEquals(TIMEOUT_MILLIS, info.timeoutMillis());

        // a late decision, after the policy decided, changes nothing
        pending.forEach(p -> p.complete(Verdict.pass()));
        assertDeliveryGoesOn("iso/free/after-late-decision");
        assertEquals("delivered after all", List.of(), inbox.onTopic("iso/hang-closed/1"));
    }

    @Test
    public void aModuleThrowingOnEveryMessageIsQuarantinedWhileMessagesFlow() {
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        register("quarantine", new MessageModule() {
            @Override
            public Verdict onMessage(Message message, Session sender) {
                calls.incrementAndGet();
                throw new IllegalStateException("fails on " + message.payloadText());
            }
        }, FailurePolicy.FAIL_OPEN);

        for (int i = 1; i <= 12; i++) {
            String topic = "iso/quarantine/" + i;
            assertTrue(topic + " passes (by policy, then without the module)", publish(publisher, topic, "m" + i).routed());
            assertEquals("m" + i, inbox.awaitTopic(topic).text());
        }

        assertEquals("called until the 10th failure quarantined it", 10, calls.get());
        ModuleInfo info = awaitModule("quarantined", "quarantine", m -> "QUARANTINED".equals(m.state()));
        assertEquals(10, info.counters().errors());
        assertEquals("failures count as errors, not as passes", 0, info.counters().passes());
        assertTrue(info.reason(), info.reason().startsWith("quarantined: 10 failures or timeouts within 60000 ms"));
        assertEquals("failed: java.lang.IllegalStateException: fails on m10", info.lastError());

        admin().setEnabled("quarantine", true);
        awaitModule("re-admitted", "quarantine", m -> "ACTIVE".equals(m.state()));
        assertTrue(publish(publisher, "iso/quarantine/13", "m13").routed());
        assertEquals("called again once enabled", 11, calls.get());
    }

    /**
     * The publisher's next message (on a topic no failing module watches) is delivered: delivery goes
     * on; since one publisher's messages are handled in order, an earlier consumed message that was
     * going to be delivered would have arrived by then.
     */
    private void assertDeliveryGoesOn(String topic) {
        assertTrue(topic + " routed", publish(publisher, topic, "next").routed());
        inbox.awaitTopic(topic);
    }
}
