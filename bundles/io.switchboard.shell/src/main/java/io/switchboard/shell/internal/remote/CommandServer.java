package io.switchboard.shell.internal.remote;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@link WireProtocol} requests on a Unix domain socket: an accept thread and a few worker
 * threads, each running one request at a time with a {@link CommandExecutor}.
 *
 * <p>Access control is the file system's: the socket file is made 0600 and lives in a directory
 * that is 0700 (see {@link #start}), so only the broker's OS user (and root) can connect.
 */
final class CommandServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CommandServer.class);
    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");

    private final Path socket;
    private final ServerSocketChannel server;
    private final CommandExecutor executor;
    private final ThreadPoolExecutor workers;
    private final Thread acceptor;

    private CommandServer(Path socket, ServerSocketChannel server, CommandExecutor executor, int threads) {
        this.socket = socket;
        this.server = server;
        this.executor = executor;
        AtomicInteger count = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, "switchboard-shell-channel-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.workers = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(4 * threads), factory);
        this.workers.allowCoreThreadTimeOut(true);
        this.acceptor = new Thread(this::acceptLoop, "switchboard-shell-channel-accept");
        this.acceptor.setDaemon(true);
    }

    /**
     * Binds {@code socket} and starts serving.
     *
     * @param restrictDirectory make the socket's directory 0700 even if it exists (the broker's own
     *                          {@code data/}); a directory this method creates is always 0700
     */
    static CommandServer start(Path socket, boolean restrictDirectory, CommandExecutor executor, int threads)
            throws IOException {
        Path path = socket.toAbsolutePath().normalize();
        Path dir = path.getParent();
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            restrictDirectory = true;
        }
        if (posix) {
            if (restrictDirectory) {
                Files.setPosixFilePermissions(dir, OWNER_DIR);
            } else if (!OWNER_DIR.containsAll(Files.getPosixFilePermissions(dir))) {
                LOG.warn("Shell channel directory {} is accessible to other users; the socket itself is 0600", dir);
            }
        }
        removeStale(path);

        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(path));
            if (posix) {
                Files.setPosixFilePermissions(path, OWNER_FILE);
            }
        } catch (IOException | RuntimeException e) {
            server.close();
            Files.deleteIfExists(path);
            throw e;
        }
        CommandServer commandServer = new CommandServer(path, server, executor, threads);
        commandServer.acceptor.start();
        return commandServer;
    }

    Path socket() {
        return socket;
    }

    /** Deletes a socket file left by a broker that is gone; refuses to touch anything else. */
    static void removeStale(Path socket) throws IOException {
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isSymbolicLink(socket) || Files.isDirectory(socket, LinkOption.NOFOLLOW_LINKS)
                || Files.isRegularFile(socket, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(socket + " exists and is not a socket; remove it");
        }
        boolean live;
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            live = true;
        } catch (IOException refused) {
            live = false;
        }
        if (live) {
            throw new IOException("another process is listening on " + socket
                    + " (is a second broker running from the same directory?)");
        }
        Files.deleteIfExists(socket);
        LOG.info("Removed stale shell channel socket {}", socket);
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!server.isOpen()) {
                    return;
                }
                LOG.warn("Shell channel on {}: accept failed", socket, e);
                continue;
            }
            try {
                workers.execute(() -> serve(client));
            } catch (RejectedExecutionException e) {
                LOG.warn("Shell channel on {} is busy; refusing a client", socket);
                refuse(client);
            }
        }
    }

    private void serve(SocketChannel client) {
        try (client;
             DataInputStream in = new DataInputStream(Channels.newInputStream(client));
             DataOutputStream out = new DataOutputStream(Channels.newOutputStream(client))) {
            CommandResult result;
            try {
                String command = WireProtocol.readRequest(in);
                LOG.debug("Shell channel command: {}", command);
                result = executor.execute(command);
            } catch (WireProtocol.BadRequestException e) {
                result = CommandResult.badRequest(e.getMessage());
            }
            WireProtocol.writeResponse(out, result);
        } catch (EOFException | ClosedChannelException e) {
            LOG.debug("Shell channel client went away", e);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Shell channel on {}: serving a client failed", socket, e);
        }
    }

    private static void refuse(SocketChannel client) {
        try (client; DataOutputStream out = new DataOutputStream(Channels.newOutputStream(client))) {
            WireProtocol.writeResponse(out, new CommandResult(CommandResult.FAILED, "", "the broker's shell channel is busy; try again"));
        } catch (IOException e) {
            LOG.debug("Shell channel: refusing a client failed", e);
        }
    }

    /** Stops accepting, interrupts running requests and removes the socket file. */
    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            LOG.debug("Shell channel: closing {} failed", socket, e);
        }
        workers.shutdownNow();
        try {
            acceptor.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            LOG.warn("Shell channel: cannot remove {}", socket, e);
        }
    }
}
