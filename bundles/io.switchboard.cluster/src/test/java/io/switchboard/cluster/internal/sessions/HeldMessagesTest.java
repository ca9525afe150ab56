package io.switchboard.cluster.internal.sessions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.switchboard.api.Message;
import io.switchboard.api.broker.Broker;
import org.junit.jupiter.api.Test;

class HeldMessagesTest {

    private final List<String> delivered = new CopyOnWriteArrayList<>();
    /** The restore and the session's deliveries held and released around it, in order. */
    private final List<String> steps = new CopyOnWriteArrayList<>();
    private final Broker broker = (Broker) Proxy.newProxyInstance(Broker.class.getClassLoader(), new Class<?>[] {Broker.class},
            (proxy, method, args) -> {
                if (method.getName().equals("holdDeliveries") || method.getName().equals("releaseDeliveries")) {
                    steps.add(method.getName() + " " + args[0]);
                    return null;
                }
                if (!method.getName().equals("deliverTo")) {
                    throw new UnsupportedOperationException(method.getName());
                }
                Message m = (Message) args[1];
                delivered.add(args[0] + " " + m.topic() + " key " + args[2] + " shared " + args[3]);
                return CompletableFuture.completedFuture(m.topic().startsWith("t/") ? 1 : 0);
            });
    private final HeldMessages held = new HeldMessages(broker);

    @Test
    void aRestoredSessionIsHandedWhatWasHeldForItsNodeInArrivalOrder() throws Exception {
        held.hold(Set.of("b"), message("t/1"), "a\0p1", Set.of());
        held.hold(Set.of("b", "d"), message("t/2"), "a\0p2", Set.of("$share/g/t/#"));
        held.hold(Set.of("b"), message("other"), "a\0p1", Set.of());
        held.hold(Set.of("d"), message("t/3"), "c\0p3", Set.of());

        List<String> restored = new CopyOnWriteArrayList<>();
        int handed = held.restoreAndHandOver("b", "sub", () -> {
            restored.add("sub");
            steps.add("restore sub");
        }).toCompletableFuture().get(5, TimeUnit.SECONDS);

        assertThat(restored).containsExactly("sub");
        assertThat(steps).as("what routing delivers to it waits for the hand-over")
                .containsExactly("holdDeliveries sub", "restore sub", "releaseDeliveries sub");
        assertThat(delivered).containsExactly("sub t/1 key a\0p1 shared []", "sub t/2 key a\0p2 shared [$share/g/t/#]",
                "sub other key a\0p1 shared []");
        assertThat(handed).as("what the session's subscriptions matched").isEqualTo(2);
        assertThat(held.heldFor("b")).as("kept for the node's other sessions").hasSize(3);
        assertThat(held.heldFor("d")).extracting(h -> h.message().topic()).containsExactly("t/2", "t/3");
    }

    @Test
    void onceTheAdoptionIsOverNothingIsHeldForTheNodeUntilItComesBack() throws Exception {
        held.hold(Set.of("b"), message("t/1"), "k", Set.of());
        held.adoptionOver("b");
        held.hold(Set.of("b"), message("t/2"), "k", Set.of());

        assertThat(held.heldFor("b")).isEmpty();
        assertThat(held.restoreAndHandOver("b", "sub", () -> { }).toCompletableFuture().get(5, TimeUnit.SECONDS)).isZero();
        assertThat(delivered).isEmpty();

        held.rejoined("b"); // and leaves again
        held.hold(Set.of("b"), message("t/3"), "k", Set.of());
        assertThat(held.heldFor("b")).extracting(h -> h.message().topic()).containsExactly("t/3");
    }

    @Test
    void aMessageForwardedAgainReachesTheAdoptedSessionsRestoredAlreadyAndIsHeldForTheOthers() throws Exception {
        held.holdOrHand(Set.of("b"), message("t/0"), "a\0p", Set.of()).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(held.heldFor("b")).as("not the adopter of b's sessions: nothing to do").isEmpty();
        held.adopting("b");
        held.restoreAndHandOver("b", "early", () -> { }).toCompletableFuture().get(5, TimeUnit.SECONDS);

        held.holdOrHand(Set.of("b"), message("t/again"), "a\0p", Set.of()).toCompletableFuture().get(5, TimeUnit.SECONDS);

        assertThat(delivered).as("restored before: it gets it now, as its node never confirmed it")
                .containsExactly("early t/again key a\0p shared []");
        held.restoreAndHandOver("b", "late", () -> { }).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(delivered).as("restored after: from the hold").endsWith("late t/again key a\0p shared []");

        held.adoptionOver("b");
        delivered.clear();
        held.holdOrHand(Set.of("b"), message("t/later"), "a\0p", Set.of()).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(delivered).as("the adoption is over: the adopted sessions are this node's own")
                .containsExactlyInAnyOrder("early t/later key a\0p shared []", "late t/later key a\0p shared []");
        assertThat(held.heldFor("b")).isEmpty();

        held.forgetAdoptionsOverBefore(System.nanoTime() + 1);
        delivered.clear();
        held.holdOrHand(Set.of("b"), message("t/forgotten"), "a\0p", Set.of()).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(delivered).isEmpty();
    }

    @Test
    void aMessageHeldWhileASessionIsRestoredWaitsUntilItsHandOverIsQueued() throws Exception {
        held.hold(Set.of("b"), message("t/1"), "k", Set.of());
        Thread later = new Thread(() -> held.hold(Set.of("b"), message("t/2"), "k", Set.of()));

        held.restoreAndHandOver("b", "sub", () -> {
            later.start(); // a message arriving while the session is restored
            await().atMost(Duration.ofSeconds(5)).until(() -> later.getState() == Thread.State.BLOCKED);
        }).toCompletableFuture().get(5, TimeUnit.SECONDS);
        later.join(5_000);

        assertThat(delivered).as("its delivery, queued after the hand-over, reaches the session in order")
                .containsExactly("sub t/1 key k shared []");
        assertThat(held.heldFor("b")).extracting(h -> h.message().topic()).containsExactly("t/1", "t/2");
    }

    @Test
    void pastItsLimitTheHoldTakesNothingMoreUntilAnAdoptionEnds() {
        HeldMessages small = new HeldMessages(broker, 3);
        assertThat(small.hold(Set.of("b", "d"), message("t/1"), "k", Set.of())).as("one entry per left node").isTrue();
        assertThat(small.hold(Set.of("b"), message("t/2"), "k", Set.of())).isTrue();
        assertThat(small.hold(Set.of("d"), message("t/3"), "k", Set.of())).as("a fourth entry").isFalse();
        assertThat(small.hold(Set.of("x"), message("t/3"), "k", Set.of())).isFalse();
        small.adoptionOver("x");
        assertThat(small.hold(Set.of("x"), message("t/3"), "k", Set.of())).as("nothing to hold for it").isTrue();
        assertThat(small.heldFor("d")).extracting(h -> h.message().topic()).containsExactly("t/1");

        small.adoptionOver("b"); // its two entries go
        assertThat(small.hold(Set.of("d"), message("t/4"), "k", Set.of())).isTrue();
        assertThat(small.heldFor("d")).extracting(h -> h.message().topic()).containsExactly("t/1", "t/4");
    }

    private static Message message(String topic) {
        return Message.builder(topic).payload(topic).qos(1).build();
    }
}
