package io.switchboard.testkit;

import java.nio.charset.StandardCharsets;

import io.switchboard.api.Connection;
import io.switchboard.api.Login;

/**
 * A {@link Login} double: {@code FakeLogin.of("alice", "secret")}, or
 * {@code FakeLogin.builder().clientId("c1").userName("alice").password("secret").protocol("mqtt-3.1.1").build()}.
 */
public final class FakeLogin implements Login {

    private final Connection connection;
    private final String clientId;
    private final String userName;
    private final byte[] password;
    private final String protocol;
    private final boolean cleanStart;
    private final boolean alreadyOnline;

    private FakeLogin(Builder b) {
        this.connection = b.connection;
        this.userName = b.userName;
        this.clientId = b.clientId != null ? b.clientId : b.userName != null ? b.userName : "client";
        this.password = b.password;
        this.protocol = b.protocol;
        this.cleanStart = b.cleanStart;
        this.alreadyOnline = b.alreadyOnline;
    }

    /** An MQTT 5 login of {@code userName} (client id = user name) with a UTF-8 password. */
    public static FakeLogin of(String userName, String password) {
        return builder().userName(userName).password(password).build();
    }

    /** Starts a login: MQTT 5, clean start, on a new {@link FakeConnection#tcp()}, no user name or password. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Connection connection() {
        return connection;
    }

    @Override
    public String clientId() {
        return clientId;
    }

    @Override
    public String userName() {
        return userName;
    }

    @Override
    public byte[] password() {
        return password == null ? null : password.clone();
    }

    @Override
    public String protocol() {
        return protocol;
    }

    @Override
    public boolean cleanStart() {
        return cleanStart;
    }

    @Override
    public boolean alreadyOnline() {
        return alreadyOnline;
    }

    @Override
    public String toString() {
        return "FakeLogin[" + clientId + (userName == null ? "" : " as " + userName) + ", " + protocol + "]";
    }

    /** Builds a {@link FakeLogin}. */
    public static final class Builder {
        private Connection connection = FakeConnection.tcp();
        private String clientId;
        private String userName;
        private byte[] password;
        private String protocol = "mqtt-5";
        private boolean cleanStart = true;
        private boolean alreadyOnline;

        private Builder() {
        }

        /** Sets the connection; {@code null} for an in-process client. */
        public Builder connection(Connection connection) {
            this.connection = connection;
            return this;
        }

        /** Sets the client id (default: the user name, else {@code client}). */
        public Builder clientId(String clientId) {
            this.clientId = clientId;
            return this;
        }

        /** Sets the user name. */
        public Builder userName(String userName) {
            this.userName = userName;
            return this;
        }

        /** Sets the password (copied). */
        public Builder password(byte[] password) {
            this.password = password == null ? null : password.clone();
            return this;
        }

        /** Sets the password as UTF-8. */
        public Builder password(String password) {
            return password(password == null ? null : password.getBytes(StandardCharsets.UTF_8));
        }

        /** Sets the protocol, e.g. {@code mqtt-3.1.1}. */
        public Builder protocol(String protocol) {
            this.protocol = protocol;
            return this;
        }

        /** Sets whether the client asks for a fresh session (default true). */
        public Builder cleanStart(boolean cleanStart) {
            this.cleanStart = cleanStart;
            return this;
        }

        /** Sets whether a session with this client id is online now. */
        public Builder alreadyOnline(boolean alreadyOnline) {
            this.alreadyOnline = alreadyOnline;
            return this;
        }

        /** Builds the login. */
        public FakeLogin build() {
            return new FakeLogin(this);
        }
    }
}
