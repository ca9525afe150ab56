package io.switchboard.itest.mqtt.support;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * The broker's TLS identity for a test run, made with the JDK's {@code keytool} as an operator would:
 * a PKCS#12 key store holding a self-signed EC certificate for {@code localhost} and {@code 127.0.0.1}
 * (what the TLS listener is configured with), that certificate as PEM (for {@code mosquitto_pub --cafile})
 * and a trust store the Java clients use.
 */
public final class TestKeys {

    /** The key store and key password. */
    public static final String PASSWORD = "switchboard-test";
    /** The key's alias in the key store. */
    public static final String ALIAS = "switchboard";

    private final Path keyStore;
    private final Path certificatePem;
    private final KeyStore trustStore;

    private TestKeys(Path keyStore, Path certificatePem, KeyStore trustStore) {
        this.keyStore = keyStore;
        this.certificatePem = certificatePem;
        this.trustStore = trustStore;
    }

    /** Generates a key store {@code broker.p12} and {@code broker-cert.pem} in {@code dir}. */
    public static TestKeys generate(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path keyStore = dir.resolve("broker.p12");
        Path pem = dir.resolve("broker-cert.pem");
        keytool(dir, "-genkeypair", "-alias", ALIAS, "-keyalg", "EC", "-groupname", "secp256r1",
                "-sigalg", "SHA256withECDSA", "-dname", "CN=localhost, O=Switchboard itests",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "7",
                "-storetype", "PKCS12", "-keystore", keyStore.toString(),
                "-storepass", PASSWORD, "-keypass", PASSWORD);
        keytool(dir, "-exportcert", "-rfc", "-alias", ALIAS, "-keystore", keyStore.toString(),
                "-storetype", "PKCS12", "-storepass", PASSWORD, "-file", pem.toString());
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            try (InputStream in = new ByteArrayInputStream(Files.readAllBytes(pem))) {
                X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
                trust.setCertificateEntry(ALIAS, certificate);
            }
            return new TestKeys(keyStore, pem, trust);
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("cannot read the certificate keytool exported: " + pem, e);
        }
    }

    /** Trusts only the certificate of {@code pem} (for a broker run elsewhere). */
    public static TestKeys trusting(Path pem) throws IOException {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            try (InputStream in = Files.newInputStream(pem)) {
                trust.setCertificateEntry(ALIAS, CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
            return new TestKeys(null, pem, trust);
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("cannot read certificate " + pem, e);
        }
    }

    /**
     * A client identity for listeners that ask for client certificates: {@code client.p12} (the client's key
     * and self-signed certificate, CN {@code cn}) and {@code clients-trust.p12} (that certificate as the
     * trust anchor, for the listener's {@code tls.truststore}), both with {@link #PASSWORD}.
     */
    public static Path[] clientIdentity(Path dir, String cn) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path client = dir.resolve("client.p12");
        Path pem = dir.resolve("client-cert.pem");
        Path trust = dir.resolve("clients-trust.p12");
        keytool(dir, "-genkeypair", "-alias", "client", "-keyalg", "EC", "-groupname", "secp256r1",
                "-sigalg", "SHA256withECDSA", "-dname", "CN=" + cn, "-validity", "7",
                "-storetype", "PKCS12", "-keystore", client.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
        keytool(dir, "-exportcert", "-rfc", "-alias", "client", "-keystore", client.toString(),
                "-storetype", "PKCS12", "-storepass", PASSWORD, "-file", pem.toString());
        keytool(dir, "-importcert", "-noprompt", "-alias", "client", "-file", pem.toString(),
                "-storetype", "PKCS12", "-keystore", trust.toString(), "-storepass", PASSWORD);
        return new Path[] {client, trust};
    }

    /**
     * A client identity issued by a certificate authority, as an operator would set one up with {@code keytool}: a CA
     * ({@code ca.p12}), a client key whose certificate (subject {@code CN=<cn>, O=Switchboard itests}) the CA signed,
     * stored with its chain in {@code client.p12}, and {@code ca-trust.p12} holding only the CA certificate (the
     * listener's {@code tls.truststore}: it trusts every client the CA issued). Returns the client and trust stores,
     * both with {@link #PASSWORD}.
     */
    public static Path[] clientIssuedByCa(Path dir, String cn) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path ca = dir.resolve("ca.p12");
        Path caPem = dir.resolve("ca-cert.pem");
        Path client = dir.resolve("client.p12");
        Path request = dir.resolve("client.csr");
        Path signed = dir.resolve("client-cert.pem");
        Path trust = dir.resolve("ca-trust.p12");
        String[] store = {"-storetype", "PKCS12", "-storepass", PASSWORD};
        keytool(dir, concat(new String[] {"-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1",
                "-sigalg", "SHA256withECDSA", "-dname", "CN=Switchboard itest CA", "-ext", "bc:c", "-validity", "7",
                "-keystore", ca.toString(), "-keypass", PASSWORD}, store));
        keytool(dir, concat(new String[] {"-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-file",
                caPem.toString()}, store));
        keytool(dir, concat(new String[] {"-genkeypair", "-alias", "client", "-keyalg", "EC", "-groupname", "secp256r1",
                "-sigalg", "SHA256withECDSA", "-dname", "CN=" + cn + ", O=Switchboard itests", "-validity", "7",
                "-keystore", client.toString(), "-keypass", PASSWORD}, store));
        keytool(dir, concat(new String[] {"-certreq", "-alias", "client", "-keystore", client.toString(), "-file",
                request.toString()}, store));
        keytool(dir, concat(new String[] {"-gencert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-infile",
                request.toString(), "-outfile", signed.toString(), "-ext", "eku=clientAuth", "-validity", "7"}, store));
        // the chain: the CA first (so the reply can be linked to it), then the CA's reply replaces the self-signed one
        keytool(dir, concat(new String[] {"-importcert", "-noprompt", "-alias", "ca", "-file", caPem.toString(),
                "-keystore", client.toString()}, store));
        keytool(dir, concat(new String[] {"-importcert", "-alias", "client", "-file", signed.toString(),
                "-keystore", client.toString(), "-keypass", PASSWORD}, store));
        keytool(dir, concat(new String[] {"-importcert", "-noprompt", "-alias", "ca", "-file", caPem.toString(),
                "-keystore", trust.toString()}, store));
        return new Path[] {client, trust};
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** A TLS context trusting the broker and presenting the client key of {@code clientKeyStore}. */
    public SSLContext sslContext(Path clientKeyStore) {
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(clientKeyStore)) {
                keys.load(in, PASSWORD.toCharArray());
            }
            javax.net.ssl.KeyManagerFactory factory = javax.net.ssl.KeyManagerFactory.getInstance(
                    javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
            factory.init(keys, PASSWORD.toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(factory.getKeyManagers(), trustManagerFactory().getTrustManagers(), null);
            return context;
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot load client key store " + clientKeyStore, e);
        }
    }

    /** The PKCS#12 key store the TLS listener is configured with. */
    public Path keyStore() {
        return keyStore;
    }

    /** The broker's certificate, PEM encoded: the CA file for clients. */
    public Path certificatePem() {
        return certificatePem;
    }

    /** Trust managers trusting the broker's certificate only. */
    public TrustManagerFactory trustManagerFactory() {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trustStore);
            return factory;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A TLS context trusting the broker's certificate only. */
    public SSLContext sslContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trustManagerFactory().getTrustManagers(), null);
            return context;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Socket factory for clients (Paho's {@code setSocketFactory}). */
    public SSLSocketFactory socketFactory() {
        return sslContext().getSocketFactory();
    }

    private static void keytool(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Path log = Files.createTempFile(dir, "keytool", ".log");
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        process.getOutputStream().close();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("keytool did not finish within 60 s: " + command);
        }
        if (process.exitValue() != 0) {
            throw new IOException("keytool failed (" + process.exitValue() + "): " + command + "\n" + Files.readString(log));
        }
    }
}
