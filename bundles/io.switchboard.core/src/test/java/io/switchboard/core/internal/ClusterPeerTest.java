package io.switchboard.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.switchboard.api.HostServices;
import io.switchboard.api.Message;
import io.switchboard.api.MessageModule;
import io.switchboard.api.Session;
import io.switchboard.api.Verdict;
import io.switchboard.api.broker.ClientSession;
import io.switchboard.api.broker.ClusterPeer;
import io.switchboard.api.broker.Forwarding;
import io.switchboard.api.broker.ForwardingException;
import io.switchboard.api.broker.LoginRequest;
import io.switchboard.api.broker.PublishResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The core's side of a cluster: what a {@link ClusterPeer} hears, and messages forwarded by other nodes. */
class ClusterPeerTest {

    private final CoreHarness harness = new CoreHarness(2);
    private final RecordingPeer peer = new RecordingPeer();

    @AfterEach
    void stop() {
        harness.close();
    }

    @Test
    void thePeerHearsOfEachFiltersFirstAndLastSubscriptionAndOfTheFiltersPresentWhenBound() throws Exception {
        CoreHarness.Client early = harness.client("early").subscribe("before/#", 0);
        harness.core.setClusterPeer(peer);
        assertThat(peer.events).containsExactly("+before/#");

        CoreHarness.Client one = harness.client("one").subscribe("a/+", 1);
        CoreHarness.Client two = harness.client("two").subscribe("a/+", 0);
        one.subscribe("a/+", 2); // replaces one's subscription: not a new one
        assertThat(peer.events).containsExactly("+before/#", "+a/+");

        one.session.unsubscribe("a/+").toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(peer.events).as("two still subscribes").containsExactly("+before/#", "+a/+");
        two.session.close("done");
        early.session.unsubscribe("before/#").toCompletableFuture().get(5, TimeUnit.SECONDS);
        CoreHarness.await("the closed session's filter is gone", () -> peer.events.size() == 4);
        assertThat(peer.events).containsExactlyInAnyOrder("+before/#", "+a/+", "-a/+", "-before/#");

        harness.core.unsetClusterPeer(peer);
        harness.client("three").subscribe("c", 0);
        assertThat(peer.events).as("unbound: hears nothing").hasSize(4);
    }

    @Test
    void aPublishedMessageGoesToThePeerAsTheChainLeftItAndAConsumedOneDoesNot() throws Exception {
        harness.add("stamper", 1, new MessageModule() {
            @Override
            public Verdict onMessage(Message message, Session sender) {
                if (message.topic().equals("drop")) {
                    return Verdict.consume();
                }
                return Verdict.replace(message.toBuilder().userProperty("chain", "ran").build());
            }
        });
        harness.core.setClusterPeer(peer);
        CoreHarness.Client publisher = harness.client("pub");

        publisher.publish("drop", "x");
        publisher.publish("t/1", "first");
        publisher.publish("t/2", "second");

        assertThat(peer.routed).extracting(Message::topic).containsExactly("t/1", "t/2");
        assertThat(peer.routed).extracting(m -> m.userProperty("chain")).containsOnly("ran");
        assertThat(peer.orderKeys).containsOnly("pub");
    }

    @Test
    void aForwardedMessageSkipsTheMessageChainPassesTheDeliveryChainAndIsRetained() throws Exception {
        List<String> seen = watchChains(null);
        harness.core.setClusterPeer(peer);
        CoreHarness.Client subscriber = harness.client("sub").subscribe("t/#", 1);

        for (int i = 0; i < 20; i++) {
            harness.core.deliverForwarded(Message.builder("t/" + i).payload("m" + i).qos(1).id(7).from("remote-user")
                    .timestamp(1).build(), "remote-publisher", Set.of());
        }
        harness.core.deliverForwarded(Message.builder("kept").payload("retained").qos(1).retain(true).from("u").build(), "p",
                Set.of());

        List<String> got = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Message m = subscriber.next();
            got.add(m.payloadText());
            assertThat(m.from()).isEqualTo("remote-user");
            assertThat(m.id()).as("an id of this node").isNotEqualTo(7);
        }
        assertThat(got).as("in the order forwarded").containsExactly(
                java.util.stream.IntStream.range(0, 20).mapToObj(i -> "m" + i).toArray(String[]::new));
        assertThat(seen).as("no message chain").noneMatch(s -> s.startsWith("message "));
        assertThat(seen).hasSize(20);
        assertThat(peer.routed).as("never forwarded again").isEmpty();

        CoreHarness.Client late = harness.client("late").subscribe("kept", 1);
        assertThat(late.next().payloadText()).isEqualTo("retained");
    }

    @Test
    void aSharedSubscriptionServedByAnotherNodeIsSkippedHereAndServedHereOnlyWhenChosen() throws Exception {
        peer.sharedElsewhere = Set.of("$share/g/s/#");
        harness.core.setClusterPeer(peer);
        CoreHarness.Client member = harness.client("member").subscribe("$share/g/s/#", 1);
        CoreHarness.Client plain = harness.client("plain").subscribe("s/#", 1);
        CoreHarness.Client otherGroup = harness.client("other").subscribe("$share/h/s/#", 1);
        CoreHarness.Client publisher = harness.client("pub");

        publisher.publish("s/1", "entered here");
        assertThat(plain.next().payloadText()).isEqualTo("entered here");
        assertThat(otherGroup.next().payloadText()).as("a group served here").isEqualTo("entered here");
        assertThat(member.received.poll(300, TimeUnit.MILLISECONDS)).as("group g is served by another node").isNull();

        harness.core.deliverForwarded(Message.builder("s/2").payload("for g").qos(1).build(), "remote", Set.of("$share/g/s/#"));
        assertThat(member.next().payloadText()).isEqualTo("for g");
        assertThat(plain.next().payloadText()).isEqualTo("for g");
        assertThat(otherGroup.received.poll(300, TimeUnit.MILLISECONDS)).as("group h was not given to this node").isNull();
    }

    @Test
    void aPublishCompletesOnlyWhenTheOtherNodesAcceptedItAndFailsWhenTheyDoNot() throws Exception {
        ConfirmingPeer confirming = new ConfirmingPeer();
        harness.core.setClusterPeer(confirming);
        CoreHarness.Client subscriber = harness.client("sub").subscribe("c/#", 1);
        CoreHarness.Client publisher = harness.client("pub");

        CompletableFuture<PublishResult> first = publish(publisher, "c/1");
        CompletableFuture<PublishResult> second = publish(publisher, "c/2");
        assertThat(subscriber.next().payloadText()).as("delivered here at once").isEqualTo("c/1");
        assertThat(subscriber.next().payloadText()).as("the publisher's next message does not wait").isEqualTo("c/2");
        CoreHarness.await("both forwarded", () -> confirmations(confirming) == 2);
        assertThat(first).as("not confirmed yet").isNotDone();

        confirming.pending.get(1).complete(null); // the second is confirmed first: each completes on its own
        assertThat(second.get(5, TimeUnit.SECONDS).recipients()).isEqualTo(1);
        assertThat(first).isNotDone();
        confirming.pending.get(0).completeExceptionally(new ForwardingException("node 'b' left"));
        assertThatThrownBy(() -> first.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(ForwardingException.class)
                .hasMessageContaining("node 'b' left");
    }

    @Test
    void acceptForwardedCompletesOnceTheMessageWasHandedToItsSessions() throws Exception {
        CoreHarness.Client one = harness.client("one").subscribe("f/#", 1);
        CoreHarness.Client two = harness.client("two").subscribe("f/+", 1);

        Integer handed = harness.core.acceptForwarded(Message.builder("f/1").payload("x").qos(1).build(), "remote", Set.of())
                .toCompletableFuture().get(5, TimeUnit.SECONDS);

        assertThat(handed).isEqualTo(2);
        assertThat(one.received.poll()).as("already in one's queue").isNotNull();
        assertThat(two.received.poll()).as("already in two's queue").isNotNull();
        assertThat(harness.core.acceptForwarded(Message.builder("g").payload("x").qos(1).build(), "remote", Set.of())
                .toCompletableFuture().get(5, TimeUnit.SECONDS)).as("no subscriber").isZero();
    }

    @Test
    void acceptForwardedLeavesOutThePlainSubscriptionsOfTheSessionsThatHaveTheMessageAlready() throws Exception {
        CoreHarness.Client mover = harness.client("mover").subscribe("f/#", 1);
        CoreHarness.Client sharing = harness.client("sharing").subscribe("$share/g/f/#", 1);
        CoreHarness.Client other = harness.client("other").subscribe("f/+", 1);

        Integer handed = harness.core.acceptForwarded(Message.builder("f/1").payload("x").qos(1).build(), "remote",
                Set.of("$share/g/f/#"), Set.of("mover", "sharing")).toCompletableFuture().get(5, TimeUnit.SECONDS);

        assertThat(handed).as("the shared subscription is not left out: the relay rule never drops those").isEqualTo(2);
        assertThat(mover.received).as("relayed to it already").isEmpty();
        assertThat(sharing.received).hasSize(1);
        assertThat(other.received).hasSize(1);
    }

    @Test
    void deliverToHandsAMessageToTheNamedSessionOnlyThroughItsSubscriptionsAndTheDeliveryChain() throws Exception {
        List<String> seen = watchChains("h/refused");
        CoreHarness.Client adopted = harness.client("adopted").subscribe("h/#", 1).subscribe("h/+", 0);
        CoreHarness.Client other = harness.client("other").subscribe("h/#", 1);

        for (int i = 0; i < 10; i++) {
            assertThat(harness.core.deliverTo("adopted", Message.builder("h/" + i).payload("m" + i).qos(1).build(), "remote",
                    Set.of()).toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo(1);
        }

        List<String> got = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Message m = adopted.next();
            got.add(m.payloadText());
            assertThat(m.qos()).as("one delivery, at the highest QoS of the matching subscriptions").isEqualTo(1);
        }
        assertThat(got).as("in the order given").containsExactly(
                java.util.stream.IntStream.range(0, 10).mapToObj(i -> "m" + i).toArray(String[]::new));
        assertThat(adopted.received.poll(200, TimeUnit.MILLISECONDS)).as("once each").isNull();
        assertThat(other.received.poll()).as("no other session").isNull();
        assertThat(seen).as("the delivery chain only").hasSize(10).noneMatch(s -> s.startsWith("message "));

        assertThat(harness.core.deliverTo("adopted", Message.builder("h/refused").payload("x").qos(1).build(), "remote",
                Set.of()).toCompletableFuture().get(5, TimeUnit.SECONDS)).as("consumed by a delivery module").isZero();
        assertThat(harness.core.deliverTo("adopted", Message.builder("g").payload("x").qos(1).build(), "remote", Set.of())
                .toCompletableFuture().get(5, TimeUnit.SECONDS)).as("no matching subscription").isZero();
        assertThat(harness.core.deliverTo("nobody", Message.builder("h/1").payload("x").qos(1).build(), "remote", Set.of())
                .toCompletableFuture().get(5, TimeUnit.SECONDS)).as("no such session").isZero();
        assertThat(adopted.received.poll(200, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void deliverToServesASharedSubscriptionOnlyWhenAllowed() throws Exception {
        CoreHarness.Client member = harness.client("member").subscribe("$share/g/s/#", 1);

        assertThat(harness.core.deliverTo("member", Message.builder("s/1").payload("not here").qos(1).build(), "remote",
                Set.of()).toCompletableFuture().get(5, TimeUnit.SECONDS)).isZero();
        assertThat(harness.core.deliverTo("member", Message.builder("s/2").payload("here").qos(1).build(), "remote",
                Set.of("$share/g/s/#")).toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(member.next().payloadText()).isEqualTo("here");
    }

    /**
     * A module that records what the message chain and the delivery chain see ("message t", "delivery t to client"),
     * consuming deliveries of {@code refusedTopic}.
     */
    private List<String> watchChains(String refusedTopic) {
        List<String> seen = new CopyOnWriteArrayList<>();
        harness.add("watcher", 1, new MessageModule() {
            @Override
            public Verdict onMessage(Message message, Session sender) {
                seen.add("message " + message.topic());
                return Verdict.pass();
            }

            @Override
            public Verdict onDelivery(Message message, Session recipient) {
                seen.add("delivery " + message.topic() + " to " + recipient.clientId());
                return message.topic().equals(refusedTopic) ? Verdict.consume() : Verdict.pass();
            }
        });
        return seen;
    }

    private static CompletableFuture<PublishResult> publish(CoreHarness.Client client, String topic) {
        return client.session.publish(Message.builder(topic).payload(topic).qos(1).build()).toCompletableFuture();
    }

    private static int confirmations(ConfirmingPeer peer) {
        return peer.pending.size();
    }

    /** A peer whose every forward waits for the test to confirm it. */
    @Test
    void thePeerHearsOfAUsersFirstSessionOnlineAndItsLastOneGoingOfflineAndOfTheUsersOnlineWhenBound() throws Exception {
        harness.core.login(LoginRequest.internal("early-1", "early"), (m, d) -> d.delivered())
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
        harness.core.setClusterPeer(peer);
        assertThat(peer.presence).containsExactly("+early");

        ClientSession ann1 = login("ann-1", "ann");
        ClientSession ann2 = login("ann-2", "ann");
        assertThat(peer.presence).as("ann's second session is not news").containsExactly("+early", "+ann");
        ann1.close("done");
        login("bea-1", "bea"); // after ann-1's close in the peer's hearing, if it told anything
        CoreHarness.await("bea online", () -> peer.presence.contains("+bea"));
        assertThat(peer.presence).as("ann-2 is still online").containsExactly("+early", "+ann", "+bea");
        ann2.close("done");
        CoreHarness.await("ann's last session offline", () -> peer.presence.contains("-ann"));
        assertThat(peer.presence).containsExactly("+early", "+ann", "+bea", "-ann");

        harness.core.unsetClusterPeer(peer);
        login("cid-1", "cid");
        assertThat(peer.presence).as("unbound: hears nothing").hasSize(4);
    }

    @Test
    void isOnlineAnswersForThisNodeAndAsksThePeerOnlyForUsersNotOnlineHere() throws Exception {
        HostServices host = harness.hostFor(FakeOsgi.bundle("module.asker"));
        login("here-1", "here");
        assertThat(host.isOnline("elsewhere")).as("no peer: a single node").isFalse();

        harness.core.setClusterPeer(peer);
        peer.onlineElsewhere = Set.of("elsewhere");

        assertThat(host.isOnline("here")).isTrue();
        assertThat(host.isOnline("elsewhere")).isTrue();
        assertThat(host.isOnline("nowhere")).isFalse();
        assertThat(peer.asked).as("a user online here is not asked about").containsExactly("elsewhere", "nowhere");

        harness.core.unsetClusterPeer(peer);
        assertThat(host.isOnline("elsewhere")).isFalse();
    }

    @Test
    void concurrentLoginsAndClosesOfOneUserReachThePeerAlternatingAndEndOffline() throws Exception {
        harness.core.setClusterPeer(peer);
        peer.presenceCallMillis = 1; // a slow peer widens the window in which a later change could overtake a call
        ExecutorService clients = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                String clientId = "dee-" + i;
                done.add(clients.submit(() -> {
                    login(clientId, "dee").close("done");
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(10, TimeUnit.SECONDS);
            }
        } finally {
            clients.shutdown();
        }
        HostServices host = harness.hostFor(FakeOsgi.bundle("module.asker"));
        // every login is done: while a close is pending its session is online here
        CoreHarness.await("dee's last session offline", () -> !host.isOnline("dee"));
        List<String> events = List.copyOf(peer.presence);
        for (int i = 0; i < events.size(); i++) {
            assertThat(events.get(i)).as("event %d of %s", i, events).isEqualTo(i % 2 == 0 ? "+dee" : "-dee");
        }
        assertThat(events).as("one session after another or several at once, the last went offline").isNotEmpty()
                .endsWith("-dee");
    }

    @Test
    void aSessionReleasedForAMoveRelaysWhatItsSubscriptionsMatchUntilThePeerSaysTheMoveIsOver() throws Exception {
        harness.core.setClusterPeer(peer);
        CompletableFuture<Void> moveOver = new CompletableFuture<>();
        peer.moving.put("mover", moveOver);
        CoreHarness.Client mover = harness.client("mover").subscribe("t/#", 1).subscribe("$share/g/t/+", 1);
        CoreHarness.Client publisher = harness.client("pub");

        mover.session.release("moves to another node").toCompletableFuture().get(5, TimeUnit.SECONDS);
        publisher.publish("t/1", "published here");
        harness.core.deliverForwarded(Message.builder("t/2").payload("from another node").qos(1).id(77).build(), "remote",
                Set.of());

        CoreHarness.await("both relayed", () -> peer.relayed.size() == 3);
        assertThat(peer.relayed).containsExactlyInAnyOrder("mover t/1 pub null", "mover t/1 pub $share/g/t/+",
                "mover t/2 remote null");
        assertThat(peer.relayedIds).as("another node's message as it came, with that node's id").contains(77L);
        assertThat(mover.received).as("nothing reaches the session here").isEmpty();
        assertThat(peer.events).as("its routes stay while it relays").doesNotContain("-t/#");

        moveOver.complete(null);

        CoreHarness.await("its routes go once the move is over", () -> peer.events.contains("-t/#"));
        publisher.publish("t/3", "after the move");
        assertThat(peer.relayed).hasSize(3);
    }

    @Test
    void aDeliveryTheFrontDoorPassesOnAsMovedIsRelayedAsRoutingGotIt() throws Exception {
        harness.core.setClusterPeer(peer);
        passingOnAsMoved("mover");

        harness.client("pub").publish("t/1", "x");
        harness.core.deliverForwarded(Message.builder("t/2").payload("from another node").qos(1).id(78).build(), "remote",
                Set.of());

        CoreHarness.await("relayed", () -> peer.relayed.size() == 2);
        // with its publisher's key and the id it was routed with, the node taking the session tells it from a direct copy
        assertThat(peer.relayed).containsExactlyInAnyOrder("mover t/1 pub null", "mover t/2 remote null");
        assertThat(peer.relayedIds).contains(78L, peer.routed.get(0).id());
    }

    @Test
    void aPublishRelayedToAMovingSessionIsAcknowledgedOnlyOnceTheNodeTakingItConfirmsTheRelay() throws Exception {
        harness.core.setClusterPeer(peer);
        releasedForAMove("mover", 1);
        CoreHarness.Client publisher = harness.client("pub");

        CompletableFuture<Void> confirmed = new CompletableFuture<>();
        peer.relayConfirmation = confirmed;
        CompletableFuture<PublishResult> acknowledged = publish(publisher, "t/1");
        CoreHarness.await("relayed", () -> peer.relayed.size() == 1);
        assertThat(acknowledged).as("the node taking the session has not confirmed it").isNotDone();
        confirmed.complete(null);
        assertThat(acknowledged.get(5, TimeUnit.SECONDS).routed()).isTrue();

        peer.relayConfirmation = CompletableFuture.failedFuture(new ForwardingException("node 'b' left"));
        assertThatThrownBy(() -> publish(publisher, "t/2").get(5, TimeUnit.SECONDS))
                .as("no acknowledgement: the publisher sends it again").hasCauseInstanceOf(ForwardingException.class);
    }

    @Test
    void aPublishWhoseRelayFailedIsNotForwardedAgainEvenWhenItsForwardingCouldBe() throws Exception {
        harness.core.setClusterPeer(peer);
        releasedForAMove("mover", 2);
        CoreHarness.Client publisher = harness.client("pub");
        peer.forwardAccepted = CompletableFuture.failedFuture(new ForwardingException("node 'c' left", 5));

        peer.relayConfirmation = CompletableFuture.failedFuture(new ForwardingException("node 'b' left"));
        Throwable relayFailed = failure(publish(publisher, "t/1"));
        assertThat(relayFailed).isInstanceOf(ForwardingException.class);
        assertThat(((ForwardingException) relayFailed).canForwardAgain())
                .as("forwarding it again would not reach the moving session: publish the resend anew").isFalse();

        peer.relayConfirmation = null; // confirmed
        Throwable forwardFailed = failure(publish(publisher, "t/2"));
        assertThat(((ForwardingException) forwardFailed).messageId()).isEqualTo(5);
    }

    @Test
    void aFrontDoorForwardsAKeptMessageAgainThroughThePeer() throws Exception {
        CoreHarness.Client publisher = harness.client("pub");
        assertThat(publisher.session.forwardAgain(5)).as("no cluster: nothing kept").isNull();

        harness.core.setClusterPeer(peer);
        publisher.session.forwardAgain(5).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(peer.forwardedAgain).containsExactly("5 pub");
        assertThat(publisher.session.forwardAgain(6)).as("not kept by the peer").isNull();
    }

    /** A session subscribed to t/# and released for a move to another node: its subscriptions relay. */
    private void releasedForAMove(String clientId, int qos) throws Exception {
        peer.moving.put(clientId, new CompletableFuture<>());
        harness.client(clientId).subscribe("t/#", qos).session.release("moves to another node").toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
    }

    /** A session subscribed to t/# whose front door let go of it: it passes every delivery on ({@code moved}). */
    private void passingOnAsMoved(String clientId) throws Exception {
        peer.moving.put(clientId, new CompletableFuture<>());
        ClientSession session = harness.core.login(LoginRequest.internal(clientId, "u"), (m, d) -> d.moved())
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
        session.subscribe(io.switchboard.api.Subscription.of("t/#", 1)).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private static Throwable failure(CompletableFuture<PublishResult> publish) {
        Throwable error = publish.handle((result, e) -> e).join();
        return error instanceof java.util.concurrent.CompletionException c ? c.getCause() : error;
    }

    @Test
    void aForwardedMessageRelayedToAMovingSessionIsAcceptedOnlyOnceTheRelayIsConfirmed() throws Exception {
        harness.core.setClusterPeer(peer);
        // passed on by the front door after its let-go, as well as through a closed session's subscriptions
        passingOnAsMoved("let-go");
        releasedForAMove("mover", 1);

        CompletableFuture<Void> confirmed = new CompletableFuture<>();
        peer.relayConfirmation = confirmed;
        CompletableFuture<Integer> accepted = harness.core.acceptForwarded(Message.builder("t/1").payload("x").qos(1)
                .id(79).build(), "remote", Set.of()).toCompletableFuture();
        CoreHarness.await("relayed to both", () -> peer.relayed.size() == 2);
        assertThat(accepted).as("not confirmed to the node it came from before the relays are").isNotDone();
        confirmed.complete(null);
        assertThat(accepted.get(5, TimeUnit.SECONDS)).as("handed to the session that passed it on").isEqualTo(1);

        peer.relayConfirmation = CompletableFuture.failedFuture(new ForwardingException("node 'b' left"));
        assertThatThrownBy(() -> harness.core.acceptForwarded(Message.builder("t/2").payload("x").qos(1).id(80).build(),
                "remote", Set.of()).toCompletableFuture().get(5, TimeUnit.SECONDS))
                .as("refused to the node it came from").hasCauseInstanceOf(ForwardingException.class);
    }

    @Test
    void aRestoredSessionGetsItsHandOverBeforeWhatRoutingDeliversToItMeanwhile() throws Exception {
        List<String> got = restoreHeld("returning");
        CoreHarness.Client publisher = harness.client("pub");

        publisher.publish("t/1", "published after the restore");
        assertThat(got).as("kept behind the hand-over").isEmpty();
        int handed = harness.core.deliverTo("returning", Message.builder("t/0").payload("missed").qos(1).build(), "pub",
                Set.of()).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(handed).isEqualTo(1);
        assertThat(got).containsExactly("missed");

        harness.core.releaseDeliveries("returning");
        assertThat(got).containsExactly("missed", "published after the restore");
        publisher.publish("t/2", "after the hand-over");
        CoreHarness.await("delivered at once", () -> got.size() == 3);
        assertThat(got).endsWith("after the hand-over");
    }

    @Test
    void aMessageRoutedToARestoredSessionThatItsHandOverHasTooReachesItOnce() throws Exception {
        harness.core.setClusterPeer(peer);
        List<String> got = restoreHeld("returning");
        // held for the session before its restore (so in its hand-over), routed after it: the race of an adoption
        Message fromAnotherNode = Message.builder("t/1").payload("from another node").qos(1).id(5).build();
        assertThat(harness.core.acceptForwarded(fromAnotherNode, "remote", Set.of()).toCompletableFuture()
                .get(5, TimeUnit.SECONDS)).as("routed to the session").isEqualTo(1);
        harness.client("pub").publish("t/2", "published here");
        Message publishedHere = peer.routed.get(0);
        assertThat(got).as("kept behind the hand-over").isEmpty();

        for (Message handed : List.of(fromAnotherNode, publishedHere)) {
            assertThat(harness.core.deliverTo("returning", handed, "pub", Set.of()).toCompletableFuture()
                    .get(5, TimeUnit.SECONDS)).isEqualTo(1);
        }
        harness.core.releaseDeliveries("returning");

        assertThat(got).as("once each, by the hand-over").containsExactly("from another node", "published here");
        harness.client("pub").publish("t/3", "after the hand-over");
        CoreHarness.await("delivered at once", () -> got.size() == 3);
        assertThat(got).endsWith("after the hand-over");
    }

    @Test
    void aReleaseLeavesOutTheKeptMessagesTheClusterSaysTheSessionHadWithTheirOrderKeys() throws Exception {
        harness.core.setClusterPeer(peer);
        List<String> got = restoreHeld("arriving");
        harness.core.acceptForwarded(Message.builder("t/1").payload("relayed too").qos(1).id(5).build(), "c\0p",
                Set.of()).toCompletableFuture().get(5, TimeUnit.SECONDS);
        harness.core.acceptForwarded(Message.builder("t/2").payload("only direct").qos(1).id(6).build(), "c\0p",
                Set.of()).toCompletableFuture().get(5, TimeUnit.SECONDS);
        harness.client("pub").publish("t/3", "published here");
        CoreHarness.await("routed", () -> peer.routed.size() == 1);
        List<String> asked = new CopyOnWriteArrayList<>();

        harness.core.releaseDeliveries("arriving", (message, orderKey) -> {
            asked.add(message.id() + " " + orderKey);
            return message.id() == 5;
        });

        assertThat(asked).as("each kept message as routing got it, with its publisher's key").containsExactly("5 c\0p",
                "6 c\0p", peer.routed.get(0).id() + " pub");
        assertThat(got).containsExactly("only direct", "published here");
    }

    @Test
    void routedSoFarCompletesOnceWhatWasHandedToTheBrokerBeforeWasRouted() throws Exception {
        harness.core.setClusterPeer(peer);
        peer.routing = new CompletableFuture<>();
        CoreHarness.Client publisher = harness.client("pub");
        // from another thread: an idle worker's task may run on the calling thread, which routing u/1 then blocks
        CompletableFuture.runAsync(() -> {
            publisher.session.publish(Message.builder("u/1").payload("being routed").build());
            publisher.session.publish(Message.builder("u/2").payload("queued behind it").build());
        });
        CoreHarness.await("routing u/1", () -> peer.routed.size() == 1);

        CompletableFuture<Void> routed = harness.core.routedSoFar().toCompletableFuture();
        Thread.sleep(100);
        assertThat(routed).as("u/1 and u/2 are not routed yet").isNotDone();
        peer.routing.complete(null);

        routed.get(5, TimeUnit.SECONDS);
        assertThat(peer.routed).extracting(Message::topic).containsExactly("u/1", "u/2");
    }

    /** Restores a session subscribed to {@code t/#} with its deliveries held (a hand-over to come); returns what it gets. */
    private List<String> restoreHeld(String clientId) {
        List<String> got = new CopyOnWriteArrayList<>();
        harness.core.holdDeliveries(clientId);
        harness.core.restore(new io.switchboard.api.broker.RestoredSession(clientId, "u", "mqtt",
                List.of(io.switchboard.api.Subscription.of("t/#", 1))), (m, d) -> {
                    got.add(m.payloadText());
                    d.delivered();
                });
        return got;
    }

    private ClientSession login(String clientId, String user) throws Exception {
        return harness.core.login(LoginRequest.internal(clientId, user), (m, d) -> d.delivered())
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private static final class ConfirmingPeer implements ClusterPeer {
        final List<CompletableFuture<Void>> pending = new CopyOnWriteArrayList<>();

        @Override
        public Set<String> routed(Message message, String orderKey) {
            throw new AssertionError("the core calls forward");
        }

        @Override
        public Forwarding forward(Message message, String orderKey) {
            CompletableFuture<Void> accepted = new CompletableFuture<>();
            pending.add(accepted);
            return new Forwarding(Set.of(), accepted);
        }

        @Override
        public void filterAdded(String filter) {
        }

        @Override
        public void filterRemoved(String filter) {
        }
    }

    private static final class RecordingPeer implements ClusterPeer {
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<Message> routed = new CopyOnWriteArrayList<>();
        final List<String> orderKeys = new CopyOnWriteArrayList<>();
        final List<String> presence = new CopyOnWriteArrayList<>();
        final List<String> asked = new CopyOnWriteArrayList<>();
        volatile Set<String> sharedElsewhere = Set.of();
        volatile Set<String> onlineElsewhere = Set.of();
        volatile long presenceCallMillis;
        /** The sessions moving to another node, with when their relay ends. */
        final java.util.Map<String, CompletableFuture<Void>> moving = new java.util.concurrent.ConcurrentHashMap<>();
        final List<String> relayed = new CopyOnWriteArrayList<>();
        final List<Long> relayedIds = new CopyOnWriteArrayList<>();

        @Override
        public java.util.concurrent.CompletionStage<Void> leaving(String clientId) {
            return moving.get(clientId);
        }

        /** What a relay's confirmation is (null: confirmed at once, as {@link ClusterPeer#relayConfirmed}'s default). */
        volatile CompletionStage<Void> relayConfirmation;
        /** When the nodes a message is forwarded to accept it (null: at once). */
        volatile CompletionStage<Void> forwardAccepted;
        /** While set, routing a message here waits for it: its worker stays busy. */
        volatile CompletableFuture<Void> routing;
        /** forwardAgain calls ("id orderKey"); only message 5 is kept. */
        final List<String> forwardedAgain = new CopyOnWriteArrayList<>();

        @Override
        public Forwarding forward(Message message, String orderKey) {
            return new Forwarding(routed(message, orderKey), forwardAccepted);
        }

        @Override
        public CompletionStage<Void> forwardAgain(long messageId, String orderKey) {
            if (messageId != 5) {
                return null;
            }
            forwardedAgain.add(messageId + " " + orderKey);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public boolean relay(String clientId, Message message, String orderKey, String sharedFilter) {
            relayed.add(clientId + " " + message.topic() + " " + orderKey + " " + sharedFilter);
            relayedIds.add(message.id());
            return moving.containsKey(clientId);
        }

        @Override
        public CompletionStage<Void> relayConfirmed(String clientId, Message message, String orderKey,
                String sharedFilter) {
            CompletionStage<Void> confirmation = relayConfirmation;
            CompletionStage<Void> relayed = ClusterPeer.super.relayConfirmed(clientId, message, orderKey, sharedFilter);
            return relayed == null || confirmation == null ? relayed : confirmation;
        }

        @Override
        public Set<String> routed(Message message, String orderKey) {
            routed.add(message);
            orderKeys.add(orderKey);
            CompletableFuture<Void> blocked = routing;
            if (blocked != null) {
                blocked.join(); // the worker routing it stays busy
            }
            return sharedElsewhere;
        }

        @Override
        public void filterAdded(String filter) {
            events.add("+" + filter);
        }

        @Override
        public void filterRemoved(String filter) {
            events.add("-" + filter);
        }

        @Override
        public void userOnline(String user) {
            takeTime();
            presence.add("+" + user);
        }

        @Override
        public void userOffline(String user) {
            takeTime();
            presence.add("-" + user);
        }

        private void takeTime() {
            if (presenceCallMillis > 0) {
                try {
                    Thread.sleep(presenceCallMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public boolean onlineElsewhere(String user) {
            asked.add(user);
            return onlineElsewhere.contains(user);
        }
    }
}
