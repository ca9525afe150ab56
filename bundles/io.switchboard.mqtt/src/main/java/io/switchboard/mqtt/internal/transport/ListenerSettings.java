package io.switchboard.mqtt.internal.transport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One listener's configuration, checked: the only place values are validated. {@link #parse} returns
 * immutable settings or throws {@code IllegalArgumentException("<attribute>: <problem>")}.
 *
 * @param name the listener's name
 * @param transport {@link #TCP} or {@link #WEBSOCKET}
 * @param host the address to bind
 * @param port the port to bind (0: any free port)
 * @param path the WebSocket path (websocket only)
 * @param tls the TLS settings, or {@code null} without TLS
 * @param maxPacketSize the largest MQTT packet (and WebSocket frame) accepted, in bytes
 * @param mandatoryModules the modules that must be active before a CONNECT is accepted
 * @param maxConnections the MQTT connections served at once, 0 for no limit of the listener's own
 */
record ListenerSettings(String name, String transport, String host, int port, String path, Tls tls, int maxPacketSize,
        List<String> mandatoryModules, int maxConnections) {

    static final String TCP = "tcp";
    static final String WEBSOCKET = "websocket";
    /** 1 MiB: far above what MQTT clients usually send, small enough that a few hundred clients cannot exhaust memory. */
    static final int DEFAULT_MAX_PACKET_SIZE = 1024 * 1024;
    /** The largest packet MQTT can express (a four-byte remaining length). */
    static final int MQTT_MAX_PACKET_SIZE = 268_435_455;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:-]+");

    /**
     * TLS settings.
     *
     * @param keystore the absolute path of the key store
     * @param clientAuth {@code none}, {@code want} or {@code need}
     * @param truststore the absolute path of the trust store, or {@code null} when clients are not asked
     */
    record Tls(Path keystore, String keystorePassword, String keystoreType, String keyPassword, String clientAuth,
            Path truststore, String truststorePassword, String truststoreType) {

        @Override
        public String toString() { // no passwords
            return "TLS " + keystore.getFileName() + (clientAuth.equals("none") ? "" : ", client certificates " + clientAuth);
        }
    }

    /**
     * Checks a configuration.
     *
     * @param config the typed configuration
     * @param properties the raw configuration properties (to tell an absent port from port 0)
     * @param pidName the {@code <name>} of the factory configuration {@code <factoryPid>~<name>}, or {@code null}
     * @param home the directory relative key store paths start from ({@code switchboard.home})
     * @throws IllegalArgumentException naming the attribute and the problem
     */
    static ListenerSettings parse(ListenerConfig config, Map<String, ?> properties, String pidName, Path home) {
        String name = trim(config.name());
        if (name.isEmpty()) {
            name = pidName == null ? "" : pidName;
        }
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name: must be letters, digits, '.', '_', ':' or '-', was '" + name + "'");
        }
        String transport = trim(config.transport()).toLowerCase(Locale.ROOT);
        if (!transport.equals(TCP) && !transport.equals(WEBSOCKET)) {
            throw new IllegalArgumentException("transport: must be tcp or websocket, was '" + config.transport() + "'");
        }
        String host = trim(config.host());
        if (host.isEmpty()) {
            throw new IllegalArgumentException("host: must not be empty (0.0.0.0 binds every IPv4 interface)");
        }
        if (properties.get("port") == null) {
            throw new IllegalArgumentException("port: required");
        }
        int port = config.port();
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: must be 1..65535 (0: any free port), was " + port);
        }
        String path = trim(config.path());
        if (transport.equals(WEBSOCKET) && (!path.startsWith("/") || path.contains("?") || path.contains(" "))) {
            throw new IllegalArgumentException("path: must start with / and hold no query or space, was '" + path + "'");
        }
        int maxPacketSize = config.max_packet_size();
        if (maxPacketSize < 2 || maxPacketSize > MQTT_MAX_PACKET_SIZE) {
            throw new IllegalArgumentException("max.packet.size: must be 2.." + MQTT_MAX_PACKET_SIZE + " bytes, was " + maxPacketSize);
        }
        int maxConnections = config.max_connections();
        if (maxConnections < 0) {
            throw new IllegalArgumentException("max.connections: must be 0 (no limit) or more, was " + maxConnections);
        }
        return new ListenerSettings(name, transport, host, port, transport.equals(WEBSOCKET) ? path : null,
                config.tls() ? tls(config, home) : null, maxPacketSize, modules(config.mandatory_modules()), maxConnections);
    }

    private static Tls tls(ListenerConfig config, Path home) {
        Path keystore = store("tls.keystore", config.tls_keystore(), home);
        String keystoreType = storeType("tls.keystore.type", config.tls_keystore_type());
        String clientAuth = trim(config.tls_client_auth()).toLowerCase(Locale.ROOT);
        if (!List.of("none", "want", "need").contains(clientAuth)) {
            throw new IllegalArgumentException("tls.client.auth: must be none, want or need, was '" + config.tls_client_auth() + "'");
        }
        Path truststore = null;
        String truststoreType = null;
        if (!clientAuth.equals("none")) {
            if (trim(config.tls_truststore()).isEmpty()) {
                throw new IllegalArgumentException("tls.truststore: required when tls.client.auth is " + clientAuth);
            }
            truststore = store("tls.truststore", config.tls_truststore(), home);
            truststoreType = storeType("tls.truststore.type", config.tls_truststore_type());
        }
        String keyPassword = config.tls_key_password();
        return new Tls(keystore, nonNull(config.tls_keystore_password()), keystoreType,
                keyPassword == null || keyPassword.isEmpty() ? nonNull(config.tls_keystore_password()) : keyPassword,
                clientAuth, truststore, nonNull(config.tls_truststore_password()), truststoreType);
    }

    private static Path store(String attribute, String value, Path home) {
        String file = trim(value);
        if (file.isEmpty()) {
            throw new IllegalArgumentException(attribute + ": required when tls is true");
        }
        Path path = home.resolve(file).toAbsolutePath().normalize();
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new IllegalArgumentException(attribute + ": no readable file " + path);
        }
        return path;
    }

    private static String storeType(String attribute, String value) {
        String type = trim(value).toUpperCase(Locale.ROOT);
        if (!type.equals("PKCS12") && !type.equals("JKS")) {
            throw new IllegalArgumentException(attribute + ": must be PKCS12 or JKS, was '" + value + "'");
        }
        return type;
    }

    /** The module names: array entries, each possibly a comma-separated list (as a .cfg file gives them). */
    private static List<String> modules(String[] values) {
        List<String> names = new ArrayList<>();
        for (String value : values == null ? new String[0] : values) {
            for (String name : value.split(",")) {
                if (!name.isBlank() && !names.contains(name.trim())) {
                    names.add(name.trim());
                }
            }
        }
        return List.copyOf(names);
    }

    private static String trim(String value) {
        return value == null ? "" : value.trim();
    }

    private static String nonNull(String value) {
        return value == null ? "" : value;
    }

    /** {@code tcp}, {@code tcp+tls}, {@code websocket}, {@code websocket+tls}. */
    String describeTransport() {
        return tls == null ? transport : transport + "+tls";
    }
}
