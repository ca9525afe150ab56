package io.switchboard.observability.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.switchboard.api.admin.BrokerStats;
import io.switchboard.api.admin.ListenerStats;
import io.switchboard.api.admin.TrafficStats;

/**
 * The values of the {@code $SYS/broker/...} topics, with Mosquitto 2.0's names and formats, from the broker's
 * and the front doors' counters; keeps what spans publications (the load averages, the maxima). Not thread-safe:
 * one publisher thread calls {@link #values}.
 */
final class SysTree {

    static final String BROKER = "$SYS/broker/";

    private final String version;
    private final LoadAverage messagesReceived = new LoadAverage();
    private final LoadAverage messagesSent = new LoadAverage();
    private final LoadAverage publishReceived = new LoadAverage();
    private final LoadAverage publishSent = new LoadAverage();
    private final LoadAverage publishDropped = new LoadAverage();
    private final LoadAverage bytesReceived = new LoadAverage();
    private final LoadAverage bytesSent = new LoadAverage();
    private final LoadAverage connections = new LoadAverage();
    private long maxClients;
    private long maxHeap;

    /** {@code version}: what {@code $SYS/broker/version} says, e.g. {@code switchboard version 0.1.0}. */
    SysTree(String version) {
        this.version = version;
    }

    /**
     * The topics (without {@value #BROKER}) and their payloads now; {@code seconds} since the previous call (any
     * value the first time).
     */
    Map<String, String> values(BrokerStats broker, List<TrafficStats> frontDoors, long heapUsed, double seconds) {
        long connected = 0;
        long offline = 0;
        long packetsIn = 0;
        long packetsOut = 0;
        long publishIn = 0;
        long publishOut = 0;
        long bytesIn = 0;
        long bytesOut = 0;
        long connects = 0;
        long dropped = 0;
        long held = 0;
        for (TrafficStats t : frontDoors) {
            for (ListenerStats l : t.listeners()) {
                connected += l.connections();
                packetsIn += l.packetsReceived();
                packetsOut += l.packetsSent();
                publishIn += l.messagesReceived();
                publishOut += l.messagesSent();
                bytesIn += l.bytesReceived();
                bytesOut += l.bytesSent();
                connects += l.accepted() + l.refused();
            }
            offline += t.offlineSessions();
            held += t.queuedMessages() + t.inFlightMessages();
            for (long n : t.dropped().values()) {
                dropped += n;
            }
        }
        maxClients = Math.max(maxClients, connected);
        maxHeap = Math.max(maxHeap, heapUsed);
        long stored = broker.retainedMessages() + held;

        Map<String, String> v = new LinkedHashMap<>();
        v.put("version", version);
        v.put("uptime", broker.uptimeMillis() / 1000 + " seconds");
        v.put("clients/total", Long.toString(connected + offline));
        v.put("clients/inactive", Long.toString(offline));
        v.put("clients/disconnected", Long.toString(offline));
        v.put("clients/active", Long.toString(connected));
        v.put("clients/connected", Long.toString(connected));
        v.put("clients/maximum", Long.toString(maxClients));
        load(v, "messages/received", messagesReceived, packetsIn, seconds);
        load(v, "messages/sent", messagesSent, packetsOut, seconds);
        load(v, "publish/dropped", publishDropped, dropped, seconds);
        load(v, "publish/received", publishReceived, publishIn, seconds);
        load(v, "publish/sent", publishSent, publishOut, seconds);
        load(v, "bytes/received", bytesReceived, bytesIn, seconds);
        load(v, "bytes/sent", bytesSent, bytesOut, seconds);
        load(v, "connections", connections, connects, seconds);
        v.put("messages/stored", Long.toString(stored));
        v.put("messages/received", Long.toString(packetsIn));
        v.put("messages/sent", Long.toString(packetsOut));
        v.put("store/messages/count", Long.toString(stored));
        v.put("subscriptions/count", Integer.toString(broker.subscriptions()));
        v.put("retained messages/count", Integer.toString(broker.retainedMessages()));
        v.put("heap/current", Long.toString(heapUsed));
        v.put("heap/maximum", Long.toString(maxHeap));
        v.put("publish/messages/dropped", Long.toString(dropped));
        v.put("publish/messages/received", Long.toString(publishIn));
        v.put("publish/messages/sent", Long.toString(publishOut));
        v.put("bytes/received", Long.toString(bytesIn));
        v.put("bytes/sent", Long.toString(bytesOut));
        return v;
    }

    private static void load(Map<String, String> v, String what, LoadAverage load, long total, double seconds) {
        load.update(total, seconds);
        v.put("load/" + what + "/1min", format(load.oneMinute()));
        v.put("load/" + what + "/5min", format(load.fiveMinutes()));
        v.put("load/" + what + "/15min", format(load.fifteenMinutes()));
    }

    /** Two decimals, a point whatever the locale: Mosquitto's {@code %.2f}. */
    static String format(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }
}
