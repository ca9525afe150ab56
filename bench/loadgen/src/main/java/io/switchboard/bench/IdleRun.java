package io.switchboard.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
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

/**
 * Opens idle MQTT connections in steps and records the broker's memory after each step. Connections
 * are opened non-blocking with a bounded number of connects in flight (a listen backlog of 100 must not
 * overflow), each CONNECT (keep-alive 3600 s, so the broker expects nothing for an hour) is written as
 * soon as the TCP connect completes, and a step ends when every connection has its CONNACK. Source
 * addresses 127.0.0.2, 127.0.0.3, ... each carry at most {@link #PER_SOURCE_ADDRESS} connections, since
 * one address has only ~28,000 ephemeral ports.
 */
final class IdleRun {
    static final int PER_SOURCE_ADDRESS = 25_000;
    private static final int CONNECTS_IN_FLIGHT = 200;
    /** This process's own descriptors besides the connections (jars, selector, pipes). */
    private static final int OWN_DESCRIPTOR_RESERVE = 300;

    static final class Options {
        String host = "127.0.0.1";
        int port = 1883;
        int connections = 50_000;
        int step = 1_000;
        long brokerPid = -1;
        boolean jvm;
        double stepTimeoutSeconds = 60;
        /**
         * The last octet of the first source address (127.0.0.N). Closed connections keep their local port
         * in TIME_WAIT for a minute, so a run right after another must start at a fresh address.
         */
        int firstSourceAddress = 2;
        /** Pause after a step before measuring, so the broker finishes its per-connection work. */
        long settleMillis = 300;
        /** How long the connections stay open after the last step (to inspect the broker by hand: heap histograms). */
        double holdSeconds;
    }

    /** Memory at a number of open connections; heap -1 when not measured. */
    record Sample(int connections, long rssKib, long heapKib) {
    }

    record Result(List<Sample> samples, int requested, int reached, String limitNote, String error) {
        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("requested", requested);
            m.put("reached", reached);
            m.put("limitNote", limitNote);
            List<Object> list = new ArrayList<>();
            for (Sample s : samples) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("connections", s.connections());
                e.put("rssKib", s.rssKib());
                e.put("heapKib", s.heapKib());
                list.add(e);
            }
            m.put("samples", list);
            m.put("rssKibPer1000", perThousand(true));
            m.put("heapKibPer1000", perThousand(false));
            m.put("error", error);
            return m;
        }

        /** Growth per 1,000 connections from the first to the last sample; NaN when not measured. */
        double perThousand(boolean rss) {
            if (samples.size() < 2) {
                return Double.NaN;
            }
            Sample first = samples.get(0);
            Sample last = samples.get(samples.size() - 1);
            long a = rss ? first.rssKib() : first.heapKib();
            long b = rss ? last.rssKib() : last.heapKib();
            int n = last.connections() - first.connections();
            return a < 0 || b < 0 || n <= 0 ? Double.NaN : (b - a) * 1000.0 / n;
        }
    }

    private final Options options;
    private final String runId = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(4096);
    private final List<SocketChannel> channels = new ArrayList<>();
    private final SourcePorts sourcePorts;
    private int opened;
    private int acknowledged;
    private int inFlight;

    IdleRun(Options options) {
        if (options.connections < 1 || options.step < 1) {
            throw new IllegalArgumentException("--connections and --step must be positive");
        }
        this.options = options;
        this.sourcePorts = new SourcePorts(options.firstSourceAddress, PER_SOURCE_ADDRESS);
    }

    /** How many connections the open-files limits of this process and the broker allow, rounded to a step. */
    static int connectionCap(Options o) {
        long own = BrokerProbe.openFilesLimit("self");
        long broker = o.brokerPid > 0 ? BrokerProbe.openFilesLimit(Long.toString(o.brokerPid)) : -1;
        long limit = Long.MAX_VALUE;
        if (own > 0) {
            limit = Math.min(limit, own - OWN_DESCRIPTOR_RESERVE);
        }
        if (broker > 0) {
            limit = Math.min(limit, broker - OWN_DESCRIPTOR_RESERVE);
        }
        if (limit == Long.MAX_VALUE) {
            return o.connections;
        }
        return (int) Math.max(0, Math.min(o.connections, limit / o.step * o.step));
    }

    Result run() throws IOException {
        int target = connectionCap(options);
        String note = target < options.connections
                ? "capped at " + target + " by the open-files limit (this process " + BrokerProbe.openFilesLimit("self")
                        + ", broker " + BrokerProbe.openFilesLimit(Long.toString(options.brokerPid)) + ")"
                : null;
        List<Sample> samples = new ArrayList<>();
        String error = null;
        try (Selector selector = Selector.open()) {
            samples.add(measure(0));
            while (opened < target && error == null) {
                int stepEnd = Math.min(target, opened + options.step);
                error = openUpTo(selector, stepEnd);
                if (error == null) {
                    sleep(options.settleMillis);
                    samples.add(measure(acknowledged));
                }
            }
            if (error == null && options.holdSeconds > 0) {
                System.out.printf("holding %d connections for %.0f s%n", acknowledged, options.holdSeconds);
                sleep((long) (options.holdSeconds * 1000));
            }
        } finally {
            for (SocketChannel c : channels) {
                try {
                    c.close();
                } catch (IOException ignored) {
                    // closing everything anyway
                }
            }
        }
        return new Result(samples, options.connections, acknowledged, note, error);
    }

    private Sample measure(int connections) {
        if (options.brokerPid <= 0) {
            return new Sample(connections, -1, -1);
        }
        long rss = BrokerProbe.rssKib(options.brokerPid);
        long heap = options.jvm ? BrokerProbe.heapUsedAfterGcKib(options.brokerPid) : -1;
        return new Sample(connections, rss, heap);
    }

    /** Opens connections until {@code count} have their CONNACK; returns an error or null. */
    private String openUpTo(Selector selector, int count) throws IOException {
        long deadline = System.nanoTime() + (long) (options.stepTimeoutSeconds * 1e9);
        InetSocketAddress broker = new InetSocketAddress(options.host, options.port);
        while (acknowledged < count) {
            while (opened < count && inFlight < CONNECTS_IN_FLIGHT) {
                SocketChannel channel = SocketChannel.open();
                channels.add(channel);
                channel.configureBlocking(false);
                sourcePorts.bindNext(channel);
                SelectionKey key;
                if (channel.connect(broker)) {
                    key = channel.register(selector, SelectionKey.OP_READ);
                    sendConnect(channel, opened);
                } else {
                    key = channel.register(selector, SelectionKey.OP_CONNECT);
                }
                key.attach(opened);
                opened++;
                inFlight++;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return "step timed out after " + options.stepTimeoutSeconds + " s: " + acknowledged + " of " + count
                        + " connections acknowledged";
            }
            selector.select(Math.max(1, Math.min(100, TimeUnit.NANOSECONDS.toMillis(left))));
            for (SelectionKey key : selector.selectedKeys()) {
                String problem = handle(key);
                if (problem != null) {
                    return problem;
                }
            }
            selector.selectedKeys().clear();
        }
        return null;
    }

    private String handle(SelectionKey key) {
        SocketChannel channel = (SocketChannel) key.channel();
        int index = (Integer) key.attachment();
        try {
            if (key.isConnectable()) {
                channel.finishConnect();
                key.interestOps(SelectionKey.OP_READ);
                sendConnect(channel, index);
                return null;
            }
            if (key.isReadable()) {
                scratch.clear();
                int n = channel.read(scratch);
                if (n < 0) {
                    return "broker closed idle connection " + index + " (" + acknowledged + " open)";
                }
                // the first 4 bytes are the CONNACK: 0x20 0x02 flags return-code; nothing else arrives
                if (n >= 4 && (scratch.get(0) & 0xFF) == 0x20) {
                    int code = scratch.get(3) & 0xFF;
                    if (code != 0) {
                        return "broker refused idle connection " + index + " with return code " + code;
                    }
                    acknowledged++;
                    inFlight--;
                    key.interestOps(0); // idle from now on
                }
            }
            return null;
        } catch (IOException e) {
            return "idle connection " + index + " failed after " + acknowledged + " were open: " + e.getMessage();
        }
    }

    private void sendConnect(SocketChannel channel, int index) throws IOException {
        ByteBuffer connect = ByteBuffer.wrap(Mqtt.connect("idle-" + runId + "-" + index, RateRun.KEEP_ALIVE_SECONDS, true));
        channel.write(connect); // a few dozen bytes into an empty socket buffer: always complete
    }

    /** How many source addresses a run of {@code connections} uses. */
    static int sourceAddresses(int connections) {
        return (connections + PER_SOURCE_ADDRESS - 1) / PER_SOURCE_ADDRESS;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
