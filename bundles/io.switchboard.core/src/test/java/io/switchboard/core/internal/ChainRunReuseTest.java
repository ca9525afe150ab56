package io.switchboard.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.switchboard.api.Message;
import io.switchboard.api.MessageModule;
import io.switchboard.api.Session;
import io.switchboard.api.Verdict;
import io.switchboard.api.broker.PublishResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A worker reuses the chain runs that ended at once for the next messages; a run a module suspended is never
 * reused while it waits, however many messages pass on its worker meanwhile.
 */
class ChainRunReuseTest {

    private final CoreHarness harness = new CoreHarness(1); // one worker: every run shares its spare runs

    @AfterEach
    void stop() {
        harness.close();
    }

    /** Decides later on messages to 'slow/...', at once on the others. */
    private static final class Holding implements MessageModule {
        final List<CompletableFuture<Verdict>> held = new ArrayList<>();

        @Override
        public synchronized Verdict onMessage(Message message, Session sender) {
            if (!message.topic().startsWith("slow/")) {
                return Verdict.pass();
            }
            CompletableFuture<Verdict> decision = new CompletableFuture<>();
            held.add(decision);
            return Verdict.later(decision);
        }

        synchronized List<CompletableFuture<Verdict>> held() {
            return List.copyOf(held);
        }
    }

    /** Records what reached the end of the chain, in order. */
    private static final class Recorder implements MessageModule {
        final List<String> seen = new ArrayList<>();

        @Override
        public synchronized Verdict onMessage(Message message, Session sender) {
            seen.add(message.topic() + "=" + message.payloadText());
            return Verdict.pass();
        }

        synchronized List<String> seen() {
            return List.copyOf(seen);
        }
    }

    @Test
    void aSuspendedRunKeepsItsMessageWhileOthersReuseRunsOnItsWorker() throws Exception {
        Holding holding = new Holding();
        Recorder recorder = new Recorder();
        harness.add("holding", 20, holding);
        harness.add("recorder", 10, recorder);
        CoreHarness.Client sub = harness.client("sub").subscribe("#", 1);
        CoreHarness.Client slow = harness.client("slow");
        CoreHarness.Client fast = harness.client("fast");

        CompletableFuture<PublishResult> slowResult = slow.session
                .publish(Message.builder("slow/1").payload("held").build()).toCompletableFuture();
        CoreHarness.await("the slow message held", () -> holding.held().size() == 1);
        List<CompletableFuture<PublishResult>> fastResults = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            fastResults.add(fast.session.publish(Message.builder("fast/" + i).payload("p" + i).build()).toCompletableFuture());
        }
        CompletableFuture.allOf(fastResults.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        assertThat(slowResult).isNotDone();

        holding.held().get(0).complete(Verdict.pass());

        assertThat(slowResult.get(5, TimeUnit.SECONDS).routed()).isTrue();
        List<String> seen = recorder.seen();
        assertThat(seen).hasSize(201).last().isEqualTo("slow/1=held");
        for (int i = 0; i < 200; i++) {
            assertThat(seen.get(i)).isEqualTo("fast/" + i + "=p" + i);
        }
        List<String> received = new ArrayList<>();
        for (int i = 0; i < 201; i++) {
            Message m = sub.next();
            received.add(m.topic() + "=" + m.payloadText());
        }
        assertThat(received).containsExactlyElementsOf(seen);
    }

    /** A delivery chain: holds the deliveries to 'held' (decided later), refuses those to 'refused', passes the rest. */
    private static final class Gate implements MessageModule {
        final List<CompletableFuture<Verdict>> held = new ArrayList<>();

        @Override
        public synchronized Verdict onDelivery(Message message, Session recipient) {
            return switch (recipient.clientId()) {
                case "held" -> {
                    CompletableFuture<Verdict> decision = new CompletableFuture<>();
                    held.add(decision);
                    yield Verdict.later(decision);
                }
                case "refused" -> Verdict.consume();
                default -> Verdict.pass();
            };
        }

        synchronized List<CompletableFuture<Verdict>> held() {
            return List.copyOf(held);
        }
    }

    @Test
    void eachDeliveryDecisionReachesItsOwnRecipientWhenSomeAreDecidedLater() throws Exception {
        Gate gate = new Gate();
        harness.add("gate", 10, gate);
        CoreHarness.Client open = harness.client("open").subscribe("t/#", 1);
        CoreHarness.Client held = harness.client("held").subscribe("t/#", 1);
        CoreHarness.Client refused = harness.client("refused").subscribe("t/#", 1);
        CoreHarness.Client pub = harness.client("pub");

        List<CompletableFuture<PublishResult>> results = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            results.add(pub.session.publish(Message.builder("t/" + i).payload("p" + i).build()).toCompletableFuture());
            int heldSoFar = i + 1;
            CoreHarness.await("delivery " + i + " to 'held' waiting", () -> gate.held().size() == heldSoFar);
            gate.held().get(i).complete(Verdict.pass());
        }
        for (int i = 0; i < 20; i++) {
            assertThat(results.get(i).get(5, TimeUnit.SECONDS).recipients()).as("recipients of message %d", i).isEqualTo(2);
            assertThat(open.next().payloadText()).isEqualTo("p" + i);
            assertThat(held.next().payloadText()).isEqualTo("p" + i);
        }
        assertThat(refused.received).isEmpty();
    }
}
