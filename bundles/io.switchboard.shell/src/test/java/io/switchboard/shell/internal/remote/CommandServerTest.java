package io.switchboard.shell.internal.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandServerTest {

    @TempDir
    Path temp;

    private CommandServer server;

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void answersARequestWithStatusOutputAndError() throws IOException {
        server = CommandServer.start(temp.resolve("data/shell.sock"), true,
                command -> new CommandResult(CommandResult.SUCCESS, "ran " + command + "\n", ""), 2);
        Response response = send(temp.resolve("data/shell.sock"), "sb:chain");
        assertThat(response.status()).isEqualTo(CommandResult.SUCCESS);
        assertThat(response.output()).isEqualTo("ran sb:chain\n");
        assertThat(response.error()).isEmpty();
    }

    @Test
    void theSocketIsOwnerOnlyInAnOwnerOnlyDirectory() throws IOException {
        Files.createDirectories(temp.resolve("data"));
        Files.setPosixFilePermissions(temp.resolve("data"), PosixFilePermissions.fromString("rwxr-xr-x"));
        server = CommandServer.start(temp.resolve("data/shell.sock"), true, command -> null, 1);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(temp.resolve("data"))))
                .isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(temp.resolve("data/shell.sock"))))
                .isEqualTo("rw-------");
    }

    @Test
    void refusesAnEmptyOrOversizedRequest() throws IOException {
        Path socket = temp.resolve("shell.sock");
        server = CommandServer.start(socket, true, command -> new CommandResult(0, "", ""), 1);
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket));
             DataOutputStream out = new DataOutputStream(Channels.newOutputStream(channel));
             DataInputStream in = new DataInputStream(Channels.newInputStream(channel))) {
            out.writeInt(WireProtocol.MAX_COMMAND_BYTES + 1);
            out.flush();
            assertThat(Response.read(in).status()).isEqualTo(CommandResult.BAD_REQUEST);
        }
    }

    @Test
    void deletesAStaleSocketAndRemovesItsOwnOnClose() throws IOException {
        Path socket = temp.resolve("shell.sock");
        ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        dead.bind(UnixDomainSocketAddress.of(socket));
        dead.close(); // the file stays, nobody listens: what a killed broker leaves
        assertThat(socket).exists();

        server = CommandServer.start(socket, true, command -> new CommandResult(0, "ok", ""), 1);
        assertThat(send(socket, "x").output()).isEqualTo("ok");
        server.close();
        server = null;
        assertThat(socket).doesNotExist();
    }

    @Test
    void refusesToStartWhileAnotherProcessListens() throws IOException {
        Path socket = temp.resolve("shell.sock");
        server = CommandServer.start(socket, true, command -> new CommandResult(0, "first", ""), 1);
        assertThatThrownBy(() -> CommandServer.start(socket, true, command -> null, 1))
                .isInstanceOf(IOException.class).hasMessageContaining("another process is listening");
        assertThat(send(socket, "x").output()).as("the first server still serves").isEqualTo("first");
    }

    @Test
    void refusesAPathThatIsNotASocket() throws IOException {
        Path file = Files.writeString(temp.resolve("shell.sock"), "not a socket");
        assertThatThrownBy(() -> CommandServer.start(file, true, command -> null, 1))
                .isInstanceOf(IOException.class).hasMessageContaining("is not a socket");
        assertThat(file).hasContent("not a socket");
    }

    record Response(int status, String output, String error) {
        static Response read(DataInputStream in) throws IOException {
            int status = in.readByte();
            return new Response(status, text(in), text(in));
        }

        private static String text(DataInputStream in) throws IOException {
            byte[] bytes = new byte[in.readInt()];
            in.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    static Response send(Path socket, String command) throws IOException {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket));
             DataOutputStream out = new DataOutputStream(Channels.newOutputStream(channel));
             DataInputStream in = new DataInputStream(Channels.newInputStream(channel))) {
            byte[] bytes = command.getBytes(StandardCharsets.UTF_8);
            out.writeInt(bytes.length);
            out.write(bytes);
            out.flush();
            return Response.read(in);
        }
    }
}
