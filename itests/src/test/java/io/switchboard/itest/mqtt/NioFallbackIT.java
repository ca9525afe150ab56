package io.switchboard.itest.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.itest.mqtt.support.Broker;
import io.switchboard.itest.mqtt.support.BrokerExtension;
import io.switchboard.itest.mqtt.support.BrokerExtension.Dedicated;
import io.switchboard.itest.mqtt.support.RoundTrip;
import io.switchboard.itest.mqtt.support.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * With {@code native.transport = false} the listeners run on the JDK's NIO instead of epoll: one INFO line says so
 * and why, the native library is not loaded, and clients connect on every listener as before.
 */
@ExtendWith(BrokerExtension.class)
@Dedicated(config = "io.switchboard.mqtt.eventloops.cfg: native.transport = false")
class NioFallbackIT {

    @Test
    void theListenersRunOnNioWhenNativeIsOff(Broker broker) throws Exception {
        broker.assumeDistribution();

        assertThat(broker.log().lines().filter(l -> l.contains("MQTT event loops started")))
                .singleElement().satisfies(line -> assertThat(line)
                        .contains("INFO")
                        .contains("nio transport")
                        .contains("(native.transport = false in the configuration)"));
        assertThat(broker.mappedLibraries()).noneSatisfy(
                library -> assertThat(library).contains(NativeTransportIT.NATIVE_LIBRARY));
        for (Transport transport : Transport.values()) {
            if (broker.has(transport)) {
                RoundTrip.check(broker, transport);
            }
        }
    }
}
