package io.switchboard.cluster.internal.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import io.switchboard.api.broker.Broker;
import org.junit.jupiter.api.Test;

class MoveFlushesTest {

    /** The broker's workers: what routedSoFar returns completes when the test says they ran what was queued. */
    private final List<CompletableFuture<Void>> routing = new CopyOnWriteArrayList<>();
    private final Broker broker = (Broker) Proxy.newProxyInstance(Broker.class.getClassLoader(), new Class<?>[] {Broker.class},
            (proxy, method, args) -> {
                if (!method.getName().equals("routedSoFar")) {
                    throw new AssertionError("MoveFlushes does not use Broker." + method.getName());
                }
                CompletableFuture<Void> routed = new CompletableFuture<>();
                routing.add(routed);
                return routed;
            });
    private final List<String> sent = new CopyOnWriteArrayList<>();
    private final List<String> answers = new CopyOnWriteArrayList<>();
    private final MoveFlushes flushes = new MoveFlushes(broker, (node, flush) -> sent.add(node + " " + flush));

    MoveFlushesTest() {
        flushes.answerTo((request, member) -> answers.add(request + " " + member));
    }

    @Test
    void aMembersMarkerLeavesOnlyOnceItRoutedWhatCameBefore() {
        MoveFlushes.Flush flush = new MoveFlushes.Flush(3, "c", "b", "s", false);
        flushes.send("a", flush);
        assertThat(sent).as("a message routed by the old view may still be on its way to a").isEmpty();

        routing.get(0).complete(null);

        assertThat(sent).containsExactly("a " + flush);
    }

    @Test
    void theNodeTheSessionLeftPassesAMarkerOnToTheTakerOnlyOnceItRoutedWhatCameBeforeIt() {
        flushes.arrived(new MoveFlushes.Flush(3, "c", "b", "s", false));
        assertThat(sent).as("what c sent before the marker may still be relayed").isEmpty();

        routing.get(0).complete(null);

        assertThat(sent).containsExactly("b " + new MoveFlushes.Flush(3, "c", "b", "s", true));
        assertThat(answers).isEmpty();
    }

    @Test
    void aMarkerPassedOnIsTheTakersAnswer() {
        flushes.arrived(new MoveFlushes.Flush(3, "c", "b", "s", true));

        assertThat(answers).containsExactly("3 c");
        assertThat(routing).isEmpty();
        assertThat(sent).isEmpty();
    }
}
