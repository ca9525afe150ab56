package io.switchboard.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;

import io.switchboard.api.admin.ChainEvent;
import io.switchboard.api.admin.TraceStep;
import io.switchboard.api.broker.PublishResult;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.service.command.CommandSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Runs the commands through Gogo's own command processor: flags, defaults, overloads and coercion. */
class GogoInvocationTest {

    private final FakeBrokerAdmin admin = new FakeBrokerAdmin();
    private final FakeBroker broker = new FakeBroker();
    private ThreadIOImpl threadIO;
    private CommandProcessorImpl processor;
    private CommandSession session;

    @BeforeEach
    void startGogo() {
        threadIO = new ThreadIOImpl();
        threadIO.start();
        processor = new CommandProcessorImpl(threadIO);
        SwitchboardCommands commands = new SwitchboardCommands(admin, broker, new FakeFramework().context(), null,
                Duration.ofSeconds(1));
        for (String function : List.of("modules", "chain", "config", "send", "trace", "enable", "disable", "stats", "sessions")) {
            processor.addCommand("sb", commands, function);
        }
        session = processor.createSession(new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(),
                new ByteArrayOutputStream());
    }

    @AfterEach
    void stopGogo() {
        session.close();
        processor.stop();
        threadIO.stop();
    }

    @Test
    void sendTakesFlagsInShortAndLongFormAndDefaultsTheRest() throws Exception {
        broker.publishResult = new PublishResult(5, true, 2, null, null);

        assertThat(session.execute("sb:send --from alice -q 2 --retain chat/room 'hello there'"))
                .isEqualTo("message 5 routed to 2 subscriber(s)");
        assertThat(session.execute("sb:send chat/room hi")).isEqualTo("message 5 routed to 2 subscriber(s)");

        assertThat(broker.logins).extracting(l -> l.userName()).containsExactly("alice", "shell");
        assertThat(broker.published.get(0).qos()).isEqualTo(2);
        assertThat(broker.published.get(0).retain()).isTrue();
        assertThat(broker.published.get(0).payloadText()).isEqualTo("hello there");
        assertThat(broker.published.get(1).qos()).isZero();
        assertThat(broker.published.get(1).retain()).isFalse();
    }

    @Test
    void chainWorksWithAndWithoutTheEvent() throws Exception {
        admin.chains.put(ChainEvent.MESSAGE, List.of(SwitchboardCommandsTest.active("audit", 0, List.of())));

        assertThat(session.execute("sb:chain")).asString().startsWith("MESSAGE (onMessage): 1 module");
        assertThat(session.execute("chain login")).isEqualTo("no module handles LOGIN (onLogin)");
        assertThatThrownBy(() -> session.execute("sb:chain nope"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("unknown event 'nope'");
    }

    @Test
    void traceTakesTheSender() throws Exception {
        admin.traceSteps.add(new TraceStep("audit", "pass", 1000, "hi"));

        assertThat(session.execute("sb:trace -f bob chat/room hi")).asString().contains("from bob").contains("1  audit   pass");
        assertThat(admin.traced.from()).isEqualTo("bob");
    }
}
