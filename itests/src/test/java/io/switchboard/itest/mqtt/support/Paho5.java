package io.switchboard.itest.mqtt.support;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/** An Eclipse Paho MQTT 5 client on one of the broker's transports, with an {@link Inbox}. */
public final class Paho5 implements AutoCloseable {

    private static final long TOKEN_WAIT_MILLIS = 10_000;

    /** A message as the client received it. */
    public record Received(String topic, MqttMessage message) {
        public String text() {
            return new String(message.getPayload(), StandardCharsets.UTF_8);
        }

        public MqttProperties properties() {
            return message.getProperties();
        }

        @Override
        public String toString() {
            return topic + ": " + text() + " (qos " + message.getQos() + (message.isRetained() ? ", retained" : "")
                    + (message.isDuplicate() ? ", dup" : "") + ")";
        }
    }

    private final Broker broker;
    private final Transport transport;
    private final MqttAsyncClient client;
    private final Inbox<Received> inbox;
    private final CompletableFuture<MqttDisconnectResponse> disconnected = new CompletableFuture<>();

    private Paho5(Broker broker, Transport transport, String clientId) throws MqttException {
        this.broker = broker;
        this.transport = transport;
        this.client = new MqttAsyncClient(broker.pahoUri(transport), clientId, new MemoryPersistence());
        this.inbox = new Inbox<>("Paho 5 client " + clientId + " over " + transport);
        client.setCallback(new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse response) {
                disconnected.complete(response);
            }

            @Override
            public void mqttErrorOccurred(MqttException exception) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                inbox.add(new Received(topic, message));
            }

            @Override
            public void deliveryComplete(IMqttToken token) {
            }

            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
            }

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {
            }
        });
    }

    /** A client (not yet connected). */
    public static Paho5 create(Broker broker, Transport transport, String clientId) throws MqttException {
        return new Paho5(broker, transport, clientId);
    }

    /** Creates and connects a client with a clean start and no session expiry. */
    public static Paho5 connect(Broker broker, Transport transport, String clientId) throws MqttException {
        Paho5 client = create(broker, transport, clientId);
        client.connect(o -> { });
        return client;
    }

    /** Connection options on this transport (TLS trust, timeouts); clean start by default. */
    public MqttConnectionOptions options() {
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        options.setKeepAliveInterval(30);
        options.setConnectionTimeout(10);
        options.setAutomaticReconnect(false);
        if (transport.tls()) {
            options.setSocketFactory(broker.keys().socketFactory());
        }
        return options;
    }

    /** Connects with {@link #options()} as changed by {@code customizer}; returns the completed token (CONNACK). */
    public IMqttToken connect(Consumer<MqttConnectionOptions> customizer) throws MqttException {
        MqttConnectionOptions options = options();
        customizer.accept(options);
        IMqttToken token = client.connect(options);
        token.waitForCompletion(TOKEN_WAIT_MILLIS);
        return token;
    }

    /** Subscribes; returns the SUBACK reason codes. */
    public int[] subscribe(MqttSubscription... subscriptions) throws MqttException {
        return subscribe(null, subscriptions);
    }

    /** Subscribes with SUBSCRIBE properties (e.g. a subscription identifier); returns the SUBACK reason codes. */
    public int[] subscribe(MqttProperties properties, MqttSubscription... subscriptions) throws MqttException {
        IMqttToken token = client.subscribe(subscriptions, null, null, properties == null ? new MqttProperties() : properties);
        token.waitForCompletion(TOKEN_WAIT_MILLIS);
        return token.getReasonCodes();
    }

    /** Subscribes to one filter with a QoS; returns the SUBACK reason code. */
    public int subscribe(String filter, int qos) throws MqttException {
        return subscribe(new MqttSubscription(filter, qos))[0];
    }

    /** Publishes and waits for the acknowledgement flow; returns the token (PUBACK/PUBREC reason codes). */
    public IMqttToken publish(String topic, MqttMessage message) throws MqttException {
        IMqttToken token = client.publish(topic, message);
        token.waitForCompletion(TOKEN_WAIT_MILLIS);
        return token;
    }

    /** Publishes a text message and waits for the acknowledgement flow. */
    public IMqttToken publish(String topic, String payload, int qos, boolean retain) throws MqttException {
        return publish(topic, new MqttMessage(payload.getBytes(StandardCharsets.UTF_8), qos, retain, new MqttProperties()));
    }

    public Inbox<Received> inbox() {
        return inbox;
    }

    /** Completes when the connection ends, with the broker's DISCONNECT reason code if it sent one. */
    public CompletableFuture<MqttDisconnectResponse> disconnected() {
        return disconnected;
    }

    /** The underlying Paho client. */
    public MqttAsyncClient client() {
        return client;
    }

    /** Disconnects with a DISCONNECT packet (reason 0) if connected. */
    public void disconnect() throws MqttException {
        if (client.isConnected()) {
            client.disconnect(2000).waitForCompletion(TOKEN_WAIT_MILLIS);
        }
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnect(0).waitForCompletion(2000); // disconnectForcibly always waits its whole timeout
            }
        } catch (MqttException e) {
            try {
                client.disconnectForcibly(0, 100, false);
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
