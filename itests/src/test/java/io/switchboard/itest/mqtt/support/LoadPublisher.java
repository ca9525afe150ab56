package io.switchboard.itest.mqtt.support;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A Paho 3.1.1 client publishing QoS 1 (or 2) continuously ({@code <prefix>0}, {@code <prefix>1}, ...), several
 * messages in flight, on a persistent session; after a lost connection it connects again (Paho then resends what was
 * not acknowledged, with DUP, under the same packet ids) and goes on. Records the payloads the broker acknowledged
 * (PUBACK; at QoS 2 PUBCOMP), in order.
 */
public final class LoadPublisher implements AutoCloseable {

    private static final int IN_FLIGHT = 20;

    private final MqttAsyncClient client;
    private final MqttConnectOptions options = new MqttConnectOptions();
    private final String topic;
    private final String prefix;
    private final int qos;
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    private final List<String> acknowledgedInOrder = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final Thread loop;
    private volatile boolean running = true;
    private volatile boolean reconnect = true;
    private int next;

    public LoadPublisher(Broker broker, String clientId, String topic, String prefix) throws MqttException {
        this(broker, clientId, topic, prefix, 1);
    }

    public LoadPublisher(Broker broker, String clientId, String topic, String prefix, int qos) throws MqttException {
        this.client = new MqttAsyncClient(broker.pahoUri(Transport.TCP), clientId, new MemoryPersistence());
        this.topic = topic;
        this.prefix = prefix;
        this.qos = qos;
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(false);
        options.setKeepAliveInterval(30);
        options.setConnectionTimeout(5);
        options.setMaxInflight(IN_FLIGHT);
        client.setCallback(new MqttCallbackExtended() {
            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
                connections.incrementAndGet(); // also when a connect outlived its waitForCompletion
            }

            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        client.connect(options).waitForCompletion(10_000);
        loop = new Thread(this::run, "load-publisher-" + clientId);
        loop.setDaemon(true);
        loop.start();
    }

    private void run() {
        while (running) {
            try {
                if (!client.isConnected()) {
                    if (!reconnect) {
                        return;
                    }
                    client.connect(options).waitForCompletion(5_000);
                } else if (client.getPendingDeliveryTokens().length < IN_FLIGHT) {
                    String payload = prefix + next;
                    client.publish(topic, payload.getBytes(StandardCharsets.UTF_8), qos, false, null, new IMqttActionListener() {
                        @Override
                        public void onSuccess(IMqttToken token) {
                            if (acknowledged.add(payload)) {
                                acknowledgedInOrder.add(payload);
                            }
                        }

                        @Override
                        public void onFailure(IMqttToken token, Throwable e) {
                        }
                    });
                    next++;
                } else {
                    Thread.sleep(1);
                }
            } catch (MqttException e) {
                sleep(100); // not connected (any more): connect again, unless stopped
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** How many messages the broker acknowledged so far. */
    public int acknowledgedCount() {
        return acknowledged.size();
    }

    /** The payloads acknowledged so far, in the order the acknowledgements came. */
    public List<String> acknowledged() {
        return List.copyOf(acknowledgedInOrder);
    }

    /** How many times the client connected (1 plus its reconnections). */
    public int connections() {
        return connections.get();
    }

    /** Waits until the broker acknowledged at least {@code count} messages in all. */
    public void awaitAcknowledged(int count, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (acknowledged.size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("only " + acknowledged.size() + " of " + count + " publishes acknowledged within "
                        + limit.toSeconds() + " s (connections " + connections.get() + ")");
            }
            Thread.sleep(10);
        }
    }

    /** From now on a lost connection ends the publishing (its broker is gone for good). */
    public void noReconnect() {
        reconnect = false;
    }

    /** Stops publishing; returns the payloads acknowledged. */
    public List<String> stop() throws InterruptedException {
        running = false;
        loop.join(10_000);
        return acknowledged();
    }

    @Override
    public void close() {
        running = false;
        try {
            if (client.isConnected()) {
                client.disconnectForcibly(1000, 1000);
            }
            client.close(true);
        } catch (MqttException e) {
            // closing at the end of a test: nothing left to do
        }
    }
}
