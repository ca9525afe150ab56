package io.switchboard.observability.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.switchboard.api.admin.BrokerAdmin;
import io.switchboard.api.admin.BrokerStats;
import io.switchboard.api.admin.ListenerStats;
import io.switchboard.api.admin.TrafficStatistics;
import io.switchboard.api.admin.TrafficStats;

/**
 * The front doors' traffic ({@link TrafficStatistics}) as Prometheus metrics, read at scrape time: per listener
 * (label {@code listener}) connections, bytes, packets and PUBLISH messages; messages dropped by reason (label
 * {@code reason}: the front doors' {@code queue_full}, {@code too_large}, {@code expired} (with the core's expired
 * messages), and {@code refused}: consumed by a module or refused by the broker); messages held for clients. A
 * listener name reported by two front doors is reported once (the first).
 */
final class TrafficMetrics implements MultiCollector {

    /** The drop reason of messages a module consumed or the broker refused (the core's {@code consumed} counter). */
    static final String REFUSED = "refused";

    private final Supplier<BrokerAdmin> admin;
    private final Supplier<List<TrafficStatistics>> frontDoors;

    TrafficMetrics(Supplier<BrokerAdmin> admin, Supplier<List<TrafficStatistics>> frontDoors) {
        this.admin = admin;
        this.frontDoors = frontDoors;
    }

    @Override
    public MetricSnapshots collect() {
        List<TrafficStats> traffic = new ArrayList<>();
        for (TrafficStatistics t : frontDoors.get()) {
            traffic.add(t.traffic());
        }
        Map<String, ListenerStats> listeners = new LinkedHashMap<>();
        Map<String, Long> dropped = new LinkedHashMap<>();
        long queued = 0;
        long inFlight = 0;
        long offline = 0;
        for (TrafficStats t : traffic) {
            for (ListenerStats l : t.listeners()) {
                listeners.putIfAbsent(l.name(), l);
            }
            t.dropped().forEach((reason, n) -> dropped.merge(reason, n, Long::sum));
            queued += t.queuedMessages();
            inFlight += t.inFlightMessages();
            offline += t.offlineSessions();
        }
        BrokerAdmin a = admin.get();
        if (a != null) {
            BrokerStats s = a.stats();
            dropped.merge(TrafficStats.EXPIRED, s.expired(), Long::sum);
            dropped.put(REFUSED, s.consumed());
        }
        List<MetricSnapshot> out = new ArrayList<>();
        List<ListenerStats> all = new ArrayList<>(listeners.values());
        out.add(Snapshots.gauge("switchboard_listener_connections",
                "MQTT connections open now (CONNECT received), per listener.", perListener(all, ListenerStats::connections)));
        out.add(Snapshots.counter("switchboard_listener_connections_accepted",
                "Connections whose CONNECT was accepted, per listener.", perListener(all, ListenerStats::accepted)));
        out.add(Snapshots.counter("switchboard_listener_connections_refused",
                "Connection attempts refused (at accept, by the connect chain, or by a refusing CONNACK), per listener.",
                perListener(all, ListenerStats::refused)));
        out.add(Snapshots.counter("switchboard_listener_received_bytes",
                "Bytes read from clients' sockets (TLS records, WebSocket frames included), per listener.",
                perListener(all, ListenerStats::bytesReceived)));
        out.add(Snapshots.counter("switchboard_listener_sent_bytes",
                "Bytes written to clients' sockets (TLS records, WebSocket frames included), per listener.",
                perListener(all, ListenerStats::bytesSent)));
        out.add(Snapshots.counter("switchboard_listener_messages_received",
                "PUBLISH packets received from clients, per listener.", perListener(all, ListenerStats::messagesReceived)));
        out.add(Snapshots.counter("switchboard_listener_messages_sent",
                "PUBLISH packets sent to clients, per listener.", perListener(all, ListenerStats::messagesSent)));
        out.add(Snapshots.counter("switchboard_listener_packets_received",
                "MQTT packets of every type received, per listener.", perListener(all, ListenerStats::packetsReceived)));
        out.add(Snapshots.counter("switchboard_listener_packets_sent",
                "MQTT packets of every type sent, per listener.", perListener(all, ListenerStats::packetsSent)));
        List<Snapshots.Point> drops = new ArrayList<>();
        for (Map.Entry<String, Long> d : dropped.entrySet()) {
            drops.add(new Snapshots.Point(Labels.of("reason", d.getKey()), d.getValue()));
        }
        out.add(Snapshots.counter("switchboard_messages_dropped",
                "Messages dropped, by reason: queue_full, too_large (the client's maximum packet size), expired, "
                        + "refused (consumed by a module or refused by the broker).", drops));
        if (!traffic.isEmpty()) {
            out.add(Snapshots.gauge("switchboard_messages_queued",
                    "Messages waiting in session queues for offline or slow clients now.", queued));
            out.add(Snapshots.gauge("switchboard_deliveries_in_flight",
                    "QoS 1 and 2 messages sent to clients and not yet acknowledged now.", inFlight));
            out.add(Snapshots.gauge("switchboard_sessions_offline",
                    "Persistent sessions kept without a connection now.", offline));
        }
        return new MetricSnapshots(out);
    }

    private static List<Snapshots.Point> perListener(List<ListenerStats> listeners, ToDoubleFunction<ListenerStats> value) {
        List<Snapshots.Point> points = new ArrayList<>(listeners.size());
        for (ListenerStats l : listeners) {
            points.add(new Snapshots.Point(Labels.of("listener", l.name()), value.applyAsDouble(l)));
        }
        return points;
    }
}
