package io.switchboard.itest.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.switchboard.itest.mqtt.support.Broker;
import io.switchboard.itest.mqtt.support.BrokerExtension;
import io.switchboard.itest.mqtt.support.BrokerExtension.Dedicated;
import io.switchboard.itest.mqtt.support.Names;
import io.switchboard.itest.mqtt.support.Packet;
import io.switchboard.itest.mqtt.support.Packets;
import io.switchboard.itest.mqtt.support.RawClient;
import io.switchboard.itest.mqtt.support.RoundTrip;
import io.switchboard.itest.mqtt.support.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Connection floods against {@code max.connections}, on a distribution of its own: each listener serves 4
 * MQTT connections at most, the broker 8. Beyond, a CONNECT gets CONNACK 0x97 (MQTT 5) or return code 3
 * (3.1.1) and is closed; the clients already connected and the other listeners go on; once the flood's
 * connections close, their places are free again.
 */
@ExtendWith(BrokerExtension.class)
@Dedicated(config = "io.switchboard.mqtt.cfg: max.connections = 8", listener = "max.connections = 4")
class ConnectionLimitsIT {

    private static final int PER_LISTENER = 4;
    private static final Duration PLACES_FREED = Duration.ofSeconds(10);

    private final List<RawClient> open = new ArrayList<>();

    @AfterEach
    void closeAll() {
        open.forEach(RawClient::close);
        open.clear();
    }

    /**
     * A connected MQTT 5 client on {@code transport}. Retried while refused with 0x97: the connections of
     * an earlier test give their places back as the broker notices them closed.
     */
    private RawClient admitted(Broker broker, Transport transport, String label) throws Exception {
        String id = Names.clientId(label);
        RawClient[] client = new RawClient[1];
        await("a place on " + transport).atMost(PLACES_FREED).pollInterval(Duration.ofMillis(50)).until(() -> {
            RawClient c = RawClient.open(broker, transport);
            Packet connack = c.connect(Packets.connect(Packets.V5, id));
            if (connack.reasonCode() == 0) {
                client[0] = c;
                return true;
            }
            assertThat(connack.reasonCode()).as("only a full listener may refuse: " + connack).isEqualTo(0x97);
            c.close();
            return false;
        });
        open.add(client[0]);
        return client[0];
    }

    /** A CONNECT refused: returns the CONNACK, after checking the broker closed the connection. */
    private static Packet refused(Broker broker, Transport transport, int version, String clientId) throws Exception {
        try (RawClient c = RawClient.open(broker, transport)) {
            Packet connack = c.connect(Packets.connect(version, clientId));
            c.awaitClosed(Duration.ofSeconds(5));
            assertThat(c.isClosed()).as("closed after " + connack).isTrue();
            return connack;
        }
    }

    @Test
    void aFloodBeyondTheListenersLimitIsRefusedWhileConnectedClientsAndOtherListenersGoOn(Broker broker) throws Exception {
        broker.assumeDistribution();
        RawClient steady = admitted(broker, Transport.TCP, "steady");
        for (int i = 1; i < PER_LISTENER; i++) {
            admitted(broker, Transport.TCP, "flood");
        }

        String refusedId = Names.clientId("flood-refused");
        for (int i = 0; i < 5; i++) {
            Packet connack = refused(broker, Transport.TCP, Packets.V5, refusedId);
            assertThat(connack.reasonCode()).as("CONNACK 0x97 Quota exceeded: " + connack).isEqualTo(0x97);
            assertThat(connack.reasonString()).contains("listener 'tcp'", "max.connections");
        }
        assertThat(refused(broker, Transport.TCP, Packets.V311, Names.clientId("flood311")).reasonCode())
                .as("3.1.1: return code 3, server unavailable").isEqualTo(3);
        await("the refusal's log line").until(() -> broker.log().lines().anyMatch(l -> l.contains("'" + refusedId + "'")
                && l.contains("127.0.0.1:") && l.contains("CONNECT refused with 0x97") && l.contains("listener 'tcp'")
                && l.contains("maximum of 4") && l.contains("max.connections")));

        RoundTrip.on(steady, 1);
        RoundTrip.on(admitted(broker, Transport.WEBSOCKET, "other-listener"), 1);

        closeAll();
        for (int i = 0; i < PER_LISTENER; i++) {
            admitted(broker, Transport.TCP, "after-flood"); // every place is free again
        }
    }

    @Test
    void beyondTheBrokersLimitEveryListenerRefuses(Broker broker) throws Exception {
        broker.assumeDistribution();
        for (int i = 0; i < PER_LISTENER; i++) {
            admitted(broker, Transport.TCP, "total-tcp");
            admitted(broker, Transport.WEBSOCKET, "total-ws");
        }

        Packet connack = refused(broker, Transport.TLS, Packets.V5, Names.clientId("total-tls"));
        assertThat(connack.reasonCode()).as("the TLS listener has no connection, the broker 8: " + connack).isEqualTo(0x97);
        assertThat(connack.reasonString()).contains("the broker has its maximum of 8 connections");
        assertThat(refused(broker, Transport.WEBSOCKET_TLS, Packets.V311, Names.clientId("total-wss")).reasonCode())
                .isEqualTo(3);

        open.remove(0).close();
        RawClient tls = admitted(broker, Transport.TLS, "total-tls-after");
        RoundTrip.on(tls, 1);
    }
}
