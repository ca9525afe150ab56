package io.switchboard.module.chatbot.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.switchboard.module.chatbot.internal.Conversations.Turn;

class ConversationsTest {

    @Test
    void keepsTheLastTurnsOfEachUser() {
        Conversations c = new Conversations(2, 10);
        c.add("alice", "q1", "a1");
        c.add("alice", "q2", "a2");
        c.add("alice", "q3", "a3");
        c.add("bob", "hi", "hello");

        assertThat(c.history("alice")).containsExactly(new Turn("q2", "a2"), new Turn("q3", "a3"));
        assertThat(c.history("bob")).containsExactly(new Turn("hi", "hello"));
        assertThat(c.history("carol")).isEmpty();
    }

    @Test
    void forgetsTheLeastRecentlyActiveUserFirst() {
        Conversations c = new Conversations(1, 2);
        c.add("alice", "q", "a");
        c.add("bob", "q", "a");
        c.history("alice"); // alice is active again
        c.add("carol", "q", "a");

        assertThat(c.users()).containsExactly("alice", "carol");
    }

    @Test
    void zeroTurnsKeepsNothing() {
        Conversations c = new Conversations(0, 10);
        c.add("alice", "q", "a");

        assertThat(c.size()).isZero();
    }

    @Test
    void resizingTrims() {
        Conversations c = new Conversations(3, 3);
        for (String user : new String[] {"a", "b", "c"}) {
            c.add(user, "q1", "a1");
            c.add(user, "q2", "a2");
        }

        c.resize(1, 2);

        assertThat(c.users()).containsExactly("b", "c");
        assertThat(c.history("c")).containsExactly(new Turn("q2", "a2"));
        c.resize(0, 2);
        assertThat(c.size()).isZero();
        assertThat(c.forget("c")).isFalse();
    }
}
