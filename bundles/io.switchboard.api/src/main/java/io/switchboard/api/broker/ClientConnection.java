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
}
