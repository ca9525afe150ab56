package io.switchboard.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One QoS 1 publisher on a blocking {@link MqttClient}: a writer thread sends messages 0, 1, 2, ... on a
 * time schedule (or as fast as the window allows), a reader thread records which ones the broker
 * acknowledged (PUBACK) and when the last one came. The payload is {@link PublishFrame}'s: publisher
 * index, sequence number, send time, padding. It runs until every message is acknowledged or the
 * connection ends (the broker was killed); the caller watches with {@link #awaitAcked}.
 */
final class AckedPublisher {
    private final MqttClient client;
    private final PublishFrame frame;
    private final long count;
    private final double rate;
    private final int window;
    private final Semaphore permits;
    private final long[] sequenceOf = new long[65536];
    private final boolean[] inFlight = new boolean[65536];
    private final SequenceSet acked = new SequenceSet();
    private final Thread writer;
    private final Thread reader;
    private int nextPacketId = 1;
    private volatile long sent;
    private volatile long ackedCount;
    private volatile long lastAckNanos;
    private volatile long startNanos;
    private volatile long doneNanos;
    private volatile String error;
    private volatile boolean ended;

    /**
     * @param rate messages per second, 0 for as fast as the window allows
     */
    AckedPublisher(MqttClient client, String topic, int publisherIndex, int payloadBytes, long count, double rate, int window) {
        this.client = client;
        this.frame = new PublishFrame(topic, 1, payloadBytes, publisherIndex);
        this.count = count;
        this.rate = rate;
        this.window = window;
        this.permits = new Semaphore(window);
        this.writer = new Thread(this::writeLoop, "publisher-writer-" + client.clientId);
        this.reader = new Thread(this::readLoop, "publisher-reader-" + client.clientId);
        writer.setDaemon(true);
        reader.setDaemon(true);
    }

    AckedPublisher start() throws IOException {
        client.readTimeout(0);
        startNanos = System.nanoTime();
        reader.start();
        writer.start();
        return this;
    }

    private void writeLoop() {
        ByteBuffer buffer = ByteBuffer.allocate(frame.size());
        try {
            for (long seq = 0; seq < count && !ended; seq++) {
                if (rate > 0) {
                    long due = startNanos + (long) (seq / rate * 1e9);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        client.flush();
                        LockSupport.parkNanos(wait);
                    }
                }
                if (!permits.tryAcquire()) {
                    client.flush();
                    while (!permits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                        if (ended) {
                            return;
                        }
                    }
                }
                int packetId;
                synchronized (this) {
                    while (inFlight[nextPacketId]) {
                        nextPacketId = nextPacketId == 65535 ? 1 : nextPacketId + 1;
                    }
                    packetId = nextPacketId;
                    inFlight[packetId] = true;
                    sequenceOf[packetId] = seq;
                    nextPacketId = packetId == 65535 ? 1 : packetId + 1;
                }
                buffer.clear();
                frame.put(buffer, packetId, seq, System.nanoTime());
                client.write(buffer);
                sent = seq + 1;
            }
            client.flush();
        } catch (IOException e) {
            fail("writing: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void readLoop() {
        try {
            while (!ended) {
                MqttClient.Packet p = client.read();
                if (p == null || p.type() != Mqtt.PUBACK) {
                    continue;
                }
                int packetId = p.packetId();
                long seq;
                synchronized (this) {
                    if (!inFlight[packetId]) {
                        continue; // not ours: ignored
                    }
                    inFlight[packetId] = false;
                    seq = sequenceOf[packetId];
                    acked.add(seq);
                }
                lastAckNanos = System.nanoTime();
                permits.release();
                long n = ++ackedCount;
                if (n == count) {
                    doneNanos = lastAckNanos;
                    synchronized (this) {
                        notifyAll();
                    }
                    return;
                }
                if (n % 64 == 0) {
                    synchronized (this) {
                        notifyAll();
                    }
                }
            }
        } catch (IOException e) {
            fail("reading: " + e.getMessage());
        }
    }

    private void fail(String why) {
        if (error == null && !ended) {
            error = why;
        }
        ended = true;
        synchronized (this) {
            notifyAll();
        }
    }

    /** Waits until at least {@code n} messages are acknowledged, the connection ended, or the timeout; true when reached. */
    boolean awaitAcked(long n, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (this) {
            while (ackedCount < n && !ended) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return false;
                }
                wait(Math.min(left, 50));
            }
        }
        return ackedCount >= n;
    }

    /** Stops both threads (the broker is gone, or the run is over) and closes the connection. */
    void end() throws InterruptedException {
        ended = true;
        client.close();
        writer.join(5000);
        reader.join(5000);
    }

    long sent() {
        return sent;
    }

    long ackedCount() {
        return ackedCount;
    }

    /** The acknowledged sequence numbers; read it after {@link #end}. */
    SequenceSet acked() {
        return acked;
    }

    long lastAckNanos() {
        return lastAckNanos;
    }

    /** Seconds from the start to the last acknowledgement (NaN if nothing was acknowledged). */
    double seconds() {
        long last = doneNanos != 0 ? doneNanos : lastAckNanos;
        return last == 0 ? Double.NaN : (last - startNanos) / 1e9;
    }

    /** Why the connection ended early (null when it did not). */
    String error() {
        return error;
    }
}
