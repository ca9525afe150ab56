package io.switchboard.cluster.internal.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiPredicate;

import io.switchboard.api.Message;
import io.switchboard.api.broker.Broker;
import org.junit.jupiter.api.Test;

class IncomingRelaysTest {

    /** What the broker was handed, in order: "restore" for the session's restore, else "client topic". */
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final List<String> onward = new CopyOnWriteArrayList<>();
    private final Set<String> sessionsHere = new java.util.concurrent.CopyOnWriteArraySet<>();
    /** What the core keeps of routing's deliveries to the session "s" until the release: message and order key. */
    private final List<Map.Entry<Message, String>> kept = new CopyOnWriteArrayList<>();
    /** The topics whose hand-over to a session does not complete until the test says so. */
    private final Map<String, CompletableFuture<Integer>> handing = new java.util.concurrent.ConcurrentHashMap<>();
    /**
     * A broker fake: deliverTo answers 1 for a session here, 0 otherwise; releaseDeliveries delivers what is
     * {@link #kept} but what the cluster says the session had ("client topic direct").
     */
    private final Broker broker = (Broker) Proxy.newProxyInstance(Broker.class.getClassLoader(), new Class<?>[] {Broker.class},
            (proxy, method, args) -> {
                if (method.getName().equals("holdDeliveries")) {
                    return null;
                }
                if (method.getName().equals("releaseDeliveries") && args.length == 2) {
                    @SuppressWarnings("unchecked")
                    BiPredicate<Message, String> had = (BiPredicate<Message, String>) args[1];
                    events.add("release");
                    for (Map.Entry<Message, String> k : kept) {
                        if (!had.test(k.getKey(), k.getValue())) {
                            events.add(args[0] + " " + k.getKey().topic() + " direct");
                        }
                    }
                    kept.clear();
                    return null;
                }
                if (!method.getName().equals("deliverTo")) {
                    throw new AssertionError("IncomingRelays does not use Broker." + method.getName());
                }
                String clientId = (String) args[0];
                if (!sessionsHere.contains(clientId)) {
                    return CompletableFuture.completedFuture(0);
                }
                String topic = ((Message) args[1]).topic();
                events.add(clientId + " " + topic);
                return handing.getOrDefault(topic, CompletableFuture.completedFuture(1));
            });
    private final IncomingRelays relays = new IncomingRelays("b", broker, 3);

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
    void afterTheMovesEndARelayedMessageTheSessionGotDirectlyIsDroppedUntilTheWindowCloses() {
        relays.arrived("c", 1); // before any window: not remembered
        relays.expect("s");
        relays.restoreAndHandOver("s", () -> sessionsHere.add("s")).toCompletableFuture().join();
        relays.release("s", false); // a member did not answer: a relay is dropped only if its direct copy came
        events.clear();
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
    void aRelayIsDroppedOnlyIfItsDirectCopyCameAfterTheEndOfItsSessionsMove() {
        relays.expect("s");
        relays.expect("other");
        relays.restoreAndHandOver("other", () -> sessionsHere.add("other")).toCompletableFuture().join();
        relays.arrived("c", 1); // before s is restored: it did not reach s
        relays.restoreAndHandOver("s", () -> sessionsHere.add("s")).toCompletableFuture().join();
        relays.arrived("c", 2); // restored, but the core keeps it until the move's end
        relays.release("other", false);
        relays.arrived("c", 3); // the move of another session ended: still kept for s
        relays.relayed("s", message("t/1"), "c\0p", new IncomingRelays.Identity("c", 1), Set.of(), this::onward);
        relays.relayed("s", message("t/2"), "c\0p", new IncomingRelays.Identity("c", 2), Set.of(), this::onward);
        relays.relayed("s", message("t/3"), "c\0p", new IncomingRelays.Identity("c", 3), Set.of(), this::onward);
        relays.release("s", false);
        relays.arrived("c", 4); // after: it reached s
        events.clear();

        relays.relayed("s", message("t/4"), "c\0p", new IncomingRelays.Identity("c", 4), Set.of(), this::onward);
        relays.relayed("s", message("t/5"), "c\0p", new IncomingRelays.Identity("c", 5), Set.of(), this::onward);

        assertThat(events).as("relayed before its direct copy reached the session").containsExactly("s t/5");
    }

    @Test
    void untilTheMovesEndTheRelayedCopyWinsAndTheDirectCopiesTheCoreKeptFollowAtItsEnd() {
        relays.expect("s");
        relays.restoreAndHandOver("s", () -> sessionsHere.add("s")).toCompletableFuture().join();
        // direct copies: the core keeps what routing delivers to s; one relayed before is not delivered to s at all
        direct("c", 1, "t/1");
        relays.relayed("s", message("t/1"), "c\0p", new IncomingRelays.Identity("c", 1), Set.of(), this::onward);
        relays.relayed("s", message("t/2"), "c\0p", new IncomingRelays.Identity("c", 2), Set.of(), this::onward);
        assertThat(relays.arrived("c", 2)).as("relayed first: not to s again").containsExactly("s");
        direct("c", 3, "t/3");
        direct("b", 7, "t/local"); // published here (its order key names no node), kept for s, relayed back by a
        relays.relayed("s", message("t/local"), "b\0p", new IncomingRelays.Identity("b", 7), Set.of(), this::onward);
        assertThat(events).containsExactly("s t/1", "s t/2", "s t/local");

        relays.release("s", true);
        relays.relayed("s", message("t/3"), "c\0p", new IncomingRelays.Identity("c", 3), Set.of(), this::onward);
        relays.relayed("s", message("t/4"), "c\0p", new IncomingRelays.Identity("c", 4), Set.of(), this::onward);

        assertThat(events).as("every member's marker came: what is relayed later came directly too").containsExactly(
                "s t/1", "s t/2", "s t/local", "release", "s t/3 direct");
        assertThat(relays.duplicates()).isEqualTo(2);
    }

    @Test
    void theMovesEndWaitsUntilTheRelaysBeforeItWereHandedToTheSession() {
        CompletableFuture<Integer> slow = new CompletableFuture<>();
        handing.put("t/1", slow);
        relays.expect("s");
        relays.relayed("s", message("t/1"), "c\0p", new IncomingRelays.Identity("c", 1), Set.of(), this::onward);
        relays.restoreAndHandOver("s", () -> sessionsHere.add("s"));
        relays.relayed("s", message("t/2"), "c\0p", new IncomingRelays.Identity("c", 2), Set.of(), this::onward);
        direct("c", 3, "t/3");

        relays.release("s", true);
        assertThat(events).as("t/1 is still on its way to the session").containsExactly("s t/1", "s t/2");
        slow.complete(1);

        assertThat(events).containsExactly("s t/1", "s t/2", "release", "s t/3 direct");
    }

    @Test
    void atMostRecentLimitDirectArrivalsAreRememberedTheOldestGoFirst() {
        relays.expect("s");
        relays.restoreAndHandOver("s", () -> sessionsHere.add("s")).toCompletableFuture().join();
        relays.release("s", false);
        events.clear();
        for (int id = 0; id <= IncomingRelays.RECENT_LIMIT; id++) {
            relays.arrived("c", id);
        }

        relays.relayed("s", message("t/oldest"), "c\0p", new IncomingRelays.Identity("c", 0), Set.of(), this::onward);
        relays.relayed("s", message("t/newest"), "c\0p", new IncomingRelays.Identity("c", IncomingRelays.RECENT_LIMIT),
                Set.of(), this::onward);

        assertThat(events).as("the oldest was forgotten, the newest is a duplicate").containsExactly("s t/oldest");
    }

    /** A message routed to this node directly ({@code origin}'s id {@code id}), which the core keeps for "s". */
    private void direct(String origin, long id, String topic) {
        if (relays.arrived(origin, id).isEmpty()) {
            kept.add(Map.entry(message(topic, id), origin.equals("b") ? "p" : origin + "\0p"));
        }
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

    private static Message message(String topic, long id) {
        return Message.builder(topic).id(id).payload("x").qos(1).build();
    }
}
