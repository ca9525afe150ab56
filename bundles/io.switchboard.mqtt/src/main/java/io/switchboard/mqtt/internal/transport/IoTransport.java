package io.switchboard.mqtt.internal.transport;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;

/**
 * The Netty I/O transport the listeners run on: Linux's native epoll when its library loads (a connection then
 * holds no JDK socket objects: less memory and less work per connection), otherwise the JDK's NIO, with the
 * reason.
 *
 * @param name {@link #EPOLL} or {@link #NIO}
 * @param handlers makes the I/O handler of each event loop
 * @param serverChannel the server socket channel class that goes with the handlers
 * @param reason why NIO was chosen; {@code null} for epoll
 */
record IoTransport(String name, Supplier<IoHandlerFactory> handlers, Class<? extends ServerChannel> serverChannel,
                   String reason) {

    static final String EPOLL = "epoll";
    static final String NIO = "nio";

    /** Native epoll if {@code nativeWanted} and Netty's library loads here, else NIO. */
    static IoTransport choose(boolean nativeWanted) {
        return choose(nativeWanted, Epoll::isAvailable, Epoll::unavailabilityCause);
    }

    /** {@link #choose(boolean)} with the availability check given (tests). */
    static IoTransport choose(boolean nativeWanted, BooleanSupplier epollAvailable, Supplier<Throwable> whyNot) {
        if (!nativeWanted) {
            return nio("native.transport = false in the configuration");
        }
        if (epollAvailable.getAsBoolean()) {
            return new IoTransport(EPOLL, EpollIoHandler::newFactory, EpollServerSocketChannel.class, null);
        }
        return nio("native epoll unavailable: " + describe(whyNot.get()));
    }

    private static IoTransport nio(String reason) {
        return new IoTransport(NIO, NioIoHandler::newFactory, NioServerSocketChannel.class, reason);
    }

    /** The failure and its innermost cause: Netty wraps the library loader's failure a few times. */
    private static String describe(Throwable cause) {
        if (cause == null) {
            return "no reason given";
        }
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == cause ? String.valueOf(cause) : cause + " (" + root + ")";
    }
}
