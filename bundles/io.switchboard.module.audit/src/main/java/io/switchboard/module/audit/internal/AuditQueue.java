package io.switchboard.module.audit.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.switchboard.api.Verdict;

/**
 * The lines between the broker's threads and the writer thread, and the back-pressure that keeps them
 * lossless without ever blocking a broker thread.
 *
 * <ul>
 * <li>A message line goes into the queue while it holds fewer than {@code capacity} lines and no earlier
 * message line waits. Otherwise, with {@link Overflow#WAIT}, it waits here, in arrival order, and the caller
 * gets a future that completes once the writer took the line into the queue: the module returns it as
 * {@code Verdict.later}, so that publisher's next step waits (the core keeps each publisher's order and stops
 * reading its connection) while no thread blocks. With {@link Overflow#DROP} it is dropped and counted.</li>
 * <li>A status or decision line (an observation: nothing to hold back) goes in while the queue holds fewer
 * than {@code capacity + allowance} lines; with {@link Overflow#WAIT} the allowance is {@code capacity} again,
 * so observations never wait and messages are held back whenever observations filled the queue. Only beyond
 * the allowance is an observation dropped, and counted.</li>
 * <li>The writer swaps the whole queue out in one step ({@link #take}), so a batch costs one lock.</li>
 * <li>The writer is woken by the first line after it went idle, then lingers up to {@link #LINGER_NANOS} for a
 * batch to gather unless the queue reaches an eighth of its capacity or a message waits. Without it, at a
 * moderate rate every line cost a thread wake-up and a write system call of its own (measured in the
 * distribution: a third of the broker's CPU per message at 5,000 msg/s); with it, one per 20 ms. Lines reach
 * the file at most that much later; a broker crash loses the queued lines either way (no line is synced).</li>
 * </ul>
 *
 * <p>One lock guards everything: it is held for a few field updates only, and the writer takes it once per
 * batch, not per line.
 */
final class AuditQueue {

    /** What happens to a message line when the queue is full. */
    enum Overflow {
        /** The line waits, and its publisher with it (the line is kept). */
        WAIT,
        /** The line is dropped and counted (a sampling log). */
        DROP
    }

    /** A message line waiting for room, and the decision its publisher waits for. */
    record Waiting(AuditEntry entry, CompletableFuture<Verdict> decision, long since) {
    }

    /** How long the writer lets a batch gather once a line arrived (20 ms). */
    static final long LINGER_NANOS = 20_000_000;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final int capacity;
    /** The queue size that ends the writer's linger. */
    private final int batchSize;

    // guarded by lock
    private ArrayList<AuditEntry> entries;
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    /** The queue size at which adding a line wakes the writer: 1 while it is idle, {@link #batchSize} while it lingers. */
    private int wakeAt = Integer.MAX_VALUE;
    private boolean closed;
    private long droppedMessages;
    private long droppedObservations;
    private long droppedClosed;
    private long waited;

    AuditQueue(int capacity) {
        this.capacity = capacity;
        this.batchSize = Math.max(1, capacity / 8);
        this.entries = new ArrayList<>(Math.min(capacity, 65_536));
    }

    int capacity() {
        return capacity;
    }

    /**
     * Queues a message line.
     *
     * @return {@code null} when the line is queued or dropped (the message passes now), or the decision to
     *         return as {@code Verdict.later}: it completes with {@code pass} once the line is queued
     */
    CompletableFuture<Verdict> offerMessage(AuditEntry entry, Overflow overflow) {
        lock.lock();
        try {
            if (closed) {
                droppedClosed++;
                return null;
            }
            if (waiting.isEmpty() && entries.size() < capacity) {
                add(entry);
                return null;
            }
            if (overflow == Overflow.DROP) {
                droppedMessages++;
                return null;
            }
            CompletableFuture<Verdict> decision = new CompletableFuture<>();
            waiting.add(new Waiting(entry, decision, System.nanoTime()));
            waited++;
            wakeWriter(); // a publisher waits: no lingering
            return decision;
        } finally {
            lock.unlock();
        }
    }

    /** Queues a status or decision line, which never waits; returns whether it was queued (else it was counted). */
    boolean offerObservation(AuditEntry entry, Overflow overflow) {
        lock.lock();
        try {
            if (closed) {
                droppedClosed++;
                return false;
            }
            int limit = overflow == Overflow.WAIT ? capacity * 2 : capacity;
            if (entries.size() >= limit) {
                droppedObservations++;
                return false;
            }
            add(entry);
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void add(AuditEntry entry) {
        entries.add(entry);
        if (entries.size() >= wakeAt) {
            wakeWriter();
        }
    }

    private void wakeWriter() {
        if (wakeAt != Integer.MAX_VALUE) {
            wakeAt = Integer.MAX_VALUE;
            notEmpty.signal();
        }
    }

    /**
     * The writer's step: waits up to {@code timeoutNanos} for a line, lingers for more (see the class comment), then
     * swaps the queued lines out (handing
     * back {@code empty}, a drained list, as the new queue) and lets up to {@code capacity} waiting message
     * lines into the new queue, adding their decisions to {@code released} (complete them outside any lock).
     *
     * @return the lines to write, in order (empty after the timeout), or {@code null} once {@code stopping} and
     *         nothing is left: the queue is then closed and later lines are counted as dropped
     */
    ArrayList<AuditEntry> take(ArrayList<AuditEntry> empty, List<Waiting> released, long timeoutNanos, boolean stopping)
            throws InterruptedException {
        lock.lock();
        try {
            if (entries.isEmpty() && waiting.isEmpty()) {
                if (stopping) {
                    closed = true;
                    return null;
                }
                wakeAt = 1;
                notEmpty.awaitNanos(timeoutNanos);
                wakeAt = Integer.MAX_VALUE;
            }
            if (!stopping && waiting.isEmpty() && !entries.isEmpty() && entries.size() < batchSize) {
                wakeAt = batchSize;
                long linger = LINGER_NANOS;
                while (linger > 0 && wakeAt != Integer.MAX_VALUE) { // not signalled: time left
                    linger = notEmpty.awaitNanos(linger);
                }
                wakeAt = Integer.MAX_VALUE;
            }
            ArrayList<AuditEntry> batch = entries;
            entries = empty;
            while (!waiting.isEmpty() && entries.size() < capacity) {
                Waiting w = waiting.poll();
                entries.add(w.entry());
                released.add(w);
            }
            return batch;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Closes the queue for good (the writer ended): returns the waiting message lines, whose decisions must
     * still be completed, and counts what was queued as lost.
     */
    List<Waiting> close() {
        lock.lock();
        try {
            closed = true;
            droppedClosed += entries.size() + waiting.size();
            entries.clear();
            List<Waiting> left = new ArrayList<>(waiting);
            waiting.clear();
            return left;
        } finally {
            lock.unlock();
        }
    }

    /** The counters, read together. */
    Counts counts() {
        lock.lock();
        try {
            return new Counts(entries.size(), waiting.size(), waited, droppedMessages, droppedObservations, droppedClosed);
        } finally {
            lock.unlock();
        }
    }

    /** Lines queued now (observations may take it past the capacity). */
    int size() {
        lock.lock();
        try {
            return entries.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * @param queued lines in the queue now
     * @param waiting message lines waiting for room now (their publishers wait)
     * @param waited message lines that had to wait, in all
     * @param droppedMessages message lines dropped because the queue was full ({@link Overflow#DROP} only)
     * @param droppedObservations status and decision lines dropped beyond the allowance
     * @param droppedClosed lines that came after the writer stopped, or were still queued when it stopped
     */
    record Counts(int queued, int waiting, long waited, long droppedMessages, long droppedObservations, long droppedClosed) {

        long dropped() {
            return droppedMessages + droppedObservations + droppedClosed;
        }
    }

    /** Wakes the writer if it waits for lines or lingers (to see that it should stop). */
    void wake() {
        lock.lock();
        try {
            wakeWriter();
        } finally {
            lock.unlock();
        }
    }
}
