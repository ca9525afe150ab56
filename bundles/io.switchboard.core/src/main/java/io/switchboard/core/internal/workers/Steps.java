package io.switchboard.core.internal.workers;

/**
 * Runs {@code count} steps one after another on a worker, each of which may finish now or later
 * (an asynchronous module decision), then runs {@code done} once. Steps finishing at once are looped,
 * not nested, so thousands of them do not grow the stack; an abandoned worker thread stops at once.
 */
public final class Steps {

    /** One step; it must call {@code next} exactly once, now or later on the worker. */
    @FunctionalInterface
    public interface Step {
        void run(int index, Runnable next);
    }

    private final WorkerThread worker;
    private final int count;
    private final Step step;
    private final Runnable done;
    /** Handed to every step: made once, not per step. */
    private final Runnable stepDone = this::stepDone;
    private int next;
    private boolean waiting;
    private Thread pumping;

    public Steps(WorkerThread worker, int count, Step step, Runnable done) {
        this.worker = worker;
        this.count = count;
        this.step = step;
        this.done = done;
    }

    public void start() {
        pump();
    }

    private void pump() {
        Thread previous = pumping;
        pumping = Thread.currentThread();
        try {
            while (!waiting && next < count && worker.isCurrent()) {
                int index = next++;
                waiting = true;
                step.run(index, stepDone);
            }
            if (!waiting && next == count && worker.isCurrent()) {
                next++; // done runs once
                done.run();
            }
        } finally {
            if (worker.isCurrent()) {
                pumping = previous;
            }
        }
    }

    private void stepDone() {
        waiting = false;
        if (pumping != Thread.currentThread()) {
            pump();
        }
    }
}
