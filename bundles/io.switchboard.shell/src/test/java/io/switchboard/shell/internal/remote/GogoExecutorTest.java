package io.switchboard.shell.internal.remote;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The executor on the real Gogo runtime (no framework): output, results, failures. */
class GogoExecutorTest {

    private ThreadIOImpl threadIO;
    private CommandProcessorImpl processor;

    /** Commands as a module or the sb scope would register them. */
    public static final class TestCommands {
        public String hello(String name) {
            return "hello " + name;
        }

        public void shout(String text) {
            System.out.println(text.toUpperCase());
        }

        public List<String> names() {
            return List.of("profanity-filter", "translator");
        }

        public void boom() {
            throw new IllegalStateException("the broker is not ready");
        }

        public void bad(String value) {
            throw new IllegalArgumentException("bad value '" + value + "'");
        }
    }

    @BeforeEach
    void startGogo() {
        threadIO = new ThreadIOImpl();
        threadIO.start();
        processor = new CommandProcessorImpl(threadIO);
        processor.addCommand("test", new TestCommands());
    }

    @AfterEach
    void stopGogo() {
        processor.stop();
        threadIO.stop();
    }

    @Test
    void returnsTheFormattedResult() {
        CommandResult result = new GogoExecutor(processor, 1024).execute("test:hello world");
        assertThat(result.status()).isEqualTo(CommandResult.SUCCESS);
        assertThat(result.output()).isEqualTo("hello world\n");
        assertThat(result.error()).isEmpty();
    }

    @Test
    void capturesWhatACommandPrintsOnSystemOut() {
        CommandResult result = new GogoExecutor(processor, 1024).execute("shout quiet");
        assertThat(result.status()).isEqualTo(CommandResult.SUCCESS);
        assertThat(result.output()).isEqualTo("QUIET\n");
    }

    @Test
    void formatsACollectionOnePerLine() {
        CommandResult result = new GogoExecutor(processor, 1024).execute("test:names");
        assertThat(result.output().lines()).containsExactly("profanity-filter", "translator");
    }

    @Test
    void aThrowingCommandFailsWithItsReason() {
        CommandResult result = new GogoExecutor(processor, 1024).execute("test:boom");
        assertThat(result.status()).isEqualTo(CommandResult.FAILED);
        assertThat(result.error()).isEqualTo("IllegalStateException: the broker is not ready\n");

        CommandResult bad = new GogoExecutor(processor, 1024).execute("test:bad x");
        assertThat(bad.error()).isEqualTo("bad value 'x'\n");
    }

    @Test
    void anUnknownCommandFails() {
        CommandResult result = new GogoExecutor(processor, 1024).execute("sb:nothing");
        assertThat(result.status()).isEqualTo(CommandResult.FAILED);
        assertThat(result.error()).contains("sb:nothing");
    }

    @Test
    void cutsOutputAtTheLimit() {
        CommandResult result = new GogoExecutor(processor, 1024).execute("test:hello " + "x".repeat(3000));
        assertThat(result.output()).startsWith("hello xxx").contains("[output truncated at 1024 bytes]");
    }
}
