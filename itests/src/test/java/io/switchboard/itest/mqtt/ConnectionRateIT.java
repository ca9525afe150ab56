package io.switchboard.itest.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.switchboard.itest.mqtt.support.Broker;
import io.switchboard.itest.mqtt.support.BrokerExtension;
import io.switchboard.itest.mqtt.support.BrokerExtension.Dedicated;
import io.switchboard.itest.mqtt.support.Names;
import io.switchboard.itest.mqtt.support.Packet;
import io.switchboard.itest.mqtt.support.Packets;
import io.switchboard.itest.mqtt.support.RawClient;
import io.switchboard.itest.mqtt.support.RoundTrip;
import io.switchboard.itest.mqtt.support.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code max.connection.rate} (5 new connections per second per source address) on a distribution of its own: a
 * burst from 127.0.0.1 beyond it is closed as accepted, without a CONNACK, logged once; 127.0.0.2 is served
 * meanwhile, and 127.0.0.1 again a moment later.
 */
@ExtendWith(BrokerExtension.class)
@Dedicated(config = "io.switchboard.mqtt.cfg: max.connection.rate = 5")
class ConnectionRateIT {

    private static final int RATE = 5;
    private static final int BURST = 15;

    @Test
    void aBurstBeyondTheRateOfOneAddressIsClosedAtAcceptWhileOtherAddressesAreServed(Broker broker) throws Exception {
        broker.assumeDistribution();
        // the passing of time is the behaviour here: the start-up's readiness probes used tokens; after a second
        // the bucket is full again
        Thread.sleep(1500);

        List<RawClient> burst = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < BURST; i++) {
            try {
                burst.add(RawClient.open(broker, Transport.TCP));
            } catch (java.net.SocketException closedAtAccept) {
                // the broker's reset overtook the end of the connect (native transport, a loaded machine): not served
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        int served = 0;
        for (RawClient c : burst) {
            c.sendQuietly(Packets.connect(Packets.V5, Names.clientId("burst")).encode());
            if (connackOrClosed(c) != null) {
                served++;
            }
            c.close();
        }
        int mostServed = RATE + (int) Math.ceil(seconds * RATE) + 1;
        assertThat(served).as("served of %d opened in %.2f s (a burst of %d, then %d per second)", BURST, seconds, RATE, RATE)
                .isBetween(RATE, mostServed);

        try (RawClient other = RawClient.openFrom(broker, InetAddress.getByName("127.0.0.2"))) {
            assertThat(other.connect(Packets.connect(Packets.V5, Names.clientId("other-source"))).reasonCode())
                    .as("another source address has its own budget").isZero();
        }

        await("the refusal's log line").until(() -> refusalLines(broker) >= 1);
        assertThat(refusalLines(broker)).as("%d refusals, one log line", BURST - served).isEqualTo(1);

        RawClient later = await("a connection from 127.0.0.1 once tokens are back").atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(100)).until(() -> connected(broker), Optional::isPresent).get();
        try (later) {
            RoundTrip.on(later, 1);
        }
    }

    /** The CONNACK (which must accept), or {@code null} when the broker closed the connection without one. */
    private static Packet connackOrClosed(RawClient c) {
        try {
            Packet connack = c.expect(Packet.CONNACK);
            assertThat(connack.reasonCode()).as(connack.toString()).isZero();
            return connack;
        } catch (AssertionError e) {
            assertThat(c.isClosed()).as("closed without a packet, or else: " + e.getMessage()).isTrue();
            return null;
        }
    }

    private static Optional<RawClient> connected(Broker broker) throws Exception {
        RawClient c = RawClient.open(broker, Transport.TCP);
        c.sendQuietly(Packets.connect(Packets.V5, Names.clientId("later")).encode());
        if (connackOrClosed(c) == null) {
            c.close();
            return Optional.empty();
        }
        return Optional.of(c);
    }

    private static long refusalLines(Broker broker) {
        return broker.log().lines().filter(l -> l.contains("max.connection.rate") && l.contains("from 127.0.0.1 ")).count();
    }
}
