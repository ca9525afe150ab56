package io.switchboard.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A client's session: who the client is and, per module, whatever the module keeps for it.
 * Modules keep state with {@link #setState(MessageModule, Object)}, keyed by the module itself, so
 * modules never see each other's state.
 */
@ProviderType
public interface Session {

    /** The broker-unique session id. */
    long id();

    /** The client identifier (MQTT client id). */
    String clientId();

    /** The authenticated user: the user name, or the client id when the client gave none. */
    String user();

    /** The protocol the client speaks, e.g. {@code mqtt-3.1.1}, {@code mqtt-5}, {@code internal}. */
    String protocol();

    /** The connection the session runs on, or {@code null} for in-process sessions. */
    Connection connection();

    /** Whether the session's client is connected now. */
    boolean isOnline();

    /**
     * The state {@code owner} keeps for this session, or {@code null} if it keeps none or keeps another type.
     */
    <T> T state(MessageModule owner, Class<T> type);

    /** Keeps {@code state} for this session on behalf of {@code owner}; {@code null} removes it. */
    void setState(MessageModule owner, Object state);
}
