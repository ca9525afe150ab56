package io.switchboard.itest.mqtt.support;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttClientPersistence;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/** An Eclipse Paho MQTT 3.1.1 client on one of the broker's transports, with an {@link Inbox}. */
public final class Paho3 implements AutoCloseable {

    /** A message as the client received it. */
    public record Received(String topic, MqttMessage message) {
        public String text() {
            return new String(message.getPayload(), StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return topic + ": " + text() + " (qos " + message.getQos() + (message.isRetained() ? ", retained" : "")
                    + (message.isDuplicate() ? ", dup" : "") + ")";
        }
    }

    private final Broker broker;
    private final Transport transport;
    private final MqttClient client;
    private final Inbox<Received> inbox;
    private final CompletableFuture<Throwable> lost = new CompletableFuture<>();

    private Paho3(Broker broker, Transport transport, String clientId, MqttClientPersistence persistence) throws MqttException {
        this.broker = broker;
        this.transport = transport;
        this.client = new MqttClient(broker.pahoUri(transport), clientId, persistence);
        this.inbox = new Inbox<>("Paho 3.1.1 client " + clientId + " over " + transport);
        client.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                lost.complete(cause);
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                inbox.add(new Received(topic, message));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
    }

    /** A client (not yet connected) with in-memory persistence. */
    public static Paho3 create(Broker broker, Transport transport, String clientId) throws MqttException {
        return new Paho3(broker, transport, clientId, new MemoryPersistence());
    }

    /** A client (not yet connected) keeping its in-flight state in {@code persistence} (survives a new client object). */
    public static Paho3 create(Broker broker, Transport transport, String clientId, MqttClientPersistence persistence)
            throws MqttException {
        return new Paho3(broker, transport, clientId, persistence);
    }

    /** Creates and connects a client with a clean session. */
    public static Paho3 connect(Broker broker, Transport transport, String clientId) throws MqttException {
        Paho3 client = create(broker, transport, clientId);
        client.connect(o -> { });
        return client;
    }

    /** Connection options for MQTT 3.1.1 on this transport (TLS trust, timeouts); clean session by default. */
    public MqttConnectOptions options() {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(true);
        options.setKeepAliveInterval(30);
        options.setConnectionTimeout(10);
        options.setAutomaticReconnect(false);
        options.setMaxInflight(100);
        if (transport.tls()) {
            options.setSocketFactory(broker.keys().socketFactory());
        }
        return options;
    }

    /** Connects with {@link #options()} as changed by {@code customizer}; returns the token (session present flag). */
    public IMqttToken connect(Consumer<MqttConnectOptions> customizer) throws MqttException {
        MqttConnectOptions options = options();
        customizer.accept(options);
        return client.connectWithResult(options);
    }

    /** Subscribes and returns the granted QoS (0x80 for a failure). */
    public int subscribe(String filter, int qos) throws MqttException {
        IMqttToken token = client.subscribeWithResponse(new String[] {filter}, new int[] {qos});
        return token.getGrantedQos()[0];
    }

    /** Publishes a text message and waits for its acknowledgement flow to finish. */
    public void publish(String topic, String payload, int qos, boolean retain) throws MqttException {
        client.publish(topic, payload.getBytes(StandardCharsets.UTF_8), qos, retain);
    }

    public Inbox<Received> inbox() {
        return inbox;
    }

    /** Completes with the cause when the broker drops the connection. */
    public CompletableFuture<Throwable> connectionLost() {
        return lost;
    }

    /** The underlying Paho client. */
    public MqttClient client() {
        return client;
    }

    /** Disconnects (DISCONNECT packet) if connected. */
    public void disconnect() throws MqttException {
        if (client.isConnected()) {
            client.disconnect(2000);
        }
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnect(0); // disconnectForcibly always waits its whole timeout
            }
        } catch (MqttException e) {
            try {
                client.disconnectForcibly(0, 100);
            } catch (MqttException again) {
                // closing anyway
            }
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            // closing anyway
        }
    }
}
