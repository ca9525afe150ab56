package io.switchboard.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A client's session: who the client is and, per module, whatever the module keeps for it.
 * Modules keep state with {@link #setState(MessageModule, Object)}, keyed by the module itself, so
 * modules never see each other's state.
 */
@ProviderType
public interface Session {

    /**
     * The {@link #user()} of a client no authenticator vouched for.
     *
     * @since 1.1
     */
    String ANONYMOUS = "anonymous";

    /** The broker-unique session id. */
    long id();

    /** The client identifier (MQTT client id). */
    String clientId();

    /**
     * Who the client is, as authentication established it, never merely as the client claimed it:
     * <ul>
     * <li>the user a module established when it accepted the login ({@link Admission#authenticated});</li>
     * <li>otherwise, for a client on a network connection, {@link #ANONYMOUS}, whatever user name or client id it
     * sent (with no authenticator deployed, every network client is anonymous);</li>
     * <li>otherwise, for an in-process client (its code runs in the broker's framework, trusted like a module),
     * the user name it logged in with, or its client id;</li>
     * <li>for messages a module sends, {@code module:} and the module bundle's symbolic name.</li>
     * </ul>
     * Names starting with {@code module:} are never a client's. A persistent session is resumed only by a login of
     * the same user; a login of another user with its client id gets a fresh session.
     */
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
