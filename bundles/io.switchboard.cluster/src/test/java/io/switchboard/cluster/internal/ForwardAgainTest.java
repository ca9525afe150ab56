package io.switchboard.cluster.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import io.switchboard.api.Message;
import io.switchboard.api.broker.ForwardingException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A QoS 2 message one node did not confirm, between three real members: its publisher is not acknowledged, and its
 * resend goes only where the message is missing, so that no subscriber gets it twice (exactly once).
 */
class ForwardAgainTest {

    private static final Duration WITHIN = Duration.ofSeconds(20);

    private ForwarderNode a;
    private ForwarderNode b;
    private ForwarderNode c;

    @BeforeEach
    void start() throws IOException {
        int[] ports = {ForwarderNode.freePort(), ForwarderNode.freePort(), ForwarderNode.freePort()};
        List<String> members = List.of("127.0.0.1:" + ports[0], "127.0.0.1:" + ports[1], "127.0.0.1:" + ports[2]);
        a = new ForwarderNode("a", ports[0], members, 1_000); // a confirmation later than 1 s fails
        b = new ForwarderNode("b", ports[1], members, 1_000);
        c = new ForwarderNode("c", ports[2], members, 1_000);
        await().atMost(WITHIN).until(() -> a.members() == 3 && b.members() == 3 && c.members() == 3);
    }

    @AfterEach
    void stop() {
        for (ForwarderNode node : new ForwarderNode[] {a, b, c}) {
            if (node != null) {
                node.close();
            }
        }
    }

    @Test
    void theResendGoesOnlyToTheNodeThatDidNotConfirmWhichDoesNotDeliverItTwiceEither() {
        b.routes.added("t/#");
        c.routes.added("t/#");
        await().atMost(WITHIN).until(() -> a.routes.match("t/1").nodes().equals(Set.of("b", "c")));
        c.hang.add("t/1"); // c hands it to its sessions but does not confirm it in time

        ForwardingException failed = failure(a.forwarder.outbox().forward(message("t/1", 2, 7), "pub").accepted());
        assertThat(failed.canForwardAgain()).isTrue();
        assertThat(failed.messageId()).isEqualTo(7);

        c.hang.clear();
        a.forwarder.outbox().forwardAgain(7, "pub").toCompletableFuture().join();

        assertThat(b.accepted).as("b confirmed it the first time: not sent again").containsExactly("plain t/1 []");
        assertThat(c.accepted).as("sent again, but c remembers handing it to its sessions: it only confirms")
                .containsExactly("plain t/1 []");
        assertThat(a.forwarder.outbox().forwardAgain(7, "pub")).as("forwarded again once: then it is no longer kept").isNull();
    }

    @Test
    void aSharedGroupWhoseChosenNodeDidNotConfirmIsServedByAnotherMemberOnly() {
        b.routes.added("s/#");
        b.routes.added("$share/g/s/#");
        c.routes.added("$share/g/s/#");
        await().atMost(WITHIN).until(() -> a.routes.filtersByNode().getOrDefault("b", Set.of()).size() == 2
                && a.routes.filtersByNode().getOrDefault("c", Set.of()).contains("$share/g/s/#"));
        // the group's turns alternate b, c: take them until b's, so that the message's own goes to c
        String turn;
        do {
            turn = a.routes.match("s/0").sharedServedBy().get("$share/g/s/#");
        } while (!"b".equals(turn));
        c.hang.add("s/1");

        ForwardingException failed = failure(a.forwarder.outbox().forward(message("s/1", 2, 8), "pub").accepted());
        assertThat(c.accepted).containsExactly("plain s/1 [$share/g/s/#]");

        a.forwarder.outbox().forwardAgain(failed.messageId(), "pub").toCompletableFuture().join();

        assertThat(b.accepted).as("b's plain subscription had it; the group comes to b now")
                .containsExactly("plain s/1 []", "shared s/1 [$share/g/s/#]");
        assertThat(c.accepted).as("c has no plain subscription, and the group went to b").hasSize(1);
    }

    @Test
    void aQos1MessageIsNotKept() {
        b.routes.added("q/#");
        await().atMost(WITHIN).until(() -> a.routes.match("q/1").nodes().equals(Set.of("b")));
        b.hang.add("q/1");

        ForwardingException failed = failure(a.forwarder.outbox().forward(message("q/1", 1, 9), "pub").accepted());

        assertThat(failed.canForwardAgain()).as("QoS 1 is at least once: the resend is published again").isFalse();
        assertThat(a.forwarder.outbox().forwardAgain(9, "pub")).isNull();
    }

    private static Message message(String topic, int qos, long id) {
        return Message.builder(topic).payload("x").qos(qos).id(id).build();
    }

    private static ForwardingException failure(java.util.concurrent.CompletionStage<Void> accepted) {
        CompletableFuture<Void> future = accepted.toCompletableFuture();
        await().atMost(WITHIN).until(future::isDone);
        try {
            future.join();
        } catch (CompletionException e) {
            return (ForwardingException) e.getCause();
        }
        throw new AssertionError("it was confirmed");
    }
}
