package io.switchboard.core.internal.sessions;

import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.switchboard.api.TlsInfo;
import io.switchboard.api.broker.ClientConnection;

/** A connection admitted by the core; its events run on the worker chosen by its id. */
final class ConnectionImpl implements ClientConnection {

    private final Sessions sessions;
    private final long id;
    private final InetSocketAddress remote;
    private final InetSocketAddress local;
    private final String listener;
    private volatile TlsInfo tls;
    /** The client id it logged in with: its close takes its turn among that client id's logins. */
    volatile String clientId;
    volatile SessionImpl session;

    ConnectionImpl(Sessions sessions, long id, InetSocketAddress remote, InetSocketAddress local, String listener) {
        this.sessions = sessions;
        this.id = id;
        this.remote = remote;
        this.local = local;
        this.listener = listener;
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public String listener() {
        return listener;
    }

    @Override
    public Optional<TlsInfo> tls() {
        return Optional.ofNullable(tls);
    }

    @Override
    public CompletionStage<Void> tlsEstablished(TlsInfo info) {
        this.tls = info;
        CompletableFuture<Void> result = new CompletableFuture<>();
        sessions.admitTls(this, result);
        return result;
    }

    @Override
    public void closed(String reason) {
        sessions.connectionClosed(this, reason, false);
    }

    @Override
    public void closed(String reason, boolean keepSession) {
        sessions.connectionClosed(this, reason, keepSession);
    }

    @Override
    public String toString() {
        return listener + " connection " + id + " from " + remote;
    }
}
