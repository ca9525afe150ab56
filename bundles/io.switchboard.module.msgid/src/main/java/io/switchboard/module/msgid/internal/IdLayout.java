package io.switchboard.module.msgid.internal;

import java.time.Instant;

/**
 * The bits of an id, highest first: 1 unused sign bit (ids are positive), 41 bits of milliseconds since
 * {@link #EPOCH} (about 69 years: until 2093), 10 bits of node id (0..1023), 12 bits of sequence
 * (4096 ids per millisecond and node). Ids of one node increase with time; ids of different nodes never
 * collide.
 */
final class IdLayout {

    /** The custom epoch: 2024-01-01T00:00:00Z. */
    static final Instant EPOCH = Instant.parse("2024-01-01T00:00:00Z");
    static final long EPOCH_MILLIS = EPOCH.toEpochMilli();

    static final int SEQUENCE_BITS = 12;
    static final int NODE_BITS = 10;
    static final int TIME_BITS = 41;
    static final int NODE_SHIFT = SEQUENCE_BITS;
    static final int TIME_SHIFT = SEQUENCE_BITS + NODE_BITS;
    static final long MAX_SEQUENCE = (1L << SEQUENCE_BITS) - 1;
    static final int MAX_NODE = (1 << NODE_BITS) - 1;
    static final long MAX_TIME = (1L << TIME_BITS) - 1;

    private IdLayout() {
    }

    /** The id of {@code sequence} at {@code time} (ms since {@link #EPOCH}) on {@code node}. */
    static long encode(long time, int node, long sequence) {
        if (time < 0 || time > MAX_TIME) {
            throw new IllegalArgumentException("time out of range: " + time);
        }
        if (node < 0 || node > MAX_NODE) {
            throw new IllegalArgumentException("node out of range: " + node);
        }
        if (sequence < 0 || sequence > MAX_SEQUENCE) {
            throw new IllegalArgumentException("sequence out of range: " + sequence);
        }
        return (time << TIME_SHIFT) | ((long) node << NODE_SHIFT) | sequence;
    }

    /** Milliseconds since {@link #EPOCH}. */
    static long time(long id) {
        return id >>> TIME_SHIFT;
    }

    static int node(long id) {
        return (int) ((id >>> NODE_SHIFT) & MAX_NODE);
    }

    static long sequence(long id) {
        return id & MAX_SEQUENCE;
    }

    /**
     * The parts of an id.
     *
     * @param id the id
     * @param time when it was made (its logical time: it may run a little ahead under bursts or after the
     *        clock went back)
     * @param node the node that made it
     * @param sequence its place within that millisecond
     */
    record Decoded(long id, Instant time, int node, long sequence) {
    }

    /**
     * Reads {@code id}.
     *
     * @throws IllegalArgumentException if it is not positive (no id of this layout is)
     */
    static Decoded decode(long id) {
        if (id <= 0) {
            throw new IllegalArgumentException("not an id of this generator (must be positive): " + id);
        }
        return new Decoded(id, EPOCH.plusMillis(time(id)), node(id), sequence(id));
    }
}
