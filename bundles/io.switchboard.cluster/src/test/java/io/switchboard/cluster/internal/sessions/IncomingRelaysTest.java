package io.switchboard.cluster.internal.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

import io.switchboard.api.Message;
import io.switchboard.api.broker.Broker;
import org.junit.jupiter.api.Test;

class IncomingRelaysTest {

    /** What the broker was handed, in order: "restore" for the session's restore, else "client topic". */
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final List<String> onward = new CopyOnWriteArrayList<>();
    private final Set<String> sessionsHere = new java.util.concurrent.CopyOnWriteArraySet<>();
    /** A broker fake answering deliverTo only: 1 for a session here, 0 otherwise. */
    private final Broker broker = (Broker) Proxy.newProxyInstance(Broker.class.getClassLoader(), new Class<?>[] {Broker.class},
            (proxy, method, args) -> {
                if (method.getName().endsWith("Deliveries")) {
                    return null; // holdDeliveries, releaseDeliveries: no routing here to hold
                }
                if (!method.getName().equals("deliverTo")) {
                    throw new AssertionError("IncomingRelays does not use Broker." + method.getName());
                }
                String clientId = (String) args[0];
                if (!sessionsHere.contains(clientId)) {
                    return CompletableFuture.completedFuture(0);
                }
                events.add(clientId + " " + ((Message) args[1]).topic());
                return CompletableFuture.completedFuture(1);
            });
    private final IncomingRelays relays = new IncomingRelays(broker, 3);

    @Test
    void whatIsRelayedBeforeTheRestoreWaitsForItAndWhatComesAfterIsHandedAtOnce() {
        relays.expect("s");
        CompletableFuture<Void> first = relays.relayed("s", message("t/1"), "a\0s", null, Set.of(), this::onward)
                .toCompletableFuture();
        relays.relayed("s", message("t/2"), "a\0s", null, Set.of(), this::onward);
        assertThat(events).isEmpty();
        assertThat(first).as("confirmed to the node that relayed it only once the session has it").isNotDone();

        int handed = relays.restoreAndHandOver("s", () -> {
            sessionsHere.add("s");
            events.add("restore");
        }).toCompletableFuture().join();
        CompletableFuture<Void> later = relays.relayed("s", message("t/3"), "a\0s", null, Set.of(), this::onward)
                .toCompletableFuture();

        assertThat(handed).isEqualTo(2);
        assertThat(first).isCompleted();
        assertThat(later).isCompleted();
        assertThat(events).containsExactly("restore", "s t/1", "s t/2", "s t/3");
        assertThat(relays.heldCount()).isZero();
        assertThat(onward).isEmpty();
    }

    @Test
    void aMessageForASessionThatIsNotHereGoesOnwardAndIsConfirmedWhenTheNextNodeConfirmsIt() {
        CompletableFuture<Void> there = new CompletableFuture<>();
        onwardConfirmation = there;
        CompletableFuture<Void> confirmed = relays.relayed("gone", message("t/1"), "a\0gone", null, Set.of(),
                this::onward).toCompletableFuture();

        assertThat(onward).containsExactly("gone t/1");
        assertThat(confirmed).isNotDone();
        there.complete(null);
        assertThat(confirmed).isCompleted();
    }

    @Test
    void pastTheLimitRelayedMessagesAreRefusedAndAForgottenMoveRefusesWhatItHeldUnlessTheSessionEnded() {
        relays.expect("s");
        List<CompletableFuture<Void>> confirmed = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            confirmed.add(relays.relayed("s", message("t/" + i), "a\0s", null, Set.of(), this::onward)
                    .toCompletableFuture());
        }
        assertThat(relays.heldCount()).isEqualTo(3);
        assertThat(confirmed.subList(3, 5)).as("refused: their publishers send them again")
                .allMatch(CompletableFuture::isCompletedExceptionally);

        relays.forget("s", false); // not taken here: the session is elsewhere, and what was relayed is not in it

        assertThat(relays.heldCount()).isZero();
        assertThat(confirmed).allMatch(CompletableFuture::isCompletedExceptionally);
        relays.expect("s");
        CompletableFuture<Void> toEnded = relays.relayed("s", message("t/x"), "a\0s", null, Set.of(), this::onward)
                .toCompletableFuture();
        relays.forget("s", true);
        assertThat(toEnded).as("a session that ended (not persistent) is owed nothing").isCompleted();
        relays.expect("s");
        sessionsHere.add("s");
        relays.restoreAndHandOver("s", () -> { }).toCompletableFuture().join();
        assertThat(events).isEmpty();
    }

    @Test
    void afterTheRestoreARelayedMessageTheSessionGotDirectlyIsDroppedUntilTheWindowCloses() {
        relays.arrived("c", 1); // before any window: not remembered
        relays.expect("s");
        relays.restoreAndHandOver("s", () -> sessionsHere.add("s")).toCompletableFuture().join();
        relays.arrived("c", 2);
        relays.arrived("c", 3);

        relays.relayed("s", message("t/1"), "a\0s", new IncomingRelays.Identity("c", 1), Set.of(), this::onward);
        relays.relayed("s", message("t/2"), "a\0s", new IncomingRelays.Identity("c", 2), Set.of(), this::onward);
        relays.relayed("s", message("t/3"), "a\0s", new IncomingRelays.Identity("c", 3), Set.of("$share/g/t/+"),
                this::onward); // through a shared subscription: the direct copy went to another member of the group
        relays.relayed("s", message("t/4"), "a\0s", new IncomingRelays.Identity("a", 2), Set.of(), this::onward);

        assertThat(events).containsExactly("s t/1", "s t/3", "s t/4");
        assertThat(relays.duplicates()).isEqualTo(1);

        relays.closeWindow("s");
        relays.relayed("s", message("t/2"), "a\0s", new IncomingRelays.Identity("c", 2), Set.of(), this::onward);
        assertThat(events).as("the window closed: nothing is told apart").endsWith("s t/2");
    }

    @Test
    void aDirectCopyArrivingAfterItsRelayLeavesOutTheSessionItWasRelayedTo() {
        relays.expect("s");
        relays.relayed("s", message("t/1"), "c\0p", new IncomingRelays.Identity("c", 1), Set.of(), this::onward);
        relays.restoreAndHandOver("s", () -> sessionsHere.add("s")).toCompletableFuture().join();
        relays.relayed("s", message("t/2"), "c\0p", new IncomingRelays.Identity("c", 2), Set.of(), this::onward);

        assertThat(events).containsExactly("s t/1", "s t/2");
        assertThat(relays.arrived("c", 1)).as("relayed while held, handed over at the restore").containsExactly("s");
        assertThat(relays.arrived("c", 2)).as("relayed after the restore").containsExactly("s");
        assertThat(relays.arrived("c", 3)).as("never relayed").isEmpty();
    }

    @Test
    void aRelayIsDroppedOnlyIfItsDirectCopyCameAfterTheRestoreOfItsSession() {
        relays.expect("s");
        relays.expect("other");
        relays.restoreAndHandOver("other", () -> sessionsHere.add("other")).toCompletableFuture().join();
        relays.arrived("c", 1); // before s is restored: it did not reach s
        relays.restoreAndHandOver("s", () -> sessionsHere.add("s")).toCompletableFuture().join();
        relays.arrived("c", 2); // after: it reached s

        relays.relayed("s", message("t/1"), "c\0p", new IncomingRelays.Identity("c", 1), Set.of(), this::onward);
        relays.relayed("s", message("t/2"), "c\0p", new IncomingRelays.Identity("c", 2), Set.of(), this::onward);

        assertThat(events).containsExactly("s t/1");
    }

    @Test
    void atMostRecentLimitDirectArrivalsAreRememberedTheOldestGoFirst() {
        relays.expect("s");
        relays.restoreAndHandOver("s", () -> sessionsHere.add("s")).toCompletableFuture().join();
        for (int id = 0; id <= IncomingRelays.RECENT_LIMIT; id++) {
            relays.arrived("c", id);
        }

        relays.relayed("s", message("t/oldest"), "c\0p", new IncomingRelays.Identity("c", 0), Set.of(), this::onward);
        relays.relayed("s", message("t/newest"), "c\0p", new IncomingRelays.Identity("c", IncomingRelays.RECENT_LIMIT),
                Set.of(), this::onward);

        assertThat(events).as("the oldest was forgotten, the newest is a duplicate").containsExactly("s t/oldest");
    }

    /** What a relay onward returns: when the node it went on to confirms it. */
    private CompletableFuture<Void> onwardConfirmation = CompletableFuture.completedFuture(null);

    private CompletionStage<Void> onward(String clientId, Message message, Set<String> sharedHere) {
        onward.add(clientId + " " + message.topic());
        return onwardConfirmation;
    }

    private static Message message(String topic) {
        return Message.builder(topic).payload("x").qos(1).build();
    }
}
