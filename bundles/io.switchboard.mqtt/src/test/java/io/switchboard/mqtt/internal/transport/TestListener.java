package io.switchboard.mqtt.internal.transport;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * One listener driven as DS drives it, without a framework: the factory configuration
 * {@code io.switchboard.mqtt.listener~<configName>} merged over the component's properties, the stub
 * protocol and broker, and event loops shared by the test class. A configuration change deactivates the
 * instance and activates a new one, as DS does for a component without a modified method.
 */
final class TestListener implements AutoCloseable {

    final StubPipeline protocol = new StubPipeline();
    final StubAdmin admin = new StubAdmin();
    /** The instance; a new one after each {@link #reconfigure}. */
    MqttListener listener;
    private final EventLoops loops;
    private final String configName;
    private final Path home;

    TestListener(String configName, EventLoops loops, Path home) {
        this.configName = configName;
        this.loops = loops;
        this.home = home;
    }

    /** Activates a new instance with {@code configuration}. */
    TestListener start(Map<String, ?> configuration) {
        listener = new MqttListener();
        listener.pipeline = protocol;
        listener.loops = loops;
        listener.admin = admin;
        Map<String, Object> properties = properties(configuration);
        listener.start(Configs.of(ListenerConfig.class, properties), properties, home);
        return this;
    }

    /** A changed configuration: the instance is deactivated, a new one activated. */
    void reconfigure(Map<String, ?> configuration) {
        close();
        start(configuration);
    }

    int port() {
        InetSocketAddress address = listener.address();
        if (address == null) {
            throw new AssertionError("listener not bound");
        }
        return address.getPort();
    }

    @Override
    public void close() {
        if (listener != null) {
            listener.deactivate();
        }
    }

    private Map<String, Object> properties(Map<String, ?> configuration) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("component.name", MqttListener.PID);
        properties.putAll(configuration);
        properties.put("service.pid", MqttListener.PID + "~" + configName);
        properties.put("service.factoryPid", MqttListener.PID);
        return properties;
    }
}
