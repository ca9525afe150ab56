package io.switchboard.testkit;

import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import io.switchboard.api.Connection;
import io.switchboard.api.TlsInfo;

/**
 * A {@link Connection} double. {@code FakeConnection.builder().remote("10.0.0.7", 50123).listener("websocket").build()};
 * {@link #establishTls} adds TLS details later, as a handshake would before {@code onTlsEstablished}.
 */
public final class FakeConnection implements Connection {

    private static final AtomicLong IDS = new AtomicLong(1);

    private final long id;
    private final InetSocketAddress remote;
    private final InetSocketAddress local;
    private final String listener;
    private volatile TlsInfo tls;

    private FakeConnection(Builder b) {
        this.id = b.id != 0 ? b.id : IDS.getAndIncrement();
        this.remote = b.remote;
        this.local = b.local;
        this.listener = b.listener;
        this.tls = b.tls;
    }

    /** A plain TCP connection from 127.0.0.1 to port 1883. */
    public static FakeConnection tcp() {
        return builder().build();
    }

    /** Starts a connection: by default plain TCP ({@code tcp}) from 127.0.0.1:50000 to 127.0.0.1:1883. */
    public static Builder builder() {
        return new Builder();
    }

    /** Completes a TLS handshake: {@link #tls()} is present from now on. */
    public FakeConnection establishTls(TlsInfo info) {
        this.tls = info;
        return this;
    }

    /** Completes a TLS 1.3 handshake without client certificates. */
    public FakeConnection establishTls() {
        return establishTls(new TlsInfo("TLSv1.3", "TLS_AES_128_GCM_SHA256", null, null));
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
    public String toString() {
        return "FakeConnection[" + id + " " + remote + " -> " + local + " (" + listener + (tls == null ? "" : ", tls") + ")]";
    }

    /** Builds a {@link FakeConnection}. */
    public static final class Builder {
        private long id;
        private InetSocketAddress remote = new InetSocketAddress("127.0.0.1", 50000);
        private InetSocketAddress local = new InetSocketAddress("127.0.0.1", 1883);
        private String listener = "tcp";
        private TlsInfo tls;

        private Builder() {
        }

        /** Sets the id (default: unique). */
        public Builder id(long id) {
            this.id = id;
            return this;
        }

        /** Sets the client's address (an IP literal, so nothing is looked up). */
        public Builder remote(String host, int port) {
            this.remote = new InetSocketAddress(host, port);
            return this;
        }

        /** Sets the broker's address. */
        public Builder local(String host, int port) {
            this.local = new InetSocketAddress(host, port);
            return this;
        }

        /** Sets the listener's name, e.g. {@code tcp}, {@code tls}, {@code websocket}. */
        public Builder listener(String listener) {
            this.listener = listener;
            return this;
        }

        /** Sets the TLS details (a connection whose handshake is done). */
        public Builder tls(TlsInfo tls) {
            this.tls = tls;
            return this;
        }

        /** Builds the connection. */
        public FakeConnection build() {
            return new FakeConnection(this);
        }
    }
}
