package io.switchboard.core.internal.workers;

/**
 * What the current thread is doing for the broker: which worker it is and how many module hops the
 * message being handled has behind it (to bound loops of modules answering each other).
 */
public final class CoreContext {

    private static final ThreadLocal<WorkerThread> WORKER = new ThreadLocal<>();
    private static final ThreadLocal<int[]> HOPS = ThreadLocal.withInitial(() -> new int[1]);

    private CoreContext() {
    }

    public static void enterWorker(WorkerThread worker) {
        WORKER.set(worker);
    }

    public static void leaveWorker() {
        WORKER.remove();
        HOPS.remove();
    }

    /** Puts back what {@link #worker()} was before a thread acted as a worker for a while. */
    public static void restoreWorker(WorkerThread previous) {
        if (previous == null) {
            WORKER.remove();
        } else {
            WORKER.set(previous);
        }
    }

    public static WorkerThread worker() {
        return WORKER.get();
    }

    /** Hops of the message whose chain runs on this thread now; 0 outside a chain. */
    public static int hops() {
        return HOPS.get()[0];
    }

    public static void setHops(int hops) {
        HOPS.get()[0] = hops;
    }
}
