package io.switchboard.cluster.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import io.switchboard.api.Message;
import io.switchboard.api.broker.ForwardingException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A message relayed to the node a session moves to, between two real members: the node that relays it waits for that
 * node's confirmation (the session has it, and its store wrote it), which the message's acknowledgement waits for.
 */
class ForwarderRelayTest {

    private static final Duration WITHIN = Duration.ofSeconds(20);

    private ForwarderNode a;
    private ForwarderNode b;

    @BeforeEach
    void start() throws IOException {
        int portA = ForwarderNode.freePort();
        int portB = ForwarderNode.freePort();
        List<String> members = List.of("127.0.0.1:" + portA, "127.0.0.1:" + portB);
        a = new ForwarderNode("a", portA, members, 60_000);
        b = new ForwarderNode("b", portB, members, 60_000);
        await().atMost(WITHIN).until(() -> a.members() == 2 && b.members() == 2);
        a.relays.outgoing().start("mover", "b"); // a lets go of the session of "mover" for b
    }

    @AfterEach
    void stop() {
        for (ForwarderNode node : new ForwarderNode[] {a, b}) {
            if (node != null) {
                node.close();
            }
        }
    }

    @Test
    void aRelayIsConfirmedOnceTheNodeTakingTheSessionHandedItToTheSession() {
        CompletableFuture<Void> confirmed = a.forwarder.outbox().relay("mover", message(1), "pub", Set.of()).toCompletableFuture();

        await().atMost(WITHIN).until(() -> b.handing.containsKey("t/1"));
        assertThat(confirmed).as("the session on b does not have it yet").isNotDone();
        b.handing.get("t/1").complete(1);
        await().atMost(WITHIN).until(confirmed::isDone);
        assertThat(confirmed).isCompleted();
        assertThat(a.confirmations.size()).isZero();
    }

    @Test
    void aRelayToANodeThatDiesBeforeConfirmingFailsSoItsPublisherSendsItAgain() {
        CompletableFuture<Void> confirmed = a.forwarder.outbox().relay("mover", message(1), "pub", Set.of()).toCompletableFuture();
        await().atMost(WITHIN).until(() -> b.handing.containsKey("t/1"));

        b.hazelcast.getLifecycleService().terminate();

        await().atMost(WITHIN).until(confirmed::isDone);
        assertThat(confirmed).isCompletedExceptionally();
        assertThat(confirmed.handle((v, e) -> e).join()).isInstanceOf(ForwardingException.class)
                .hasMessageContaining("node 'b' left");
    }

    @Test
    void aQos0RelayIsNotConfirmed() {
        CompletableFuture<Void> sent = a.forwarder.outbox().relay("mover", Message.builder("t/0").payload("x").qos(0).build(),
                "pub", Set.of()).toCompletableFuture();

        assertThat(sent).isCompleted();
        await().atMost(WITHIN).until(() -> b.handing.containsKey("t/0"));
        assertThat(a.confirmations.size()).isZero();
    }

    private static Message message(int n) {
        return Message.builder("t/" + n).payload("x").qos(1).id(n).build();
    }
}
