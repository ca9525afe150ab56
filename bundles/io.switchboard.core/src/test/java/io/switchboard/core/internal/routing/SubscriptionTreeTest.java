package io.switchboard.core.internal.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import io.switchboard.core.internal.sessions.SessionImpl;
import org.junit.jupiter.api.Test;

class SubscriptionTreeTest {

    private final SubscriptionTree tree = new SubscriptionTree();

    private static SessionImpl session(long id) {
        return new SessionImpl(null, id, "c" + id, "u" + id, "internal", null, (m, d) -> d.delivered(), null);
    }

    private List<SubscriptionTree.Entry> match(String topic) {
        List<SubscriptionTree.Entry> found = new ArrayList<>();
        tree.match(topic, found::add);
        return found;
    }

    @Test
    void oneDeliveryPerSessionWithTheHighestQos() {
        SessionImpl s = session(1);
        tree.subscribe(new SubscriptionTree.Entry(s, "a/#", null, 0, false, false));
        tree.subscribe(new SubscriptionTree.Entry(s, "a/+", null, 2, false, false));
        tree.subscribe(new SubscriptionTree.Entry(s, "a/b", null, 1, false, false));

        List<SubscriptionTree.Entry> found = match("a/b");

        assertThat(found).hasSize(1);
        assertThat(found.get(0).qos()).isEqualTo(2);
        assertThat(tree.size()).isEqualTo(3);
    }

    @Test
    void aTopicFanningOutToManySessionsReachesEachOnceWithItsHighestQos() {
        List<SessionImpl> sessions = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            SessionImpl s = session(i);
            sessions.add(s);
            tree.subscribe(new SubscriptionTree.Entry(s, "fan/#", null, 0, false, false));
            if (i % 2 == 0) {
                tree.subscribe(new SubscriptionTree.Entry(s, "fan/+", null, 1, false, false));
            }
        }

        List<SubscriptionTree.Entry> found = match("fan/out");

        assertThat(found).extracting(SubscriptionTree.Entry::session).containsExactlyInAnyOrderElementsOf(sessions);
        assertThat(found).allSatisfy(e -> assertThat(e.qos()).isEqualTo(e.session().id() % 2 == 0 ? 1 : 0));
    }

    @Test
    void resubscribingReplacesAndUnsubscribeRemoves() {
        SessionImpl s = session(1);
        assertThat(tree.subscribe(new SubscriptionTree.Entry(s, "a/b", null, 0, false, false))).isTrue();
        assertThat(tree.subscribe(new SubscriptionTree.Entry(s, "a/b", null, 1, false, false))).isFalse();
        assertThat(match("a/b")).extracting(SubscriptionTree.Entry::qos).containsExactly(1);

        assertThat(tree.unsubscribe(s, "a/b")).isTrue();
        assertThat(tree.unsubscribe(s, "a/b")).isFalse();
        assertThat(match("a/b")).isEmpty();
        assertThat(tree.size()).isZero();
    }

    @Test
    void sharedSubscriptionsDeliverToOneMemberInTurn() {
        SessionImpl a = session(1);
        SessionImpl b = session(2);
        SessionImpl plain = session(3);
        tree.subscribe(new SubscriptionTree.Entry(a, "$share/g/jobs/+", "g", 1, false, false));
        tree.subscribe(new SubscriptionTree.Entry(b, "$share/g/jobs/+", "g", 1, false, false));
        tree.subscribe(new SubscriptionTree.Entry(plain, "jobs/#", null, 0, false, false));

        List<SessionImpl> receivers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            match("jobs/" + i).forEach(e -> receivers.add(e.session()));
        }

        assertThat(receivers).filteredOn(s -> s == plain).hasSize(4);
        assertThat(receivers).filteredOn(s -> s == a).hasSize(2);
        assertThat(receivers).filteredOn(s -> s == b).hasSize(2);

        assertThat(tree.unsubscribe(a, "$share/g/jobs/+")).isTrue();
        assertThat(match("jobs/9")).extracting(SubscriptionTree.Entry::session).containsExactlyInAnyOrder(b, plain);
    }
}
