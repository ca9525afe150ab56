package io.switchboard.testkit;

import java.util.concurrent.atomic.AtomicLong;

import io.switchboard.api.Connection;
import io.switchboard.api.MessageModule;
import io.switchboard.api.Session;

/**
 * A {@link Session} double with working per-module state: {@code FakeSession.of("alice")}, or
 * {@code FakeSession.builder().user("alice").clientId("phone-1").protocol("mqtt-3.1.1").build()}.
 */
public final class FakeSession implements Session {

    private static final AtomicLong IDS = new AtomicLong(1);

    private final long id;
    private final String clientId;
    private final String user;
    private final String protocol;
    private final Connection connection;
    private volatile boolean online;
    private final StateMap states = new StateMap();

    private FakeSession(Builder b) {
        this.id = b.id != 0 ? b.id : IDS.getAndIncrement();
        this.user = b.user;
        this.clientId = b.clientId != null ? b.clientId : b.user;
        this.protocol = b.protocol;
        this.connection = b.connection;
        this.online = b.online;
    }

    /** An online MQTT 5 session of {@code user} (client id = user) on a TCP connection. */
    public static FakeSession of(String user) {
        return builder().user(user).build();
    }

    /** Starts a session: online, protocol {@code mqtt-5}, on a new {@link FakeConnection#tcp()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Sets whether the session's client is connected (e.g. before {@code onSessionClose}). */
    public FakeSession setOnline(boolean online) {
        this.online = online;
        return this;
    }

    /** How many modules keep state for this session (0 after they freed it). */
    public int stateCount() {
        return states.size();
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public String clientId() {
        return clientId;
    }

    @Override
    public String user() {
        return user;
    }

    @Override
    public String protocol() {
        return protocol;
    }

    @Override
    public Connection connection() {
        return connection;
    }

    @Override
    public boolean isOnline() {
        return online;
    }

    @Override
    public <T> T state(MessageModule owner, Class<T> type) {
        return states.get(owner, type);
    }

    @Override
    public void setState(MessageModule owner, Object state) {
        states.set(owner, state);
    }

    @Override
    public String toString() {
        return "FakeSession[" + id + " " + user + " (" + clientId + ", " + protocol + (online ? ", online" : "") + ")]";
    }

    /** Builds a {@link FakeSession}. */
    public static final class Builder {
        private long id;
        private String clientId;
        private String user = "user";
        private String protocol = "mqtt-5";
        private Connection connection = FakeConnection.tcp();
        private boolean online = true;

        private Builder() {
        }

        /** Sets the id (default: unique). */
        public Builder id(long id) {
            this.id = id;
            return this;
        }

        /** Sets the authenticated user (default {@code user}). */
        public Builder user(String user) {
            this.user = user;
            return this;
        }

        /** Sets the client id (default: the user). */
        public Builder clientId(String clientId) {
            this.clientId = clientId;
            return this;
        }

        /** Sets the protocol, e.g. {@code mqtt-3.1.1}, {@code internal}. */
        public Builder protocol(String protocol) {
            this.protocol = protocol;
            return this;
        }

        /** Sets the connection; {@code null} for an in-process session. */
        public Builder connection(Connection connection) {
            this.connection = connection;
            return this;
        }

        /** Sets whether the client is connected (default true). */
        public Builder online(boolean online) {
            this.online = online;
            return this;
        }

        /** Builds the session. */
        public FakeSession build() {
            return new FakeSession(this);
        }
    }
}
