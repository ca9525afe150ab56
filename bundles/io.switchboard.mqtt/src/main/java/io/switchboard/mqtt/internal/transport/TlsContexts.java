package io.switchboard.mqtt.internal.transport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;
import java.util.Collections;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

/** Builds a listener's server-side TLS context from its key store (and trust store), with the JDK's TLS. */
final class TlsContexts {

    /** TLS 1.3 and 1.2 only. */
    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private TlsContexts() {
    }

    /**
     * Reads the stores and builds the context.
     *
     * @throws IllegalArgumentException naming the attribute when a store cannot be read or holds no key
     */
    static SslContext server(ListenerSettings.Tls tls) {
        KeyStore keys = load("tls.keystore", tls.keystore(), tls.keystoreType(), tls.keystorePassword());
        KeyManagerFactory keyManagers;
        try {
            if (Collections.list(keys.aliases()).stream().noneMatch(alias -> isKeyEntry(keys, alias))) {
                throw new IllegalArgumentException("tls.keystore: " + tls.keystore() + " holds no private key");
            }
            keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keys, tls.keyPassword().toCharArray());
        } catch (UnrecoverableKeyException e) {
            throw new IllegalArgumentException("tls.key.password: cannot read the private key of " + tls.keystore()
                    + " (wrong password?): " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("tls.keystore: " + tls.keystore() + ": " + e.getMessage(), e);
        }
        SslContextBuilder builder = SslContextBuilder.forServer(keyManagers)
                .sslProvider(SslProvider.JDK)
                .protocols(PROTOCOLS)
                .clientAuth(switch (tls.clientAuth()) {
                    case "want" -> ClientAuth.OPTIONAL;
                    case "need" -> ClientAuth.REQUIRE;
                    default -> ClientAuth.NONE;
                });
        if (tls.truststore() != null) {
            KeyStore trusted = load("tls.truststore", tls.truststore(), tls.truststoreType(), tls.truststorePassword());
            try {
                TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trustManagers.init(trusted);
                builder.trustManager(trustManagers);
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("tls.truststore: " + tls.truststore() + ": " + e.getMessage(), e);
            }
        }
        try {
            return builder.build();
        } catch (SSLException e) {
            throw new IllegalArgumentException("tls: cannot build the TLS context from " + tls.keystore() + ": " + e.getMessage(), e);
        }
    }

    private static KeyStore load(String attribute, Path file, String type, String password) {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance(type);
            store.load(in, password.toCharArray());
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(attribute + ": cannot read " + file + " as " + type
                    + " (wrong type or password?): " + e.getMessage(), e);
        }
    }

    private static boolean isKeyEntry(KeyStore store, String alias) {
        try {
            return store.isKeyEntry(alias);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
