package io.switchboard.api;

import org.osgi.annotation.versioning.ProviderType;

/** A client logging in: what it claims to be. Seen by {@link MessageModule#onLogin}. */
@ProviderType
public interface Login {

    /** The connection the client logs in on, or {@code null} for in-process clients. */
    Connection connection();

    /** The client identifier. */
    String clientId();

    /** The user name the client gave, or {@code null}. */
    String userName();

    /** A copy of the password the client gave, or {@code null}. */
    byte[] password();

    /** The protocol, e.g. {@code mqtt-5}. */
    String protocol();

    /** Whether the client asked for a fresh session (MQTT clean session / clean start). */
    boolean cleanStart();

    /** Whether a session with this client id is online now (this login will take it over). */
    boolean alreadyOnline();
}
