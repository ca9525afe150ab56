package io.switchboard.module.auth.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** The auth module's configuration (PID {@value AuthModule#PID}); a member's {@code _} is a {@code .} in the file. */
@ObjectClassDefinition(
        name = "Switchboard authentication and authorisation",
        description = "Who may log in (a Mosquitto password file) and which topics each client may publish to and "
                + "read (a Mosquitto ACL file); both files are re-read when they change.")
@interface AuthConfig {

    @AttributeDefinition(name = "Password file",
            description = "A password file as mosquitto_passwd writes it ($7$ PBKDF2-SHA512 or $6$ entries), absolute or "
                    + "relative to the broker's home; auth:passwd adds users. Empty: no passwords, every client is anonymous.",
            required = false)
    String password_file() default "";

    @AttributeDefinition(name = "ACL file",
            description = "Topic rules in Mosquitto's acl_file format (topic, user, pattern with %u and %c). "
                    + "Empty: every client may publish and subscribe to every topic it can name.",
            required = false)
    String acl_file() default "";

    @AttributeDefinition(name = "Anonymous clients",
            description = "Clients without a user name (or with one when there is no password file): loopback lets them "
                    + "in only on connections to a loopback address (the broker's own machine), true everywhere, false nowhere.",
            options = {@Option(value = "loopback"), @Option(value = "true"), @Option(value = "false")})
    String allow_anonymous() default "loopback";

    @AttributeDefinition(name = "Certificate as user name",
            description = "On TLS connections with a client certificate, take the user name from it instead of asking "
                    + "for a password: cn = its subject's common name (Mosquitto's use_identity_as_username), subject = "
                    + "the whole subject, RFC 2253 (use_subject_as_username), none = never.",
            options = {@Option(value = "none"), @Option(value = "cn"), @Option(value = "subject")})
    String use_identity_as_username() default "none";

    @AttributeDefinition(name = "Reload check",
            description = "How often (milliseconds) the files are checked for changes.")
    long reload_interval_ms() default 1000;

    @AttributeDefinition(name = "Ranking",
            description = "Place in the module chain: the highest of the shipped modules, so nothing sees a client "
                    + "or a message before it was allowed.")
    int service_ranking() default 3000;
}
