package io.switchboard.bench;

/** What one load run does: N publishers to M subscribers at a fixed offered rate for a bounded time. */
final class RateOptions {
    String host = "127.0.0.1";
    int port = 1883;
    /**
     * Ports the subscribers connect to, in turn (subscriber i to {@code subPorts[i % length]}); empty: {@link #port}.
     * Several nodes of one cluster: publishers on one node, subscribers on the others.
     */
    int[] subPorts = new int[0];
    /** With {@link #subPorts}: how long to wait after the SUBACKs before publishing (the routes reach the other nodes). */
    double settleSeconds = 1;
    int publishers = 1;
    int subscribers = 1;
    int qos = 0;
    int payloadBytes = 64;
    /** Total offered messages per second over all publishers. */
    double rate = 10_000;
    double seconds = 5;
    /** Messages a QoS 1/2 publisher may have unacknowledged. */
    int window = 64;
    /** How long after sending ended the run waits for the missing deliveries. */
    double drainSeconds = 5;
    /** Messages sent in the first seconds are delivered and counted but not in the latency histogram. */
    double warmupSeconds = 0;
    /** How publishers write: all messages due every {@link #batchMicros} in one write, or one PUBLISH per write. */
    WriteMode write = WriteMode.BATCHED;
    /** {@link WriteMode#BATCHED}: publishers write the messages due at most this often, many per write syscall. */
    double batchMicros = 250;
    /**
     * The broker's process id, or -1: when set, the run reads the broker's CPU time (utime + stime of
     * /proc/PID/stat) when sending starts and after the drain, and reports CPU per delivered message.
     */
    long brokerPid = -1;
    /** Bound on CONNECT/CONNACK and SUBSCRIBE/SUBACK of all connections. */
    double connectTimeoutSeconds = 10;
    /**
     * Subscribers connect without a clean session (MQTT 3.1.1 persistent sessions: the broker keeps their
     * subscriptions and QoS 1/2 messages across connections); after the run each session is ended with a
     * clean-session CONNECT under its client id, so runs leave no state behind.
     */
    boolean persistent;
    /** When above 0: every this many seconds a line with the deliveries of that interval (a broker's warm-up curve). */
    double progressSeconds;

    RateOptions copy() {
        RateOptions c = new RateOptions();
        c.host = host;
        c.port = port;
        c.subPorts = subPorts.clone();
        c.settleSeconds = settleSeconds;
        c.publishers = publishers;
        c.subscribers = subscribers;
        c.qos = qos;
        c.payloadBytes = payloadBytes;
        c.rate = rate;
        c.seconds = seconds;
        c.window = window;
        c.drainSeconds = drainSeconds;
        c.warmupSeconds = warmupSeconds;
        c.connectTimeoutSeconds = connectTimeoutSeconds;
        c.batchMicros = batchMicros;
        c.write = write;
        c.brokerPid = brokerPid;
        c.persistent = persistent;
        c.progressSeconds = progressSeconds;
        return c;
    }

    void validate() {
        require(publishers >= 1 && publishers <= 10_000, "--pubs must be 1..10000");
        require(subscribers >= 1 && subscribers <= 10_000, "--subs must be 1..10000");
        require(qos >= 0 && qos <= 2, "--qos must be 0, 1 or 2");
        require(payloadBytes >= PublishFrame.MIN_PAYLOAD && payloadBytes <= 1_000_000,
                "--payload must be " + PublishFrame.MIN_PAYLOAD + "..1000000 bytes");
        require(rate > 0 && rate <= 50_000_000, "--rate must be > 0 and at most 50,000,000 msg/s");
        require(seconds > 0 && seconds <= 3600, "--seconds must be > 0 and at most 3600");
        require(window >= 1 && window <= 65_000, "--window must be 1..65000");
        require(drainSeconds >= 0 && drainSeconds <= 600, "--drain must be 0..600 s");
        require(warmupSeconds >= 0 && warmupSeconds < seconds, "--warmup must be shorter than --seconds");
        require(progressSeconds >= 0 && progressSeconds <= 3600, "--progress must be 0..3600 s");
        require(settleSeconds >= 0 && settleSeconds <= 60, "--settle must be 0..60 s");
        for (int p : subPorts) {
            require(p >= 1 && p <= 65535, "--sub-ports must be ports (1-65535)");
        }
        require(batchMicros >= 0 && batchMicros <= 100_000, "--batch-us must be 0..100000");
        require(rate * seconds / publishers < SequenceSet.MAX_SEQUENCE, "too many messages per publisher");
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
