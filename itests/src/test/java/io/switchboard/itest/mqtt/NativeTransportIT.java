package io.switchboard.itest.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.switchboard.itest.mqtt.support.Broker;
import io.switchboard.itest.mqtt.support.BrokerExtension;
import io.switchboard.itest.mqtt.support.RoundTrip;
import io.switchboard.itest.mqtt.support.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The distribution as shipped runs its listeners on Netty's native epoll transport on Linux x86-64: the bundle
 * with the library (a fragment carrying {@code Bundle-NativeCode}) resolves under Felix, the library is loaded
 * into the broker process, the log names the transport, and clients connect on every listener.
 */
@ExtendWith(BrokerExtension.class)
class NativeTransportIT {

    static final String NATIVE_LIBRARY = "libnetty_transport_native_epoll_x86_64";

    @Test
    void theListenersRunOnNativeEpoll(Broker broker) throws Exception {
        broker.assumeDistribution();
        assumeTrue(System.getProperty("os.name").equals("Linux") && System.getProperty("os.arch").equals("amd64"),
                "the distribution ships the Linux x86-64 library only");

        assertThat(broker.log()).contains("MQTT event loops started: epoll transport");
        assertThat(broker.mappedLibraries()).anySatisfy(library -> assertThat(library).contains(NATIVE_LIBRARY));
        for (Transport transport : Transport.values()) {
            if (broker.has(transport)) {
                RoundTrip.check(broker, transport);
            }
        }
    }
}
