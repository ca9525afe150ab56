package io.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

import io.switchboard.api.Message;
import io.switchboard.api.MessageModule;

class FakeHostTest {

    private final FakeHost host = new FakeHost("com.example.greeter");

    @AfterEach
    void close() {
        host.close();
    }

    @Test
    void sendRecordsTheMessageWithAnAssignedIdAndTheModuleAsDefaultSender() {
        long first = host.send(Message.builder("chat/a").payload("one").build());
        long second = host.send(Message.builder("chat/b").from("alice").payload("two").build());

        assertThat(second).isEqualTo(first + 1);
        assertThat(host.sent()).extracting(SentMessage::id).containsExactly(first, second);
        assertThat(host.sent().get(0).message().id()).isEqualTo(first);
        assertThat(host.sent().get(0).from()).isEqualTo("module:com.example.greeter");
        assertThat(host.sent().get(0).message().timestamp()).isPositive();
        assertThat(host.lastSent().from()).isEqualTo("alice");
        assertThat(host.lastSent().text()).isEqualTo("two");
        assertThat(host.sentTo("chat/b")).hasSize(1);
        assertThat(host.sent().get(0).thread()).isEqualTo(Thread.currentThread().getName());
    }

    @Test
    void sendIdsStartWhereTheTestSays() {
        host.nextSendId(500);

        assertThat(host.send(Message.builder("t").build())).isEqualTo(500);
    }

    @Test
    void refusedSendsThrowAndAreNotRecorded() {
        host.refuseSends(() -> new IllegalStateException("hop limit"));

        assertThatThrownBy(() -> host.send(Message.builder("t").build())).isInstanceOf(IllegalStateException.class)
                .hasMessage("hop limit");
        assertThat(host.sent()).isEmpty();

        host.refuseSends(null);
        host.send(Message.builder("t").build());
        assertThat(host.sent()).hasSize(1);
    }

    @Test
    void lastSentFailsClearlyWhenNothingWasSent() {
        assertThatThrownBy(host::lastSent).isInstanceOf(AssertionError.class).hasMessage("no message was sent");
    }

    @Test
    void awaitSentWaitsForAnotherThread() {
        new Thread(() -> host.send(Message.builder("later").build())).start();

        assertThat(host.awaitSent(1, Duration.ofSeconds(5))).extracting(SentMessage::topic).containsExactly("later");
        assertThatThrownBy(() -> host.awaitSent(2, Duration.ofMillis(50))).isInstanceOf(AssertionError.class)
                .hasMessageContaining("2 sent message(s)");
    }

    @Test
    void presenceIsWhatTheTestSets() {
        host.online("alice", "bob").setOnline("bob", false);

        assertThat(host.isOnline("alice")).isTrue();
        assertThat(host.isOnline("bob")).isFalse();
        assertThat(host.isOnline("carol")).isFalse();
        assertThat(host.isOnline(null)).isFalse();
    }

    @Test
    void logLinesAreKeptPerLevelWithPlaceholdersFilledIn() {
        IllegalStateException failure = new IllegalStateException("boom");
        host.logger().info("hello {} and {}", "alice", 42);
        host.logger().warn("dropped {} lines", 3);
        host.logger().error("failed for {}", "bob", failure);
        host.logger().atDebug().setMessage("fluent {}").addArgument("api").log();

        assertThat(host.logger().getName()).isEqualTo("switchboard.module.com.example.greeter");
        assertThat(host.logs(Level.INFO)).containsExactly("hello alice and 42");
        assertThat(host.logs(Level.WARN)).containsExactly("dropped 3 lines");
        assertThat(host.logs(Level.DEBUG)).containsExactly("fluent api");
        assertThat(host.logs()).filteredOn(e -> e.level() == Level.ERROR).singleElement()
                .satisfies(e -> {
                    assertThat(e.message()).isEqualTo("failed for bob");
                    assertThat(e.thrown()).isSameAs(failure);
                });
        assertThat(host.awaitLog(Level.WARN, "dropped", Duration.ofSeconds(1)).message()).isEqualTo("dropped 3 lines");
    }

    @Test
    void problemsAreRecordedPerModuleAndLoggedAtError() {
        MessageModule a = new MessageModule() {
        };
        MessageModule b = new MessageModule() {
        };

        host.reportProblem(a, "limit: must be positive");
        host.reportProblem(b, "url: missing");
        host.reportProblem(a, null);

        assertThat(host.problems()).containsExactly("limit: must be positive", "url: missing", null);
        assertThat(host.problem(a)).isNull();
        assertThat(host.problem(b)).isEqualTo("url: missing");
        assertThat(host.lastProblem()).isNull();
        assertThat(host.reportedProblems()).extracting(Problem::module).containsExactly(a, b, a);
        assertThat(host.logs(Level.ERROR)).containsExactly("limit: must be positive", "url: missing");
    }

    @Test
    void currentWorkerIsNullOutsideCallbacksUnlessSet() {
        FakeWorker worker = new FakeWorker(3);

        assertThat(host.currentWorker()).isNull();
        host.setCurrentWorker(worker);
        assertThat(host.currentWorker()).isSameAs(worker);
    }
}
