package io.switchboard.module.auth.internal;

import java.security.cert.X509Certificate;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/** User names from client certificates, as Mosquitto's {@code use_identity_as_username} / {@code use_subject_as_username}. */
final class Certificates {

    private Certificates() {
    }

    /**
     * The subject's common name ({@code commonName}) or the whole subject in RFC 2253 form; null when the
     * certificate has no common name.
     */
    static String userName(X509Certificate certificate, boolean commonName) {
        String subject = certificate.getSubjectX500Principal().getName(javax.security.auth.x500.X500Principal.RFC2253);
        if (!commonName) {
            return subject;
        }
        try {
            for (Rdn rdn : new LdapName(subject).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return rdn.getValue().toString();
                }
            }
        } catch (InvalidNameException e) {
            return null;
        }
        return null;
    }
}
