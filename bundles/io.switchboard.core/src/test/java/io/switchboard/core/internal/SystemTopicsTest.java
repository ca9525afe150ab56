package io.switchboard.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.switchboard.api.Message;
import io.switchboard.api.MessageModule;
import io.switchboard.api.MessageStatus;
import io.switchboard.api.ReasonCode;
import io.switchboard.api.Session;
import io.switchboard.api.Verdict;
import io.switchboard.api.admin.BrokerStats;
import io.switchboard.api.admin.SystemTopics;
import io.switchboard.api.broker.PublishResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The broker's status topics: published without the message chain, read as the delivery chain allows, never by clients. */
class SystemTopicsTest {

    private final CoreHarness harness = new CoreHarness(2);

    @AfterEach
    void stop() {
        harness.close();
    }

    @Test
    void statusMessagesSkipTheMessageChainAreRetainedAndPassTheDeliveryChain() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        List<MessageStatus> statuses = new CopyOnWriteArrayList<>();
        harness.add("watcher", 1, new MessageModule() {
            @Override
            public Verdict onMessage(Message message, Session sender) {
                seen.add("message " + message.topic());
                return Verdict.pass();
            }

            @Override
            public Verdict onDelivery(Message message, Session recipient) {
                seen.add("delivery " + message.topic() + " to " + recipient.clientId());
                return recipient.clientId().equals("denied") ? Verdict.consume(ReasonCode.NOT_AUTHORIZED, "no")
                        : Verdict.pass();
            }

            @Override
            public void onStatus(MessageStatus status) {
                statuses.add(status);
            }
        });
        CoreHarness.Client live = harness.client("live").subscribe("$SYS/#", 0);
        CoreHarness.Client denied = harness.client("denied").subscribe("$SYS/#", 0);
        CoreHarness.Client all = harness.client("all").subscribe("#", 0);
        SystemTopics sys = harness.core;
        BrokerStats before = harness.core.stats();

        sys.publish("$SYS/broker/uptime", "5 seconds".getBytes(StandardCharsets.UTF_8));

        Message got = live.next();
        assertThat(got.topic()).isEqualTo("$SYS/broker/uptime");
        assertThat(got.payloadText()).isEqualTo("5 seconds");
        await().until(() -> seen.size() == 2);
        assertThat(seen).as("no message chain; a delivery chain per recipient")
                .containsExactlyInAnyOrder("delivery $SYS/broker/uptime to live", "delivery $SYS/broker/uptime to denied");
        assertThat(denied.received.poll(200, TimeUnit.MILLISECONDS)).as("refused by the delivery chain").isNull();
        assertThat(all.received).as("# does not match $SYS topics").isEmpty();
        BrokerStats after = harness.core.stats();
        assertThat(after.published()).as("not a publish").isEqualTo(before.published());
        assertThat(after.routed()).isEqualTo(before.routed());
        assertThat(after.retainedMessages()).isEqualTo(before.retainedMessages() + 1);

        CoreHarness.Client late = harness.client("late").subscribe("$SYS/broker/+", 0);
        assertThat(late.next().payloadText()).as("retained").isEqualTo("5 seconds");
        assertThat(statuses).as("no statuses of status messages").isEmpty();
    }

    @Test
    void clientsCannotPublishToSystemTopicsAndOnlySystemTopicsArePublishedThere() throws Exception {
        CoreHarness.Client sub = harness.client("sub").subscribe("$SYS/#", 0);
        CoreHarness.Client pub = harness.client("pub");

        PublishResult refused = pub.publish("$SYS/broker/version", "fake");

        assertThat(refused.routed()).isFalse();
        assertThat(refused.reasonCode()).isEqualTo(ReasonCode.NOT_AUTHORIZED);
        assertThat(refused.reason()).isEqualTo("$SYS topics belong to the broker: clients cannot publish to them");
        assertThat(pub.publish("$SYSTEM/x", "other $ topics stay usable").routed()).isTrue();
        assertThat(sub.received.poll(200, TimeUnit.MILLISECONDS)).isNull();
        SystemTopics sys = harness.core;
        assertThatThrownBy(() -> sys.publish("status/uptime", new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> sys.publish("$SYS/#", new byte[0])).isInstanceOf(IllegalArgumentException.class);
    }
}
