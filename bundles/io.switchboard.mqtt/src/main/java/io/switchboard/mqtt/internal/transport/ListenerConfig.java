package io.switchboard.mqtt.internal.transport;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * The configuration of one MQTT listener (factory PID {@value MqttListener#PID}).
 *
 * <p>A member name maps to a property name with {@code _} as {@code .} ({@code tls_keystore} is
 * {@code tls.keystore}). Values are only read here; {@link ListenerSettings#parse} checks them.
 */
@ObjectClassDefinition(
        name = "Switchboard MQTT listener",
        description = "A TCP or WebSocket port accepting MQTT 3.1.1 and 5.0 clients, with or without TLS. "
                + "One factory configuration per listener.")
@interface ListenerConfig {

    @AttributeDefinition(name = "Name",
            description = "The listener's name in logs and in Connection.listener(). Empty: <name> of the "
                    + "factory configuration io.switchboard.mqtt.listener~<name>.",
            required = false)
    String name() default "";

    @AttributeDefinition(name = "Transport",
            options = {
                @Option(value = "tcp", label = "MQTT over TCP"),
                @Option(value = "websocket", label = "MQTT over WebSocket")
            })
    String transport() default "tcp";

    @AttributeDefinition(name = "Host", description = "The address to bind: 0.0.0.0 for every IPv4 interface, "
            + ":: for every interface, 127.0.0.1 for this machine only, or a host name.")
    String host() default "127.0.0.1";

    @AttributeDefinition(name = "Port", description = "1..65535 (0 picks a free port, for tests).")
    int port();

    @AttributeDefinition(name = "WebSocket path",
            description = "websocket only: the HTTP path of the WebSocket upgrade, starting with /.")
    String path() default "/mqtt";

    @AttributeDefinition(name = "TLS", description = "Encrypt with TLS (1.2, 1.3): needs tls.keystore.")
    boolean tls() default false;

    @AttributeDefinition(name = "Key store",
            description = "The server's key and certificate chain (PKCS12 or JKS); a relative path is relative to "
                    + "the broker's home directory (switchboard.home).",
            required = false)
    String tls_keystore() default "";

    @AttributeDefinition(name = "Key store password", type = AttributeType.PASSWORD, required = false)
    String tls_keystore_password() default "";

    @AttributeDefinition(name = "Key store type",
            options = {@Option(value = "PKCS12", label = "PKCS12"), @Option(value = "JKS", label = "JKS")})
    String tls_keystore_type() default "PKCS12";

    @AttributeDefinition(name = "Key password", type = AttributeType.PASSWORD,
            description = "The private key's password when it differs from the key store's; empty: the key "
                    + "store's password.",
            required = false)
    String tls_key_password() default "";

    @AttributeDefinition(name = "Client certificates",
            description = "none: not asked; want: asked, a client without one is still accepted; need: a "
                    + "client without a certificate trusted by tls.truststore is refused.",
            options = {
                @Option(value = "none", label = "Not asked"),
                @Option(value = "want", label = "Asked, optional"),
                @Option(value = "need", label = "Required")
            })
    String tls_client_auth() default "none";

    @AttributeDefinition(name = "Trust store",
            description = "The certificates that client certificates must chain to (want, need); relative to "
                    + "switchboard.home.",
            required = false)
    String tls_truststore() default "";

    @AttributeDefinition(name = "Trust store password", type = AttributeType.PASSWORD, required = false)
    String tls_truststore_password() default "";

    @AttributeDefinition(name = "Trust store type",
            options = {@Option(value = "PKCS12", label = "PKCS12"), @Option(value = "JKS", label = "JKS")})
    String tls_truststore_type() default "PKCS12";

    @AttributeDefinition(name = "Maximum packet size",
            description = "The largest MQTT packet accepted, in bytes (1 MiB by default; MQTT allows up to "
                    + "268435455). Also the largest WebSocket frame.")
    int max_packet_size() default ListenerSettings.DEFAULT_MAX_PACKET_SIZE;

    @AttributeDefinition(name = "Maximum connections",
            description = "MQTT connections this listener serves at once (Mosquitto's max_connections per listener); "
                    + "beyond, a CONNECT is refused with CONNACK 0x97 (3.1.1: return code 3) and the connection closed. "
                    + "The protocol's max.connections limits all listeners together as well. 0: no limit of its own.")
    int max_connections() default 0;

    @AttributeDefinition(name = "Mandatory modules",
            description = "Module names (as sb:modules shows them) that must be active before this listener "
                    + "accepts a CONNECT; until then clients are refused with the missing names. An array, or a "
                    + "comma-separated list; empty for none.",
            required = false)
    String[] mandatory_modules() default {};
}
