package io.switchboard.api.broker;

import java.util.concurrent.CompletionStage;

import io.switchboard.api.Connection;
import io.switchboard.api.TlsInfo;
import org.osgi.annotation.versioning.ProviderType;

/** A connection admitted by {@link Broker#accept}, handed back to the front door that owns it. */
@ProviderType
public interface ClientConnection extends Connection {

    /**
     * The TLS handshake completed: records {@code tls} and runs the TLS chain.
     *
     * @return completes when admitted, or exceptionally with {@link RefusedException}
     */
    CompletionStage<Void> tlsEstablished(TlsInfo tls);

    /**
     * The connection closed; the session it holds, if any and not taken over by another connection
     * since, is closed with {@code reason}. A front door keeping a persistent session calls
     * {@link ClientSession#detach} instead.
     */
    void closed(String reason);

    /**
     * The connection closed; the session it holds, if any and not taken over by another connection since, is
     * detached ({@code keepSession}: a persistent session, see {@link ClientSession#detach}) or closed with
     * {@code reason}. Takes its turn after the logins of the client id asked for before, so a connection that
     * closes while its login is under way does not leave the session attached to it.
     *
     * @since 2.1
     */
    void closed(String reason, boolean keepSession);
}
