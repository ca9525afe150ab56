package io.switchboard.api.broker;

import java.util.List;
import java.util.Objects;

import io.switchboard.api.Subscription;

/**
 * A persistent session a front door recovered from its store after a restart, for {@link Broker#restore}.
 *
 * @param clientId the client identifier, non-empty
 * @param user the session's user, as it was when the client logged in
 * @param protocol the protocol name, e.g. {@code mqtt-5}
 * @param subscriptions the session's subscriptions with their options
 */
public record RestoredSession(String clientId, String user, String protocol, List<Subscription> subscriptions) {

    /** Checks the values and copies the list. */
    public RestoredSession {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(protocol, "protocol");
        if (clientId.isEmpty()) {
            throw new IllegalArgumentException("clientId must not be empty");
        }
        subscriptions = List.copyOf(subscriptions);
    }
}
