package io.switchboard.api;

import java.net.InetSocketAddress;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/** A client's network connection, as seen by {@link MessageModule#onConnect} and later events. */
@ProviderType
public interface Connection {

    /** The broker-unique id of this connection. */
    long id();

    /** The client's address. */
    InetSocketAddress remoteAddress();

    /** The broker's address the client connected to. */
    InetSocketAddress localAddress();

    /** The name of the listener that accepted the connection (e.g. {@code tcp}, {@code websocket}). */
    String listener();

    /** The TLS session details, once the handshake completed; empty on plain connections. */
    Optional<TlsInfo> tls();
}
