package io.switchboard.itest.mqtt.support;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientBuilder;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;

/** HiveMQ MQTT clients (3.1.1 and 5) on one of the broker's transports. Not connected yet. */
public final class Hive {

    private Hive() {
    }

    /** An MQTT 5 client; {@code clientId} {@code null} connects with an empty client id. */
    public static Mqtt5BlockingClient v5(Broker broker, Transport transport, String clientId) {
        return builder(broker, transport, clientId).useMqttVersion5().buildBlocking();
    }

    /** An MQTT 3.1.1 client. */
    public static Mqtt3BlockingClient v3(Broker broker, Transport transport, String clientId) {
        return builder(broker, transport, clientId).useMqttVersion3().buildBlocking();
    }

    /** Disconnects if connected; never throws (for finally blocks, so they do not hide a test's failure). */
    public static void disconnect(Mqtt5BlockingClient client) {
        try {
            if (client.getState().isConnected()) {
                client.disconnect();
            }
        } catch (RuntimeException e) {
            // closing anyway
        }
    }

    /** Disconnects if connected; never throws. */
    public static void disconnect(Mqtt3BlockingClient client) {
        try {
            if (client.getState().isConnected()) {
                client.disconnect();
            }
        } catch (RuntimeException e) {
            // closing anyway
        }
    }

    private static MqttClientBuilder builder(Broker broker, Transport transport, String clientId) {
        MqttClientBuilder builder = MqttClient.builder()
                .serverHost(transport.tls() ? "localhost" : broker.host())
                .serverPort(broker.port(transport));
        if (clientId != null) {
            builder = builder.identifier(clientId); // none: an empty client id, for the broker to assign one
        }
        if (transport.tls()) {
            builder = builder.sslConfig().trustManagerFactory(broker.keys().trustManagerFactory()).applySslConfig();
        }
        if (transport.websocket()) {
            builder = builder.webSocketConfig().serverPath(Broker.WEBSOCKET_PATH.substring(1)).subprotocol("mqtt")
                    .applyWebSocketConfig();
        }
        return builder;
    }
}
