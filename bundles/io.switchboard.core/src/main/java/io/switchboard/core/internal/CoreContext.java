package io.switchboard.core.internal;

/**
 * What the current thread is doing for the broker: which worker it is and how many module hops the
 * message being handled has behind it (to bound loops of modules answering each other).
 */
final class CoreContext {

    private static final ThreadLocal<WorkerThread> WORKER = new ThreadLocal<>();
    private static final ThreadLocal<int[]> HOPS = ThreadLocal.withInitial(() -> new int[1]);

    private CoreContext() {
    }

    static void enterWorker(WorkerThread worker) {
        WORKER.set(worker);
    }

    static void leaveWorker() {
        WORKER.remove();
        HOPS.remove();
    }

    static WorkerThread worker() {
        return WORKER.get();
    }

    /** Hops of the message whose chain runs on this thread now; 0 outside a chain. */
    static int hops() {
        return HOPS.get()[0];
    }

    static void setHops(int hops) {
        HOPS.get()[0] = hops;
    }
}
