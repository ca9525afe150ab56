package io.switchboard.api;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The outcome of a TLS handshake.
 *
 * @param protocol the TLS version, e.g. {@code TLSv1.3}
 * @param cipherSuite the negotiated cipher suite
 * @param serverName the SNI host name the client asked for, or {@code null}
 * @param peerCertificates the client's certificate chain, empty without client authentication
 */
public record TlsInfo(String protocol, String cipherSuite, String serverName, List<X509Certificate> peerCertificates) {
    /** Copies the certificate list. */
    public TlsInfo {
        peerCertificates = peerCertificates == null ? List.of() : List.copyOf(peerCertificates);
    }
}
