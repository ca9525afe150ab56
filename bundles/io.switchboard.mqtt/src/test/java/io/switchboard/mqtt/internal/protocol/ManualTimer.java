package io.switchboard.mqtt.internal.protocol;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A timer whose time passes only when a test says so: {@link #advance} runs, on the calling thread and
 * in due order, the tasks that became due. Lets a test prove what a session expiry or a will delay does
 * (or no longer does) without waiting for it.
 */
final class ManualTimer extends AbstractExecutorService implements ScheduledExecutorService {

    private final List<Task<?>> tasks = new ArrayList<>();
    private final boolean dueAtOnce;
    private long nowNanos;
    private boolean shutdown;

    ManualTimer() {
        this(false);
    }

    /**
     * @param dueAtOnce a task due at once runs inside {@code schedule}, on the caller's thread, as an idle timer
     *        thread may run it before the caller's next statement
     */
    ManualTimer(boolean dueAtOnce) {
        this.dueAtOnce = dueAtOnce;
    }

    /** Lets {@code time} pass and runs the tasks due by then, not cancelled. */
    void advance(Duration time) {
        long until;
        synchronized (this) {
            until = nowNanos + time.toNanos();
        }
        Task<?> due;
        while ((due = nextDue(until)) != null) {
            due.run();
        }
        synchronized (this) {
            nowNanos = until;
        }
    }

    private synchronized Task<?> nextDue(long until) {
        tasks.removeIf(Task::isCancelled);
        Task<?> first = tasks.stream().min(Comparator.comparingLong(t -> t.dueNanos)).orElse(null);
        if (first == null || first.dueNanos > until) {
            return null;
        }
        tasks.remove(first);
        nowNanos = first.dueNanos;
        return first;
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        if (dueAtOnce && delay <= 0) {
            Task<?> task = new Task<>(command, null, delay, unit);
            task.run();
            return task;
        }
        return add(new Task<>(command, null, delay, unit));
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        return add(new Task<>(callable, delay, unit));
    }

    private synchronized <V> Task<V> add(Task<V> task) {
        if (shutdown) {
            throw new java.util.concurrent.RejectedExecutionException("timer shut down");
        }
        tasks.add(task);
        return task;
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        throw new UnsupportedOperationException("the protocol schedules one-shot tasks only");
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        throw new UnsupportedOperationException("the protocol schedules one-shot tasks only");
    }

    @Override
    public void execute(Runnable command) {
        schedule(command, 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public synchronized void shutdown() {
        shutdown = true;
    }

    @Override
    public synchronized List<Runnable> shutdownNow() {
        shutdown = true;
        List<Runnable> pending = new ArrayList<>(tasks);
        tasks.clear();
        return pending;
    }

    @Override
    public synchronized boolean isShutdown() {
        return shutdown;
    }

    @Override
    public synchronized boolean isTerminated() {
        return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return isTerminated();
    }

    private final class Task<V> extends FutureTask<V> implements ScheduledFuture<V> {
        final long dueNanos;

        Task(Runnable command, V result, long delay, TimeUnit unit) {
            super(command, result);
            dueNanos = dueIn(delay, unit);
        }

        Task(Callable<V> callable, long delay, TimeUnit unit) {
            super(callable);
            dueNanos = dueIn(delay, unit);
        }

        private long dueIn(long delay, TimeUnit unit) {
            synchronized (ManualTimer.this) {
                return nowNanos + unit.toNanos(delay);
            }
        }

        @Override
        public long getDelay(TimeUnit unit) {
            synchronized (ManualTimer.this) {
                return unit.convert(dueNanos - nowNanos, TimeUnit.NANOSECONDS);
            }
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
        }
    }
}
