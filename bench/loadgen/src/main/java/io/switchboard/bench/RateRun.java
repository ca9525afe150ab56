package io.switchboard.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * One open-loop load run on a single event-loop thread: publishers send on a time schedule (a publisher
 * that falls behind, e.g. with a full QoS 1/2 window, catches up later but never past the end of the
 * sending period, so falling behind shows as a shortfall of sent messages), subscribers acknowledge and
 * record every delivery, then the run waits a bounded drain time for the missing deliveries. Publishers
 * write as {@link WriteMode} says: all messages due per batch interval in one write, or one PUBLISH per write.
 */
final class RateRun {
    static final int KEEP_ALIVE_SECONDS = 3600; // runs are far shorter; subscribers at QoS 0 send nothing
    private static final int READ_BUFFER = 1 << 20;
    /** With many subscribers each gets a smaller read buffer (it grows when a packet needs more). */
    private static final int READ_BUFFER_MANY = 64 << 10;
    /**
     * {@link WriteMode#PER_MESSAGE}: at most this many PUBLISHes (each its own write) per publisher between two
     * polls of the sockets, so a publisher that fell behind still reads its acknowledgements while catching up.
     */
    static final int PER_MESSAGE_BURST = 16;
    private static final int WRITE_BUFFER = 256 << 10;
    private static final AtomicLong RUN_COUNTER = new AtomicLong();

    private final RateOptions options;
    private final String runId;

    private final List<Connection> subscriberConnections = new ArrayList<>();
    private final List<Publisher> publishers = new ArrayList<>();
    private SequenceSet[][] seen; // [subscriber][publisher]
    private Histogram latency;
    private long measureFrom;
    private long received;
    private long duplicates;
    private long foreign;
    private long lastDelivery;
    private String error;
    private CpuTime.Usage cpu;

    /** A publisher's schedule and QoS 1/2 window. */
    static final class Publisher {
        final Connection connection;
        final PublishFrame frame;
        final long target;
        final boolean[] inFlightIds = new boolean[65536];
        long sent;
        /**
         * Per-message: times a due PUBLISH waited because the socket had not taken the previous write completely
         * (the broker was not reading). A publisher behind schedule without these was held back by the generator.
         */
        long socketFullWaits;
        int inFlight;
        int nextPacketId = 1;

        Publisher(Connection connection, PublishFrame frame, long target) {
            this.connection = connection;
            this.frame = frame;
            this.target = target;
        }

        int takePacketId() {
            while (inFlightIds[nextPacketId]) {
                nextPacketId = nextPacketId == 65535 ? 1 : nextPacketId + 1;
            }
            int id = nextPacketId;
            inFlightIds[id] = true;
            inFlight++;
            nextPacketId = id == 65535 ? 1 : id + 1;
            return id;
        }

        void release(int packetId) {
            if (inFlightIds[packetId]) {
                inFlightIds[packetId] = false;
                inFlight--;
            }
        }
    }

    RateRun(RateOptions options) {
        options.validate();
        this.options = options;
        this.runId = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36) + RUN_COUNTER.incrementAndGet();
    }

    RateResult run() throws IOException {
        try (Selector selector = Selector.open()) {
            try {
                try {
                    connect(selector);
                    if (options.subPorts.length > 0) {
                        settle(selector);
                    }
                } catch (BenchException e) {
                    // a trial the broker refused or broke off: a failed result, so a sweep goes on below it
                    long offered = Math.round(options.rate * options.seconds / options.publishers) * options.publishers;
                    return new RateResult(options, runId, offered, 0, 0, 0, 0, 0, 0, 0, -1,
                            new Histogram(TimeUnit.SECONDS.toNanos(60), 3), e.getMessage());
                }
                return measure(selector);
            } finally {
                subscriberConnections.forEach(Connection::close);
                publishers.forEach(p -> p.connection.close());
                if (options.persistent) {
                    endSessions();
                }
            }
        }
    }

    private void connect(Selector selector) throws IOException {
        int subs = options.subscribers;
        int pubs = options.publishers;
        int readBuffer = subs > 8 ? READ_BUFFER_MANY : READ_BUFFER;
        for (int s = 0; s < subs; s++) {
            Connection c = Connection.open("subscriber " + s, selector, options.host, subscriberPort(s), readBuffer, 64 << 10);
            c.index = s;
            c.out.put(Mqtt.connect(subscriberId(s), KEEP_ALIVE_SECONDS, !options.persistent));
            c.flush();
            subscriberConnections.add(c);
        }
        long perPublisher = Math.round(options.rate * options.seconds / pubs);
        for (int p = 0; p < pubs; p++) {
            Connection c = Connection.open("publisher " + p, selector, options.host, options.port, 64 << 10, WRITE_BUFFER);
            c.index = p;
            c.out.put(Mqtt.connect("sb-" + runId + "-p" + p, KEEP_ALIVE_SECONDS, true));
            c.flush();
            publishers.add(new Publisher(c, new PublishFrame(topic(p), options.qos, options.payloadBytes, p), perPublisher));
        }
        seen = new SequenceSet[subs][pubs];
        for (SequenceSet[] row : seen) {
            for (int p = 0; p < pubs; p++) {
                row[p] = new SequenceSet();
            }
        }
        long deadline = System.nanoTime() + seconds(options.connectTimeoutSeconds);
        while (!ready()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new BenchException("broker at " + options.host + ":" + options.port + " did not answer CONNECT/SUBSCRIBE within "
                        + options.connectTimeoutSeconds + " s (" + readyCount() + " of " + (subs + pubs) + " connections ready)");
            }
            selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            handleSelected(selector, System.nanoTime());
            if (error != null) {
                throw new BenchException(error);
            }
            for (Connection c : subscriberConnections) {
                c.flush(); // the SUBSCRIBE queued on CONNACK
            }
        }
    }

    /** The port subscriber {@code s} connects to: its node's, when the subscribers are spread over nodes. */
    private int subscriberPort(int s) {
        return options.subPorts.length == 0 ? options.port : options.subPorts[s % options.subPorts.length];
    }

    /**
     * Subscribers on other nodes than the publishers: their SUBACK does not say the publishers' node knows the route
     * yet (the cluster's view is updated asynchronously), so wait a little, serving the connections meanwhile.
     */
    private void settle(Selector selector) throws IOException {
        long end = System.nanoTime() + seconds(options.settleSeconds);
        for (long left; (left = end - System.nanoTime()) > 0; ) {
            selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            handleSelected(selector, System.nanoTime());
            if (error != null) {
                throw new BenchException(error);
            }
        }
    }

    private String subscriberId(int subscriber) {
        return "sb-" + runId + "-s" + subscriber;
    }

    /** Persistent subscribers: a clean-session CONNECT under each client id ends its session (best effort). */
    private void endSessions() {
        for (int s = 0; s < subscriberConnections.size(); s++) {
            try {
                MqttClient.endSession(options.host, subscriberPort(s), subscriberId(s), (int) (options.connectTimeoutSeconds * 1000));
            } catch (IOException | RuntimeException e) {
                System.err.println("bench: could not end the session of " + subscriberId(s) + ": " + e.getMessage());
            }
        }
    }

    String topic(int publisher) {
        return "bench/" + runId + "/" + publisher;
    }

    private boolean ready() {
        return readyCount() == subscriberConnections.size() + publishers.size();
    }

    private int readyCount() {
        int n = 0;
        for (Connection c : subscriberConnections) {
            n += c.subscribed ? 1 : 0;
        }
        for (Publisher p : publishers) {
            n += p.connection.connected ? 1 : 0;
        }
        return n;
    }

    private RateResult measure(Selector selector) throws IOException {
        latency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        CpuTime.Window cpuWindow = CpuTime.Window.start(options.brokerPid);
        long start = System.nanoTime();
        measureFrom = start + seconds(options.warmupSeconds);
        long sendEnd = start + seconds(options.seconds);
        double perPublisherRate = options.rate / options.publishers;
        boolean sending = true;
        long sendingEndedAt = 0;
        long drainDeadline = Long.MAX_VALUE;
        long batchNanos = (long) (options.batchMicros * 1000);
        long lastBatch = Long.MIN_VALUE / 2;
        boolean perMessage = options.write == WriteMode.PER_MESSAGE;
        long progressNanos = (long) (options.progressSeconds * 1e9);
        long nextProgress = progressNanos > 0 ? start + progressNanos : Long.MAX_VALUE;
        long receivedAtProgress = 0;
        while (true) {
            long now = System.nanoTime();
            if (now >= nextProgress) {
                System.out.printf(java.util.Locale.ROOT, "{\"mode\":\"progress\",\"seconds\":%.1f,\"received\":%d,\"outRate\":%.0f}%n",
                        (now - start) / 1e9, received, (received - receivedAtProgress) / options.progressSeconds);
                receivedAtProgress = received;
                nextProgress += progressNanos;
            }
            if (sending) {
                if (now >= sendEnd) {
                    sending = false;
                    sendingEndedAt = now;
                    drainDeadline = now + seconds(options.drainSeconds);
                } else if (perMessage) {
                    // every pass of the loop: each PUBLISH that is due, one write syscall each
                    long due = (long) ((now - start) / 1e9 * perPublisherRate) + 1;
                    for (Publisher p : publishers) {
                        writePerMessage(p, Math.min(due, p.target), options.qos, options.window, PER_MESSAGE_BURST);
                    }
                } else if (now - lastBatch >= batchNanos) {
                    // every batch interval: all messages due by now, many per write syscall
                    lastBatch = now;
                    long due = (long) ((now - start) / 1e9 * perPublisherRate) + 1;
                    for (Publisher p : publishers) {
                        writeBatched(p, Math.min(due, p.target), now, options.qos, options.window);
                    }
                }
            }
            for (Publisher p : publishers) {
                p.connection.flush();
            }
            for (Connection c : subscriberConnections) {
                c.flush();
            }
            if (!sending && (complete() || now >= drainDeadline || error != null)) {
                break;
            }
            // While sending, poll without sleeping: select(timeout) sleeps at least a millisecond, which would
            // hold a publisher whose window emptied (all acks in) until then and cap a fast broker's QoS 1
            // rate at window / 1 ms. The generator has its own core, so it busy-polls.
            if (sending) {
                selector.selectNow();
            } else {
                selector.select(10);
            }
            handleSelected(selector, System.nanoTime());
        }
        cpu = cpuWindow.end(options.brokerPid);
        long sent = 0;
        long writes = 0;
        long socketFullWaits = 0;
        for (Publisher p : publishers) {
            sent += p.sent;
            writes += p.connection.writeCalls;
            socketFullWaits += p.socketFullWaits;
        }
        long offered = publishers.size() * publishers.get(0).target;
        long expected = sent * options.subscribers;
        double inRate = sent / options.seconds;
        double outWindow = Math.max(options.seconds, (lastDelivery - start) / 1e9);
        double outRate = received / outWindow;
        double drainMillis = received == expected && sent > 0 ? Math.max(0, (lastDelivery - sendingEndedAt) / 1e6) : -1;
        RateResult result = new RateResult(options, runId, offered, sent, expected, received, duplicates, foreign, inRate, outRate,
                drainMillis, latency, error);
        result.publisherWrites = writes;
        result.socketFullWaits = socketFullWaits;
        result.cpu = cpu;
        return result;
    }

    /**
     * {@link WriteMode#BATCHED}: copies this publisher's messages that are due into its write buffer, as far as its
     * window and the buffer allow; the caller's flush writes them together. Returns the messages added.
     */
    static long writeBatched(Publisher p, long due, long now, int qos, int window) throws IOException {
        long wanted = due - p.sent;
        if (wanted <= 0 || p.connection.closed) {
            return 0;
        }
        ByteBuffer out = p.connection.out;
        int frameSize = p.frame.size();
        if (out.remaining() < frameSize) {
            p.connection.flush();
        }
        long n = Math.min(wanted, out.remaining() / frameSize);
        if (qos > 0) {
            n = Math.max(0, Math.min(n, window - p.inFlight));
        }
        for (long i = 0; i < n; i++) {
            int packetId = qos > 0 ? p.takePacketId() : 0;
            p.frame.put(out, packetId, p.sent++, now);
        }
        return n;
    }

    /**
     * {@link WriteMode#PER_MESSAGE}: writes this publisher's due messages one PUBLISH per write syscall, each
     * stamped with the time of its own write, at most {@code max} of them. A publisher whose socket has not
     * taken the previous write completely (or whose window is full) waits, as a blocking client would.
     * Returns the messages written.
     */
    static long writePerMessage(Publisher p, long due, int qos, int window, int max) throws IOException {
        Connection c = p.connection;
        long written = 0;
        while (written < max && p.sent < due && !c.closed && (qos == 0 || p.inFlight < window)) {
            if (c.hasPendingOutput()) {
                c.flush(); // a PUBREL (QoS 2) or the rest of an earlier PUBLISH: never two PUBLISHes in one write
                if (c.hasPendingOutput()) {
                    p.socketFullWaits++;
                    break;
                }
            }
            int packetId = qos > 0 ? p.takePacketId() : 0;
            p.frame.put(c.out, packetId, p.sent++, System.nanoTime());
            c.flush();
            written++;
        }
        return written;
    }

    private boolean complete() {
        for (Publisher p : publishers) {
            if (p.inFlight > 0) {
                return false;
            }
        }
        long sent = 0;
        for (Publisher p : publishers) {
            sent += p.sent;
        }
        return received == sent * options.subscribers;
    }

    private void handleSelected(Selector selector, long now) throws IOException {
        var keys = selector.selectedKeys();
        if (keys.isEmpty()) {
            return;
        }
        for (SelectionKey key : keys) {
            Connection c = (Connection) key.attachment();
            if (!key.isValid() || c.closed) {
                continue;
            }
            if (key.isWritable()) {
                c.flush();
            }
            if (key.isReadable()) {
                readFrom(c, now);
            }
        }
        keys.clear();
    }

    private void readFrom(Connection c, long now) throws IOException {
        int n;
        try {
            n = c.read();
        } catch (IOException e) {
            n = -1;
        }
        if (n < 0) {
            if (error == null) {
                error = "broker closed the connection of " + c.name;
            }
            c.close();
            return;
        }
        ByteBuffer in = c.in;
        in.flip();
        while (c.parser.next(in)) {
            onPacket(c, in, c.parser, now);
        }
        c.compactInput();
    }

    private void onPacket(Connection c, ByteBuffer in, FrameParser packet, long now) throws IOException {
        switch (packet.type) {
            case Mqtt.PUBLISH -> onPublish(c, in, packet, now);
            case Mqtt.PUBACK, Mqtt.PUBCOMP -> publisherOf(c).release(in.getShort(packet.bodyStart) & 0xFFFF);
            case Mqtt.PUBREC -> {
                c.ensureOutput(Mqtt.ACK_SIZE);
                Mqtt.putAck(c.out, Mqtt.PUBREL, in.getShort(packet.bodyStart) & 0xFFFF);
            }
            case Mqtt.PUBREL -> {
                c.ensureOutput(Mqtt.ACK_SIZE);
                Mqtt.putAck(c.out, Mqtt.PUBCOMP, in.getShort(packet.bodyStart) & 0xFFFF);
            }
            case Mqtt.CONNACK -> {
                int code = in.get(packet.bodyStart + 1) & 0xFF;
                if (code != 0) {
                    error = "broker refused CONNECT of " + c.name + " with return code " + code;
                    return;
                }
                c.connected = true;
                int s = subscriberConnections.indexOf(c);
                if (s >= 0) {
                    c.ensureOutput(256);
                    c.out.put(Mqtt.subscribe(1, "bench/" + runId + "/+", options.qos));
                }
            }
            case Mqtt.SUBACK -> {
                int granted = in.get(packet.bodyStart + 2) & 0xFF;
                if (granted == 0x80) {
                    error = "broker refused SUBSCRIBE of " + c.name;
                    return;
                }
                c.subscribed = true;
            }
            default -> {
                // PINGRESP and anything else: nothing to do
            }
        }
    }

    private void onPublish(Connection c, ByteBuffer in, FrameParser packet, long now) throws IOException {
        int position = packet.bodyStart;
        int end = packet.bodyStart + packet.bodyLength;
        int topicLength = in.getShort(position) & 0xFFFF;
        position += 2 + topicLength;
        int qos = (packet.flags >> 1) & 3;
        int packetId = 0;
        if (qos > 0) {
            packetId = in.getShort(position) & 0xFFFF;
            position += 2;
        }
        int subscriber = subscriberIndex(c);
        if (subscriber >= 0 && end - position >= PublishFrame.MIN_PAYLOAD) {
            int publisher = in.getInt(position);
            long sequence = in.getLong(position + 4);
            long sentAt = in.getLong(position + 12);
            if (publisher >= 0 && publisher < publishers.size() && sequence < publishers.get(publisher).sent) {
                if (seen[subscriber][publisher].add(sequence)) {
                    received++;
                    lastDelivery = now;
                    if (sentAt >= measureFrom) {
                        latency.recordValue(Math.min(Math.max(0, now - sentAt), latency.getHighestTrackableValue()));
                    }
                } else {
                    duplicates++;
                }
            } else {
                foreign++;
            }
        } else {
            foreign++;
        }
        if (qos > 0) {
            c.ensureOutput(Mqtt.ACK_SIZE);
            Mqtt.putAck(c.out, qos == 1 ? Mqtt.PUBACK : Mqtt.PUBREC, packetId);
        }
    }

    private int subscriberIndex(Connection c) {
        int i = c.index;
        return i >= 0 && i < subscriberConnections.size() && subscriberConnections.get(i) == c ? i : -1;
    }

    private Publisher publisherOf(Connection c) {
        int i = c.index;
        if (i >= 0 && i < publishers.size() && publishers.get(i).connection == c) {
            return publishers.get(i);
        }
        throw new IllegalStateException("acknowledgement on a subscriber connection " + c.name);
    }

    private static long seconds(double s) {
        return (long) (s * 1e9);
    }
}
