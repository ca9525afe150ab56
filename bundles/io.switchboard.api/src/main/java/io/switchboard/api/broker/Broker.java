package io.switchboard.api.broker;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The broker, as a protocol front door or an in-process client uses it. Registered as a service by
 * the core. All methods return at once; their stages complete when the module chain has decided.
 */
@ProviderType
public interface Broker {

    /**
     * A network connection was accepted: runs the connect chain.
     *
     * @return completes with the admitted connection, or exceptionally with {@link RefusedException}
     */
    CompletionStage<ClientConnection> accept(InetSocketAddress remote, InetSocketAddress local, String listener);

    /**
     * Logs a client in and opens its session: runs the login chain, then the session-open chain. If a
     * session with the same client id exists, a login with {@link LoginRequest#cleanStart()} false
     * resumes it (its subscriptions stay; it delivers to {@code receiver} from now on; the connection
     * that held it, if still online, is told through its old receiver's session being detached), and a
     * clean login ends it ("session taken over") and opens a new one.
     *
     * @param request who logs in, on which connection ({@code null} connection: an in-process client)
     * @param receiver receives the messages routed to the session
     * @return completes with the open session, or exceptionally with {@link RefusedException}
     */
    CompletionStage<ClientSession> login(LoginRequest request, Receiver receiver);

    /**
     * Re-creates a persistent session a front door recovered from its store after a restart: offline, with
     * its subscriptions in place, delivering to {@code receiver}, without running any chain (the modules
     * saw the login and the subscriptions before the restart, and retained messages are not sent again).
     * A later {@link #login} of the client id with {@link LoginRequest#cleanStart()} false resumes it like
     * any kept session; {@link ClientSession#close} ends it.
     *
     * @throws IllegalStateException if a session of that client id exists already
     * @throws IllegalArgumentException if a subscription's topic filter is not valid
     */
    ClientSession restore(RestoredSession session, Receiver receiver);
}
