package io.switchboard.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;

/**
 * A connection storm: opens {@code connections} new TCP connections as fast as the broker takes them, at most
 * {@code inFlight} at a time (a connection is in flight from its TCP connect until its CONNACK), each sending its
 * CONNECT as soon as the TCP connect completes. Measures connections per second (first connect to last CONNACK)
 * and two latencies per connection: TCP connect start to CONNACK, and CONNECT written to CONNACK.
 *
 * <p>After its CONNACK a connection either sends DISCONNECT and closes, as a client calling {@code disconnect()}
 * does ({@link Then#DISCONNECT}: its port stays in TIME_WAIT for a minute; {@link SourcePorts} gives every connection
 * of a run its own address and port, so no bind waits for one), or stays open until the end of the run ({@link Then#STAY}:
 * clients coming back after a restart; bounded by the open-files limit). With {@code persistent} the clients connect with clean session 0; their sessions are ended after the
 * measurement (a clean-session CONNECT per client id, not timed). Source addresses 127.0.0.N, N+1, ... carry
 * {@link #PER_SOURCE_ADDRESS} connections each.
 */
final class ConnectRun {
    static final int PER_SOURCE_ADDRESS = 20_000;
    private static final int OWN_DESCRIPTOR_RESERVE = 300;

    enum Then { DISCONNECT, STAY }

    static final class Options {
        String host = "127.0.0.1";
        int port = 1883;
        int connections = 10_000;
        /** Connections before the measured ones (same way), not counted: the broker's JIT warms up on them. */
        int warmup = 0;
        int inFlight = 100;
        boolean persistent;
        Then then = Then.DISCONNECT;
        long brokerPid = -1;
        int firstSourceAddress = 2;
        double timeoutSeconds = 120;

        Options copy() {
            Options o = new Options();
            o.host = host;
            o.port = port;
            o.connections = connections;
            o.warmup = warmup;
            o.inFlight = inFlight;
            o.persistent = persistent;
            o.then = then;
            o.brokerPid = brokerPid;
            o.firstSourceAddress = firstSourceAddress;
            o.timeoutSeconds = timeoutSeconds;
            return o;
        }
    }

    /** The measured part of a run. */
    record Result(int connections, double seconds, Histogram total, Histogram afterConnect, double brokerCpuSeconds,
                  double otherCores, double load1Before, double load1After, String error) {

        double perSecond() {
            return seconds > 0 ? connections / seconds : Double.NaN;
        }

        /** Broker CPU per connection (µs), NaN when not measured. */
        double brokerCpuMicrosPerConnection() {
            return connections > 0 ? brokerCpuSeconds * 1e6 / connections : Double.NaN;
        }

        /** TCP connect start to CONNACK at {@code percentile}, in µs; NaN with no connection. */
        double latencyMicros(double percentile) {
            return micros(total, percentile);
        }

        String summary() {
            return String.format("%d connections in %.2f s: %.0f conn/s; connect->CONNACK p50 %.0f p99 %.0f max %.0f us;"
                            + " CONNECT->CONNACK p50 %.0f p99 %.0f us; broker CPU %.0f us/conn%s",
                    connections, seconds, perSecond(), micros(total, 50), micros(total, 99), max(total),
                    micros(afterConnect, 50), micros(afterConnect, 99), brokerCpuMicrosPerConnection(),
                    error == null ? "" : "; ERROR: " + error);
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("connections", connections);
            m.put("seconds", seconds);
            m.put("perSecond", perSecond());
            m.put("p50Us", micros(total, 50));
            m.put("p99Us", micros(total, 99));
            m.put("p999Us", micros(total, 99.9));
            m.put("maxUs", max(total));
            m.put("afterConnectP50Us", micros(afterConnect, 50));
            m.put("afterConnectP99Us", micros(afterConnect, 99));
            m.put("brokerCpuUsPerConnection", brokerCpuMicrosPerConnection());
            m.put("otherCores", otherCores);
            m.put("load1Before", load1Before);
            m.put("load1After", load1After);
            m.put("error", error);
            return m;
        }

        private static double micros(Histogram h, double percentile) {
            return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1e3;
        }

        private static double max(Histogram h) {
            return h.getTotalCount() == 0 ? Double.NaN : h.getMaxValue() / 1e3;
        }
    }

    /** One client's connection and its times. */
    private static final class Client {
        final int index;
        final SocketChannel channel;
        final long connectStart;
        long connectSent;

        Client(int index, SocketChannel channel, long connectStart) {
            this.index = index;
            this.channel = channel;
            this.connectStart = connectStart;
        }
    }

    private final Options options;
    private final String runId;
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(4096);
    private final List<SocketChannel> staying = new ArrayList<>();
    private final SourcePorts sourcePorts;

    ConnectRun(Options options) {
        this(options, Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36));
    }

    /** {@code runId} goes into every client id ({@code storm-<runId>-<index>}). */
    private ConnectRun(Options options, String runId) {
        this.runId = runId;
        if (options.connections < 1 || options.inFlight < 1 || options.warmup < 0) {
            throw new IllegalArgumentException("--connections and --in-flight must be positive, --warmup not negative");
        }
        this.options = options;
        this.sourcePorts = new SourcePorts(options.firstSourceAddress, PER_SOURCE_ADDRESS);
    }

    /** How many source addresses a run uses (the warm-up included). */
    static int sourceAddresses(Options o) {
        return (o.warmup + o.connections + PER_SOURCE_ADDRESS - 1) / PER_SOURCE_ADDRESS;
    }

    /** How many source addresses a run takes, the persistent sessions' ending included. */
    static int addressesUsed(Options o) {
        return sourceAddresses(o) * (o.persistent ? 2 : 1);
    }

    Result run() throws IOException {
        if (options.then == Then.STAY) {
            long own = BrokerProbe.openFilesLimit("self");
            long broker = options.brokerPid > 0 ? BrokerProbe.openFilesLimit(Long.toString(options.brokerPid)) : -1;
            long limit = Math.min(own > 0 ? own : Long.MAX_VALUE, broker > 0 ? broker : Long.MAX_VALUE) - OWN_DESCRIPTOR_RESERVE;
            if (options.warmup + options.connections > limit) {
                throw new IllegalArgumentException("--then stay with " + (options.warmup + options.connections)
                        + " connections exceeds the open-files limit (" + limit + " usable)");
            }
        }
        try (Selector selector = Selector.open()) {
            if (options.warmup > 0) {
                Result warm = storm(selector, 0, options.warmup);
                if (warm.error() != null) {
                    return warm;
                }
            }
            return storm(selector, options.warmup, options.connections);
        } finally {
            for (SocketChannel c : staying) {
                closeQuietly(c);
            }
            staying.clear();
            if (options.persistent) {
                endSessions();
            }
        }
    }

    /** Connects clients {@code first} .. {@code first + count - 1}; the result of those. */
    private Result storm(Selector selector, int first, int count) throws IOException {
        Histogram total = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        Histogram afterConnect = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        InetSocketAddress broker = new InetSocketAddress(options.host, options.port);
        CpuTime.Window window = CpuTime.Window.start(options.brokerPid);
        long start = System.nanoTime();
        long deadline = start + (long) (options.timeoutSeconds * 1e9);
        int next = first;
        int end = first + count;
        int inFlight = 0;
        int done = 0;
        String error = null;
        while (done < count && error == null) {
            while (next < end && inFlight < options.inFlight) {
                SocketChannel channel = SocketChannel.open();
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                sourcePorts.bindNext(channel);
                Client client = new Client(next, channel, System.nanoTime());
                if (channel.connect(broker)) {
                    channel.register(selector, SelectionKey.OP_READ, client);
                    sendConnect(client, options.persistent);
                } else {
                    channel.register(selector, SelectionKey.OP_CONNECT, client);
                }
                next++;
                inFlight++;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                error = "timed out after " + options.timeoutSeconds + " s: " + done + " of " + count + " acknowledged";
                break;
            }
            selector.select(Math.max(1, Math.min(100, TimeUnit.NANOSECONDS.toMillis(left))));
            for (SelectionKey key : selector.selectedKeys()) {
                Client client = (Client) key.attachment();
                try {
                    if (key.isConnectable()) {
                        client.channel.finishConnect();
                        key.interestOps(SelectionKey.OP_READ);
                        sendConnect(client, options.persistent);
                        continue;
                    }
                    if (!key.isReadable()) {
                        continue;
                    }
                    scratch.clear();
                    int n = client.channel.read(scratch);
                    if (n < 0) {
                        error = "broker closed connection " + client.index + " before its CONNACK";
                        break;
                    }
                    if (n < 4 || (scratch.get(0) & 0xFF) != 0x20) {
                        continue; // CONNACK arrives whole in practice; anything else is not expected here
                    }
                    int code = scratch.get(3) & 0xFF;
                    if (code != 0) {
                        error = "broker refused connection " + client.index + " with return code " + code;
                        break;
                    }
                    long now = System.nanoTime();
                    total.recordValue(Math.min(now - client.connectStart, total.getHighestTrackableValue()));
                    afterConnect.recordValue(Math.min(now - client.connectSent, afterConnect.getHighestTrackableValue()));
                    done++;
                    inFlight--;
                    key.cancel();
                    if (options.then == Then.DISCONNECT) {
                        client.channel.write(ByteBuffer.wrap(Mqtt.DISCONNECT_PACKET));
                        client.channel.close();
                    } else {
                        staying.add(client.channel);
                    }
                } catch (IOException e) {
                    error = "connection " + client.index + " failed after " + done + " were acknowledged: " + e.getMessage();
                    break;
                }
            }
            selector.selectedKeys().clear();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        CpuTime.Usage usage = window.end(options.brokerPid);
        if (error != null) {
            for (SelectionKey key : selector.keys()) {
                key.cancel();
                closeQuietly(key.channel());
            }
        }
        return new Result(done, seconds, total, afterConnect, usage.brokerSeconds(), usage.otherCores(), usage.load1Before(),
                usage.load1After(), error);
    }

    private void sendConnect(Client client, boolean persistent) throws IOException {
        client.connectSent = System.nanoTime();
        // a few dozen bytes into an empty socket buffer: always complete
        client.channel.write(ByteBuffer.wrap(Mqtt.connect(clientId(client.index), RateRun.KEEP_ALIVE_SECONDS, !persistent)));
    }

    private String clientId(int index) {
        return "storm-" + runId + "-" + index;
    }

    /** Ends the persistent sessions the run left: a clean-session CONNECT and DISCONNECT per client id, in parallel. */
    private void endSessions() throws IOException {
        Options clean = options.copy();
        clean.persistent = false;
        clean.warmup = 0;
        clean.connections = options.warmup + options.connections;
        clean.then = Then.DISCONNECT;
        // the same ids (same run id), from the next source addresses: the measured ports may still be in use
        clean.firstSourceAddress = options.firstSourceAddress + sourceAddresses(options);
        ConnectRun cleaner = new ConnectRun(clean, runId);
        try (Selector selector = Selector.open()) {
            Result r = cleaner.storm(selector, 0, clean.connections);
            if (r.error() != null) {
                System.err.println("bench: ending the persistent sessions failed: " + r.error());
            }
        }
    }

    private static void closeQuietly(java.nio.channels.Channel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing everything anyway
        }
    }
}
