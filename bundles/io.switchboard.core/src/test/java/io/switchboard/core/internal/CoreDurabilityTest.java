package io.switchboard.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.switchboard.api.Message;
import io.switchboard.api.ReasonCode;
import io.switchboard.api.Subscription;
import io.switchboard.api.broker.ClientSession;
import io.switchboard.api.broker.PublishResult;
import io.switchboard.api.broker.RestoredSession;
import io.switchboard.store.MemoryStateStore;
import org.junit.jupiter.api.Test;

/** What the core keeps across a restart on the same store (retained messages, restored sessions, sb:disable); the retained limits. */
class CoreDurabilityTest {

    private static PublishResult retain(CoreHarness.Client client, String topic, String payload) throws Exception {
        return client.session.publish(Message.builder(topic).payload(payload).qos(1).retain(true).build())
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void retainedMessagesComeBackWithTheirPropertiesAndExpiredOnesDoNot() throws Exception {
        MemoryStateStore store = new MemoryStateStore();
        long messageId;
        try (CoreHarness before = new CoreHarness(new BrokerCore(), Map.of("workers", 1), store)) {
            CoreHarness.Client pub = before.client("pub");
            messageId = pub.session.publish(Message.builder("door").payload("open").qos(1).retain(true)
                    .contentType("text/plain").userProperty("k", "v").build()).toCompletableFuture().get(5, TimeUnit.SECONDS)
                    .messageId();
            pub.session.publish(Message.builder("soon").payload("gone").retain(true).expiresAt(System.currentTimeMillis() + 50)
                    .build()).toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
        Thread.sleep(100); // the expiry passes while the core is down
        try (CoreHarness after = new CoreHarness(new BrokerCore(), Map.of("workers", 1), store)) {
            CoreHarness.Client sub = after.client("sub").subscribe("#", 1);
            Message back = sub.next();
            assertThat(back.topic()).isEqualTo("door");
            assertThat(back.payloadText()).isEqualTo("open");
            assertThat(back.contentType()).isEqualTo("text/plain");
            assertThat(back.userProperty("k")).isEqualTo("v");
            assertThat(back.id()).isEqualTo(messageId);
            assertThat(sub.received.poll(200, TimeUnit.MILLISECONDS)).as("the expired one is not back").isNull();
            assertThat(after.client("pub").publish("x", "y").messageId()).as("ids go on above the recovered ones")
                    .isGreaterThan(messageId);
        }
    }

    @Test
    void aRestoredSessionIsSubscribedOfflineWithoutRetainedMessagesAndResumable() throws Exception {
        try (CoreHarness harness = new CoreHarness(1)) {
            retain(harness.client("pub"), "a/b", "retained before");
            java.util.concurrent.BlockingQueue<Message> inbox = new java.util.concurrent.LinkedBlockingQueue<>();
            ClientSession restored = harness.core.restore(new RestoredSession("back", "alice", "mqtt-5",
                    List.of(Subscription.of("a/#", 1))), (m, d) -> inbox.add(m));
            assertThat(restored.sessionPresent()).isTrue();
            assertThat(restored.session().isOnline()).isFalse();
            assertThat(inbox.poll(200, TimeUnit.MILLISECONDS)).as("no retained message for a restored subscription").isNull();

            harness.client("pub").publish("a/c", "live");
            assertThat(inbox.poll(5, TimeUnit.SECONDS).payloadText()).isEqualTo("live");
        }
    }

    @Test
    void retainedPublishesBeyondTheLimitsAreRefusedWithQuotaExceeded() throws Exception {
        try (CoreHarness harness = new CoreHarness(new BrokerCore(),
                Map.of("workers", 1, "max_retained_messages", 2, "max_retained_bytes", 12L), new MemoryStateStore())) {
            CoreHarness.Client pub = harness.client("pub");
            assertThat(retain(pub, "t1", "1234").routed()).isTrue();
            assertThat(retain(pub, "t2", "5678").routed()).isTrue();
            PublishResult third = retain(pub, "t3", "x");
            assertThat(third.routed()).isFalse();
            assertThat(third.reasonCode()).isEqualTo(ReasonCode.QUOTA_EXCEEDED);
            assertThat(third.reason()).contains("max.retained.messages");
            assertThat(retain(pub, "t1", "1234").routed()).as("replacing a topic's message is no new topic").isTrue();
            PublishResult tooBig = retain(pub, "t2", "123456789");
            assertThat(tooBig.reasonCode()).isEqualTo(ReasonCode.QUOTA_EXCEEDED);
            assertThat(tooBig.reason()).contains("max.retained.bytes");
        }
    }

    @Test
    void anOperatorsDisableOutlivesARestartUntilEnabled() throws Exception {
        MemoryStateStore store = new MemoryStateStore();
        io.switchboard.api.MessageModule passing = new io.switchboard.api.MessageModule() {
        };
        try (CoreHarness before = new CoreHarness(new BrokerCore(), Map.of("workers", 1), store)) {
            before.add("guard", 10, passing);
            before.core.setEnabled("guard", false);
        }
        try (CoreHarness after = new CoreHarness(new BrokerCore(), Map.of("workers", 1), store)) {
            after.add("guard", 10, passing);
            assertThat(after.module("guard").state()).as("still disabled after the restart").isEqualTo("DISABLED");
            after.core.setEnabled("guard", true);
        }
        try (CoreHarness again = new CoreHarness(new BrokerCore(), Map.of("workers", 1), store)) {
            again.add("guard", 10, passing);
            assertThat(again.module("guard").state()).isEqualTo("ACTIVE");
        }
    }
}
