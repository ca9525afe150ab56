package io.switchboard.core.internal.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;

import io.switchboard.api.Message;
import io.switchboard.store.MemoryStateStore;
import org.junit.jupiter.api.Test;

class RetainedMessagesTest {

    private final MemoryStateStore store = new MemoryStateStore();
    private final RetainedMessages retained = new RetainedMessages(store, new RetainedMessages.Limits(10_000, 1L << 20));

    private static Message message(String topic, String payload) {
        return Message.builder(topic).payload(payload).retain(true).build();
    }

    private List<String> topicsMatching(String filter) {
        return retained.matching(filter).stream().map(Message::topic).toList();
    }

    private List<String> storedTopics() {
        List<String> topics = new ArrayList<>();
        store.read(RetainedMessages.SPACE, (topic, value) -> topics.add(topic));
        return topics;
    }

    @Test
    void filtersFindWhatTheFilterRulesSayForRandomTopics() {
        SplittableRandom random = new SplittableRandom(11);
        String[] names = {"a", "b", "", "$x"};
        List<String> topics = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String topic = RandomTopics.levels(random, names, false);
            if (!topics.contains(topic)) {
                topics.add(topic);
                assertThat(retained.put(message(topic, "m"))).isNull();
            }
        }
        for (int i = 0; i < 1_000; i++) {
            String filter = RandomTopics.levels(random, names, true);
            List<String> expected = topics.stream().filter(t -> Topics.matches(filter, t)).toList();
            assertThat(topicsMatching(filter)).as(filter).containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    @Test
    void dollarTopicsAreNotMatchedByWildcardsAtTheFirstLevel() {
        retained.put(message("$SYS/uptime", "1"));
        retained.put(message("plain/uptime", "2"));

        assertThat(topicsMatching("#")).containsExactly("plain/uptime");
        assertThat(topicsMatching("+/uptime")).containsExactly("plain/uptime");
        assertThat(topicsMatching("$SYS/#")).containsExactly("$SYS/uptime");
        assertThat(topicsMatching("$SYS/+")).containsExactly("$SYS/uptime");
    }

    @Test
    void anEmptyPayloadClearsTheMessageInTheStoreAndPrunesItsLevels() {
        retained.put(message("a/b/c/d", "deep"));
        retained.put(message("a/b", "shallow"));
        assertThat(storedTopics()).containsExactlyInAnyOrder("a/b/c/d", "a/b");
        assertThat(retained.indexNodes()).isEqualTo(4);

        retained.put(message("a/b/c/d", ""));

        assertThat(storedTopics()).containsExactly("a/b");
        assertThat(retained.indexNodes()).as("a and a/b kept for a/b's message").isEqualTo(2);
        assertThat(retained.size()).isEqualTo(1);
        retained.put(message("a/b", ""));
        assertThat(retained.indexNodes()).isZero();
        assertThat(retained.size()).isZero();
        assertThat(storedTopics()).isEmpty();
    }

    @Test
    void anExpiredMessageIsDroppedWhenASubscribeFindsItAndItsLevelsPruned() {
        retained.put(Message.builder("gone/soon").payload("x").retain(true).expiresAt(System.currentTimeMillis() - 1).build());
        retained.put(message("kept", "y"));

        assertThat(topicsMatching("#")).containsExactly("kept");

        assertThat(storedTopics()).containsExactly("kept");
        assertThat(retained.indexNodes()).isEqualTo(1);
        assertThat(retained.size()).isEqualTo(1);
    }

    @Test
    void aRestartRecoversTheMessagesFromTheStore() {
        retained.put(Message.builder("r/1").id(41).payload("one").retain(true).build());
        retained.put(Message.builder("r/2").id(42).payload("two").retain(true).build());
        retained.put(message("r/2", ""));

        RetainedMessages recovered = new RetainedMessages(store, new RetainedMessages.Limits(10, 1000));

        assertThat(recovered.matching("r/+")).extracting(Message::payloadText).containsExactly("one");
        assertThat(recovered.size()).isEqualTo(1);
        assertThat(recovered.highestId()).isEqualTo(41);
    }

    @Test
    void theLimitsCountMessagesAndBytesAndAReplacementIsNoNewMessage() {
        // bytes are payload and topic: l/1 + 12345 = 8
        RetainedMessages small = new RetainedMessages(new MemoryStateStore(), new RetainedMessages.Limits(2, 16));
        assertThat(small.put(message("l/1", "12345"))).isNull();
        assertThat(small.put(message("l/2", "1"))).isNull();
        assertThat(small.put(message("l/3", "1"))).contains("max.retained.messages");
        assertThat(small.put(message("l/2", "123456"))).contains("max.retained.bytes");
        assertThat(small.put(message("l/2", "12345"))).as("replacing").isNull();
        assertThat(small.size()).isEqualTo(2);
        RetainedMessages longTopics = new RetainedMessages(new MemoryStateStore(), new RetainedMessages.Limits(10, 16));
        assertThat(longTopics.put(message("t/" + "x".repeat(20), "1"))).as("a long topic counts").contains("max.retained.bytes");
    }

    @Test
    void aTopicOfThirtyThousandLevelsIsRetainedAndFoundOnASmallStack() throws Exception {
        String deep = "d" + "/x".repeat(30_000); // the store's record takes topics up to 65,535 bytes
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread small = new Thread(null, () -> {
            try {
                retained.put(message(deep, "deep"));
                outcome.set(List.of(topicsMatching("d/#").size(), topicsMatching("#").size(), topicsMatching(deep).size()));
                retained.put(message(deep, ""));
            } catch (Throwable t) {
                outcome.set(t);
            }
        }, "small-stack", 256 * 1024);
        small.start();
        small.join();

        assertThat(outcome.get()).isEqualTo(List.of(1, 1, 1));
        assertThat(retained.indexNodes()).isZero();
    }

    @Test
    void aMessageTheStoreCannotRecordIsNotRetainedInMemoryEither() {
        String tooLong = "t/" + "x".repeat(70_000);
        assertThatThrownBy(() -> retained.put(message(tooLong, "m"))).as("the store's record refuses it")
                .isInstanceOf(RuntimeException.class);
        assertThat(retained.size()).isZero();
        assertThat(retained.indexNodes()).isZero();
        assertThat(topicsMatching("#")).isEmpty();
    }
}
