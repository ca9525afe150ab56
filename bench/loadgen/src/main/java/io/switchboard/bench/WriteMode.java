package io.switchboard.bench;

/**
 * How a publisher hands its PUBLISHes to the socket.
 *
 * <ul>
 *   <li>{@link #BATCHED}: every {@code --batch-us} (250 µs) each publisher copies all PUBLISHes due by then into
 *       its buffer and writes them in one write syscall: the broker reads many packets per read. The most a
 *       generator can offer; no real client publishes like this.</li>
 *   <li>{@link #PER_MESSAGE}: each PUBLISH is written (one write syscall, TCP_NODELAY) by itself as soon as it
 *       is due, also when the publisher has fallen behind: what a real client (Paho, mosquitto_pub, an
 *       application calling publish() per message) does, so the broker pays a read and a wake-up per
 *       message.</li>
 * </ul>
 */
enum WriteMode {
    BATCHED("batched"),
    PER_MESSAGE("per-message");

    final String label;

    WriteMode(String label) {
        this.label = label;
    }

    static WriteMode parse(String text) {
        for (WriteMode m : values()) {
            if (m.label.equals(text)) {
                return m;
            }
        }
        throw new IllegalArgumentException("--write must be per-message or batched: " + text);
    }

    @Override
    public String toString() {
        return label;
    }
}
