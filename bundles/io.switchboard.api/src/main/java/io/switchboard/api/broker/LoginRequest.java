package io.switchboard.api.broker;

import java.util.Objects;

/**
 * Who logs in through {@link Broker#login}.
 *
 * @param connection the connection logged in on, or {@code null} for an in-process client
 * @param clientId the client identifier, non-empty
 * @param userName the user name, or {@code null}
 * @param password the password, or {@code null}
 * @param protocol the protocol name, e.g. {@code mqtt-5} or {@code internal}
 * @param cleanStart whether the client asks for a fresh session
 */
public record LoginRequest(ClientConnection connection, String clientId, String userName, byte[] password,
        String protocol, boolean cleanStart) {

    /** Checks the values and copies the password. */
    public LoginRequest {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(protocol, "protocol");
        if (clientId.isEmpty()) {
            throw new IllegalArgumentException("clientId must not be empty (assign one before logging in)");
        }
        password = password == null ? null : password.clone();
    }

    /** An in-process client with a clean session. */
    public static LoginRequest internal(String clientId, String userName) {
        return new LoginRequest(null, clientId, userName, null, "internal", true);
    }

    /** A copy of the password, or {@code null}. */
    @Override
    public byte[] password() {
        return password == null ? null : password.clone();
    }
}
