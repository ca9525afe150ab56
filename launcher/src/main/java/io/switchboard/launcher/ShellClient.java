package io.switchboard.launcher;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Runs one Gogo command in a running broker: {@code bin/switchboard-shell "sb:chain"}.
 *
 * <p>The broker's shell bundle listens on the Unix domain socket
 * {@code <switchboard.home>/data/shell.sock} (owner-only: mode 0600 in a 0700 directory, so only
 * the broker's OS user can connect; there is no TCP port). Override the socket with
 * {@code -Dswitchboard.shell.socket=PATH}. The arguments are joined with spaces into one command
 * line; without arguments the command (or a script of several lines) is read from standard input.
 *
 * <h2>Wire protocol</h2>
 * One request and one response per connection; integers are 4-byte big-endian, text is UTF-8.
 * <pre>
 * request  = length:int32  command:byte[length]          (at most 1 MiB)
 * response = status:int8
 *            length:int32  output:byte[length]           (what the command printed, then its formatted result)
 *            length:int32  error:byte[length]            (what it printed on stderr, then the failure, if any)
 * status   = 0 the command succeeded | 1 the command failed (threw) | 2 bad request
 * </pre>
 * The server closes the connection after the response.
 *
 * <h2>Exit status</h2>
 * 0 success; 1 the command failed; 2 the broker is not running (no socket, nobody listening);
 * 3 usage or protocol error.
 */
public final class ShellClient {

    static final String SOCKET_PROPERTY = "switchboard.shell.socket";
    static final int MAX_COMMAND_BYTES = 1 << 20;

    private static final String USAGE =
            "usage: switchboard-shell \"<gogo command>\"   (or the command on standard input)";

    static final int EXIT_OK = 0;
    static final int EXIT_FAILED = 1;
    static final int EXIT_NOT_RUNNING = 2;
    static final int EXIT_USAGE = 3;

    private ShellClient() {
    }

    public static void main(String[] args) {
        if (args.length == 0 && System.console() != null) {
            System.err.println(USAGE);
            System.exit(EXIT_USAGE);
        }
        System.exit(run(args, System.in, System.out, System.err));
    }

    static int run(String[] args, InputStream stdin, PrintStream out, PrintStream err) {
        String command;
        try {
            command = args.length > 0 ? String.join(" ", args) : readAll(stdin);
        } catch (IOException e) {
            err.println("switchboard-shell: cannot read the command from standard input: " + e.getMessage());
            return EXIT_USAGE;
        }
        if (command.isBlank()) {
            err.println(USAGE);
            return EXIT_USAGE;
        }
        byte[] request = command.getBytes(StandardCharsets.UTF_8);
        if (request.length > MAX_COMMAND_BYTES) {
            err.println("switchboard-shell: the command is longer than " + MAX_COMMAND_BYTES + " bytes");
            return EXIT_USAGE;
        }

        Path socket = socketPath();
        SocketChannel channel;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException | UnsupportedOperationException e) {
            err.println("switchboard-shell: Switchboard is not running (cannot connect to " + socket + ": "
                    + e.getMessage() + ")");
            return EXIT_NOT_RUNNING;
        }

        try (channel;
             DataOutputStream to = new DataOutputStream(Channels.newOutputStream(channel));
             DataInputStream from = new DataInputStream(Channels.newInputStream(channel))) {
            to.writeInt(request.length);
            to.write(request);
            to.flush();

            int status = from.readByte();
            String output = readText(from);
            String error = readText(from);
            out.print(output);
            if (!output.isEmpty() && !output.endsWith("\n")) {
                out.println(); // a shell prompt or the next command's output starts on its own line
            }
            out.flush();
            err.print(error);
            if (!error.isEmpty() && !error.endsWith("\n")) {
                err.println();
            }
            err.flush();
            return status == 0 ? EXIT_OK : EXIT_FAILED;
        } catch (EOFException e) {
            err.println("switchboard-shell: the broker closed the connection without an answer");
            return EXIT_USAGE;
        } catch (IOException e) {
            err.println("switchboard-shell: " + e.getMessage());
            return EXIT_USAGE;
        }
    }

    static Path socketPath() {
        String explicit = System.getProperty(SOCKET_PROPERTY);
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        return LauncherConfig.home().resolve("data").resolve("shell.sock");
    }

    private static String readText(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0) {
            throw new IOException("bad response (negative length " + length + ")");
        }
        byte[] text = new byte[length];
        in.readFully(text);
        return new String(text, StandardCharsets.UTF_8);
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        in.transferTo(buffer);
        return buffer.toString(StandardCharsets.UTF_8);
    }
}
