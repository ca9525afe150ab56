package io.switchboard.mqtt.internal.transport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Key stores made with the JDK's keytool, as the README tells operators to: a server key for
 * {@code localhost}/127.0.0.1, a client key, and trust stores holding each side's certificate.
 */
final class TestKeys {

    static final String SERVER_KEYSTORE = "server.p12";
    static final String SERVER_PASSWORD = "server-secret";
    /** The client certificates the server trusts. */
    static final String CLIENTS_TRUSTSTORE = "clients.p12";
    static final String TRUST_PASSWORD = "trust-secret";

    private static final String CLIENT_KEYSTORE = "client.p12";
    private static final String CLIENT_PASSWORD = "client-secret";
    private static final String SERVER_TRUSTSTORE = "server-trust.p12";

    final Path dir;

    private TestKeys(Path dir) {
        this.dir = dir;
    }

    static TestKeys create(Path dir) throws IOException, InterruptedException {
        keytool(dir, "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", SERVER_KEYSTORE, "-storepass", SERVER_PASSWORD);
        keytool(dir, "-exportcert", "-rfc", "-alias", "server", "-keystore", SERVER_KEYSTORE, "-storepass", SERVER_PASSWORD,
                "-file", "server.pem");
        keytool(dir, "-importcert", "-noprompt", "-alias", "server", "-file", "server.pem",
                "-storetype", "PKCS12", "-keystore", SERVER_TRUSTSTORE, "-storepass", TRUST_PASSWORD);
        keytool(dir, "-genkeypair", "-alias", "client", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=test-client", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", CLIENT_KEYSTORE, "-storepass", CLIENT_PASSWORD);
        keytool(dir, "-exportcert", "-rfc", "-alias", "client", "-keystore", CLIENT_KEYSTORE, "-storepass", CLIENT_PASSWORD,
                "-file", "client.pem");
        keytool(dir, "-importcert", "-noprompt", "-alias", "client", "-file", "client.pem",
                "-storetype", "PKCS12", "-keystore", CLIENTS_TRUSTSTORE, "-storepass", TRUST_PASSWORD);
        return new TestKeys(dir);
    }

    /** A client context that trusts the server's certificate; with the client's key when {@code withKey}. */
    SSLContext client(boolean withKey) throws IOException, GeneralSecurityException {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(load(SERVER_TRUSTSTORE, TRUST_PASSWORD));
        KeyManagerFactory keys = null;
        if (withKey) {
            keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(load(CLIENT_KEYSTORE, CLIENT_PASSWORD), CLIENT_PASSWORD.toCharArray());
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
        return context;
    }

    private KeyStore load(String file, String password) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(dir.resolve(file))) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password.toCharArray());
            return store;
        }
    }

    private static void keytool(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("keytool " + String.join(" ", args) + " failed: " + output);
        }
    }
}
