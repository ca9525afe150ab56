package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client against a fake server that speaks the protocol of {@link ShellClient}'s javadoc. */
class ShellClientTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @AfterEach
    void clearProperty() {
        System.clearProperty(ShellClient.SOCKET_PROPERTY);
    }

    @Test
    void printsTheOutputAndExitsZeroOnSuccess() throws Exception {
        CompletableFuture<String> received = serveOnce(0, "bundle list\n", "");
        int exit = run("lb", "-s");
        assertThat(received.get(5, TimeUnit.SECONDS)).isEqualTo("lb -s");
        assertThat(exit).isEqualTo(ShellClient.EXIT_OK);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("bundle list\n");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void printsTheErrorOnStderrAndExitsOneOnAFailedCommand() throws Exception {
        serveOnce(1, "partial\n", "Command not found: nope");
        int exit = run("nope");
        assertThat(exit).isEqualTo(ShellClient.EXIT_FAILED);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("partial\n");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("Command not found: nope\n");
    }

    @Test
    void readsTheCommandFromStdinWithoutArguments() throws Exception {
        CompletableFuture<String> received = serveOnce(0, "", "");
        System.setProperty(ShellClient.SOCKET_PROPERTY, dir.resolve("shell.sock").toString());
        int exit = ShellClient.run(new String[0], new ByteArrayInputStream("echo héllo\n".getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(exit).isZero();
        assertThat(received.get(5, TimeUnit.SECONDS)).isEqualTo("echo héllo\n");
    }

    @Test
    void saysTheBrokerIsNotRunningWhenNobodyListens() {
        int exit = run("lb");
        assertThat(exit).isEqualTo(ShellClient.EXIT_NOT_RUNNING);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("not running").contains("shell.sock");
    }

    private int run(String... args) {
        System.setProperty(ShellClient.SOCKET_PROPERTY, dir.resolve("shell.sock").toString());
        return ShellClient.run(args, new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private CompletableFuture<String> serveOnce(int status, String output, String error) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(dir.resolve("shell.sock")));
        return CompletableFuture.supplyAsync(() -> {
            try (server; SocketChannel client = server.accept();
                 DataInputStream in = new DataInputStream(Channels.newInputStream(client));
                 DataOutputStream to = new DataOutputStream(Channels.newOutputStream(client))) {
                byte[] command = new byte[in.readInt()];
                in.readFully(command);
                to.writeByte(status);
                byte[] o = output.getBytes(StandardCharsets.UTF_8);
                to.writeInt(o.length);
                to.write(o);
                byte[] e = error.getBytes(StandardCharsets.UTF_8);
                to.writeInt(e.length);
                to.write(e);
                return new String(command, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
    }
}
