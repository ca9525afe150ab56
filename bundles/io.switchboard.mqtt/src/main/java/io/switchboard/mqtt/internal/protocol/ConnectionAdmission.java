package io.switchboard.mqtt.internal.protocol;

import static io.switchboard.mqtt.internal.protocol.MqttConnectionHandler.LOG;

import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.switchboard.api.TlsInfo;
import io.switchboard.api.broker.ClientConnection;
import io.switchboard.api.broker.RefusedException;
import io.switchboard.mqtt.internal.ListenerInfo;

/**
 * Admits a new connection before its CONNECT is handled: the broker's connect chain
 * ({@code Broker.accept}) and, on TLS listeners once the handshake is done, the TLS chain
 * ({@code ClientConnection.tlsEstablished} with protocol, cipher suite, SNI host name and client
 * certificates). A refusal closes the connection; once both admitted, the CONNECT goes on.
 */
final class ConnectionAdmission {

    private final MqttConnectionHandler connection;
    private final ListenerInfo listener;
    /** The broker's side of the connection, once the connect chain admitted it. */
    private ClientConnection clientConnection;
    private TlsInfo tlsInfo;
    private boolean tlsSubmitted;
    private boolean tlsAdmitted;

    ConnectionAdmission(MqttConnectionHandler connection, ListenerInfo listener) {
        this.connection = connection;
        this.listener = listener;
    }

    /** The broker's side of the connection, or null until the connect chain admitted it. */
    ClientConnection clientConnection() {
        return clientConnection;
    }

    /** Whether the connect chain and, on TLS listeners, the TLS chain admitted the connection. */
    boolean admitted() {
        return clientConnection != null && tlsAdmitted;
    }

    /** Runs the connect chain, and the TLS chain once the handshake is done. */
    void start(InetSocketAddress remote, InetSocketAddress local) {
        try {
            connection.protocol().broker().accept(remote, local, listener.name())
                    .whenComplete((c, error) -> connection.execute(() -> accepted(c, error)));
        } catch (RuntimeException e) {
            accepted(null, e);
        }
        if (!listener.tls()) {
            tlsAdmitted = true;
            return;
        }
        SslHandler ssl = connection.ctx().pipeline().get(SslHandler.class);
        if (ssl == null) {
            LOG.warn("MQTT listener '{}' says TLS but the connection from {} has no SslHandler; no TLS details reported",
                    listener.name(), remote);
            tlsAdmitted = true;
            return;
        }
        ssl.handshakeFuture().addListener((Future<Channel> f) -> handshakeDone(ssl, f));
    }

    private void accepted(ClientConnection c, Throwable error) {
        if (error != null) {
            refused("connection", error);
            return;
        }
        clientConnection = c;
        if (connection.closer().isInactive()) {
            c.closed(connection.closer().closeReason());
            return;
        }
        submitTls();
        connection.connect().proceed();
    }

    private void handshakeDone(SslHandler ssl, Future<?> handshake) {
        if (!handshake.isSuccess() || connection.closer().isInactive()) {
            return; // the SslHandler closes the connection
        }
        tlsInfo = tlsInfo(ssl.engine().getSession());
        submitTls();
    }

    private void submitTls() {
        if (clientConnection == null || tlsInfo == null || tlsSubmitted || connection.closer().isInactive()) {
            return;
        }
        tlsSubmitted = true;
        try {
            clientConnection.tlsEstablished(tlsInfo).whenComplete((v, error) -> connection.execute(() -> tlsDone(error)));
        } catch (RuntimeException e) {
            tlsDone(e);
        }
    }

    private void tlsDone(Throwable error) {
        if (error != null) {
            refused("TLS session", error);
            return;
        }
        tlsAdmitted = true;
        connection.connect().proceed();
    }

    private void refused(String what, Throwable error) {
        listener.traffic().refused();
        Throwable cause = Failures.unwrap(error);
        String reason = cause instanceof RefusedException r ? r.reasonCode() + ": " + r.getMessage() : cause.toString();
        LOG.info("MQTT {} on listener '{}': {} refused ({}); closing", connection.who(), listener.name(), what, reason);
        connection.closer().closeNow(what + " refused: " + reason);
    }

    private static TlsInfo tlsInfo(SSLSession s) {
        String serverName = null;
        if (s instanceof ExtendedSSLSession extended) {
            try {
                for (SNIServerName name : extended.getRequestedServerNames()) {
                    if (name instanceof SNIHostName host) {
                        serverName = host.getAsciiName();
                    }
                }
            } catch (UnsupportedOperationException e) {
                // no SNI information from this provider
            }
        }
        List<X509Certificate> peer = new ArrayList<>();
        try {
            for (Certificate c : s.getPeerCertificates()) {
                if (c instanceof X509Certificate x) {
                    peer.add(x);
                }
            }
        } catch (SSLPeerUnverifiedException e) {
            // no client certificate
        }
        return new TlsInfo(s.getProtocol(), s.getCipherSuite(), serverName, peer);
    }
}
