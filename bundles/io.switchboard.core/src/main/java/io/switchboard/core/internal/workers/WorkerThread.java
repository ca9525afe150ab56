package io.switchboard.core.internal.workers;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import io.switchboard.api.MessageModule;
import io.switchboard.api.ModuleProperties;
import io.switchboard.api.Worker;
import io.switchboard.core.internal.chain.ChainRun;
import io.switchboard.core.internal.modules.ModuleCounting;
import io.switchboard.core.internal.modules.ModuleEntry;
import io.switchboard.core.internal.modules.ModuleStates;
import io.switchboard.core.internal.modules.Quarantine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One broker worker: a thread with its own task queue. Everything about a session runs on the
 * session's worker, in order, so session state needs no locks and each publisher's order is kept.
 *
 * <p>"On the worker" means holding the worker ({@link #holder}), not being its thread: another thread may run a
 * task as the worker ({@link #runHereIfIdle}) when the worker is idle with nothing queued, which keeps every
 * guarantee of a task run by the worker's own thread (one holder at a time, the queue's order, the worker's
 * state and counters) and saves the hand-off between threads. Its own thread runs what is queued.
 */
public final class WorkerThread implements Worker, Executor {

    private static final Logger LOG = LoggerFactory.getLogger(WorkerThread.class);
    private static final Runnable STOP = () -> {
    };
    /** How often the watchdog looks for module calls that overran their budget. */
    public static final long WATCHDOG_PERIOD_MILLIS = 100;

    /** What made a watched module call: it goes on without that call when the watchdog cuts the call off. */
    public interface Overrunnable {
        /** On the worker's new thread: {@code entry}'s call, started at {@code started} (nanoTime), was cut off. */
        void overran(ModuleEntry entry, long started);
    }

    private final int index;
    private final String name;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** The thread acting as this worker now (its own, or one in {@link #runHereIfIdle}); null while idle. */
    private final AtomicReference<Thread> holder = new AtomicReference<>();
    /** The own thread is parked waiting for a task or for the holder: {@link #execute} must wake it. */
    private volatile boolean parked;
    /** Tasks may run on other threads: the modules have started here and the worker is not stopping. */
    private volatile boolean runsElsewhere;
    private volatile boolean stopRequested;
    private final ModuleStates states = new ModuleStates();
    private final ModuleCounting counting;
    private final Quarantine quarantine;
    /** Modules whose onWorkerStart ran here (or that joined here); confined to this thread. */
    final Set<ModuleEntry> joined = new HashSet<>();
    private final Runnable onStart;
    private final Runnable onStop;
    private volatile Thread thread;
    /** Set when STOP is taken: a thread replacing one blocked in the stop callbacks finishes them, then ends. */
    private volatile boolean stopping;

    // The module call running now, watched for overruns: token 0 means none. The plain fields are written
    // before the token and read after it (release/acquire), so the watchdog sees the call of the token it
    // read; its compareAndSet then proves that call is still running.
    private final AtomicLong callToken = new AtomicLong();
    private long callSequence;
    private ModuleEntry callEntry;
    private long callStarted;
    private Overrunnable callRun;
    /** The watched call runs on another thread than the worker's own (see runHereIfIdle): it cannot be cut off. */
    private boolean callElsewhere;
    /** The last call on another thread that the watchdog reported as overrunning. */
    private long reportedToken;
    /** Finished chain runs kept for the next ones (see ChainRun.start); used by the holder only. */
    private final ChainRun[] spareRuns = new ChainRun[4];
    private int spareRunCount;

    public WorkerThread(int index, Quarantine quarantine, Runnable onStart, Runnable onStop) {
        this.index = index;
        this.name = "switchboard-worker-" + index;
        this.quarantine = quarantine;
        this.counting = new ModuleCounting(this, quarantine);
        this.onStart = onStart;
        this.onStop = onStop;
        this.thread = newThread(true);
    }

    private Thread newThread(boolean first) {
        Thread t = new Thread(() -> loop(first), first ? name : name + "-replacement");
        t.setDaemon(true);
        return t;
    }

    void start() {
        thread.start();
    }

    /** Marks the start (at {@code started}, nanoTime) of a synchronous module call made by {@code run}; returns its token. */
    public long beginCall(ModuleEntry entry, Overrunnable run, long started) {
        callEntry = entry;
        callRun = run;
        callStarted = started;
        callElsewhere = Thread.currentThread() != thread;
        long token = ++callSequence;
        callToken.setRelease(token);
        return token;
    }

    /**
     * Marks the end of a module call. Returns false if the call overran and the watchdog gave its run
     * to a replacement thread: the calling thread must then drop everything and let its stack unwind.
     */
    public boolean endCall(long token) {
        return callToken.compareAndSet(token, 0);
    }

    /**
     * Called by the watchdog: if a module call has blocked this worker past the module's budget, the
     * worker goes on in a new thread (the blocked one is abandoned) and the call's run continues there
     * without it, so one hanging module cannot stop the sessions of its worker. When the quarantine allows no
     * more abandoned threads, the module is quarantined instead and the worker waits for its call.
     */
    void checkOverrun(long now) {
        long token = callToken.getAcquire();
        if (token == 0) {
            return;
        }
        ModuleEntry entry = callEntry;
        Overrunnable run = callRun;
        long started = callStarted;
        if (entry == null || run == null
                || now - started <= TimeUnit.MILLISECONDS.toNanos(entry.description().timeoutMillis())) {
            return;
        }
        if (callElsewhere) {
            // a network thread's call (the module declared itself non-blocking): nothing to hand over, say who blocks it
            if (reportedToken != token) {
                reportedToken = token;
                Thread blocked = holder.get();
                LOG.error("Module '{}' declares itself non-blocking ({}) but has blocked thread '{}' for more than its "
                        + "budget of {} ms, stalling every connection that thread reads; its failure policy applies when "
                        + "the call returns. Remove the declaration or stop blocking.", entry.name(),
                        ModuleProperties.NON_BLOCKING, blocked == null ? "?" : blocked.getName(),
                        entry.description().timeoutMillis());
            }
            return;
        }
        if (!quarantine.reserveAbandonedThread(entry)) {
            return; // at the limit: the module is quarantined, its call keeps the thread
        }
        if (!callToken.compareAndSet(token, 0)) {
            quarantine.abandonedThreadEnded(); // the call ended meanwhile: nothing abandoned
            return;
        }
        Thread blocked = thread;
        // the replacement's tokens go on after the abandoned call's, so that call's late endCall never matches one
        callSequence = token;
        Thread replacement = newThread(false);
        thread = replacement;
        holder.compareAndSet(blocked, null);
        LOG.error("Module '{}' has blocked {} for more than its budget of {} ms; the worker goes on in a new thread and "
                + "the blocked thread is abandoned ({} abandoned now). Stack of the blocked call:{}", entry.name(), name,
                entry.description().timeoutMillis(), quarantine.abandonedThreads(), stackOf(blocked));
        // queued before the replacement starts: one replacing a thread blocked in the stop callbacks ends when idle
        execute(() -> run.overran(entry, started));
        replacement.start();
    }

    private static String stackOf(Thread t) {
        StringBuilder b = new StringBuilder();
        for (StackTraceElement e : t.getStackTrace()) {
            b.append("\n\tat ").append(e);
        }
        return b.toString();
    }

    /** Runs the stop callbacks after the queued tasks, then ends the thread; waits up to {@code millis}. */
    void stop(long millis) throws InterruptedException {
        stopRequested = true;
        runsElsewhere = false;
        execute(STOP);
        thread.join(millis);
        if (thread.isAlive()) {
            LOG.warn("{} did not stop within {} ms (a module callback is still running); abandoning it", name, millis);
        }
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        if (parked) {
            LockSupport.unpark(thread);
        }
    }

    /**
     * Runs {@code task} on the calling thread as this worker, if the worker is idle with nothing queued; else
     * returns false and the caller queues it ({@link #execute}). Only for tasks that never block: the caller's
     * thread (a network thread) waits for it, and a call cannot be cut off by the watchdog there.
     */
    public boolean runHereIfIdle(Runnable task) {
        Thread me = Thread.currentThread();
        if (!runsElsewhere || !tasks.isEmpty() || !holder.compareAndSet(null, me)) {
            return false;
        }
        WorkerThread previous = CoreContext.worker();
        try {
            // queued between the check and taking the worker: it goes first, so this one must be queued behind it
            if (!tasks.isEmpty()) {
                return false;
            }
            CoreContext.enterWorker(this);
            task.run();
        } catch (Throwable t) {
            LOG.error("{}: task failed on {}", name, me.getName(), t);
        } finally {
            CoreContext.restoreWorker(previous);
            holder.compareAndSet(me, null);
            if (!tasks.isEmpty()) {
                LockSupport.unpark(thread);
            }
        }
        return true;
    }

    /**
     * Runs {@code task} on the calling thread as this worker when it is idle ({@link #runHereIfIdle}), else queues it:
     * for a task that calls no module, or only modules that promised not to block, saving the hand-off.
     */
    public void runHereOrQueue(Runnable task) {
        if (!runHereIfIdle(task)) {
            execute(task);
        }
    }

    /** Nothing queued and nothing running: the next {@link #runHereIfIdle} runs (barring a race). */
    public boolean isIdle() {
        return holder.get() == null && tasks.isEmpty();
    }

    /** Whether the calling thread acts as this worker now (false on an abandoned thread). */
    public boolean isCurrent() {
        return holder.get() == Thread.currentThread();
    }

    private void loop(boolean first) {
        Thread me = Thread.currentThread();
        CoreContext.enterWorker(this);
        try {
            if (first) {
                hold(me);
                try {
                    onStart.run();
                } finally {
                    holder.compareAndSet(me, null);
                }
                runsElsewhere = !stopRequested;
            }
            while (me == thread) {
                if (tasks.isEmpty() && stopping) {
                    break; // a replacement has finished the stop callbacks handed over to it
                }
                if (!tasks.isEmpty() && holder.compareAndSet(null, me)) {
                    try {
                        if (runQueued(me)) {
                            break;
                        }
                    } finally {
                        holder.compareAndSet(me, null);
                    }
                } else {
                    parkUntilWork();
                }
            }
        } finally {
            CoreContext.leaveWorker();
            if (me != thread) {
                quarantine.abandonedThreadEnded(); // abandoned, and its blocked call has returned
            }
        }
    }

    /** Runs the queued tasks while holding the worker; returns true once the stop callbacks have run. */
    private boolean runQueued(Thread me) {
        Runnable task;
        while (holder.get() == me && (task = tasks.poll()) != null) {
            if (task == STOP) {
                stopping = true;
                runsElsewhere = false;
                onStop.run();
                return true;
            }
            try {
                task.run();
            } catch (Throwable t) {
                LOG.error("{}: task failed", name, t);
            }
        }
        return false;
    }

    /** Waits for a task, or for another thread running a task here to let go of the worker (it wakes this one). */
    private void parkUntilWork() {
        parked = true;
        try {
            if (tasks.isEmpty() || holder.get() != null) {
                LockSupport.parkNanos(this, TimeUnit.SECONDS.toNanos(1));
            }
            if (Thread.interrupted()) {
                // a module interrupted its worker: parking would return at once forever; the worker goes on
                LOG.warn("{} was interrupted (by a module?); interrupts of a worker are ignored", name);
            }
        } finally {
            parked = false;
        }
    }

    /** Takes the worker at the start, before other threads may run tasks here. */
    private void hold(Thread me) {
        while (!holder.compareAndSet(null, me)) {
            parkUntilWork();
        }
    }

    /** Counts the decisions of the chain runs on this worker into the modules' counters. */
    /** The worker's own thread: another one after the watchdog replaced a blocked one. */
    public Thread ownThread() {
        return thread;
    }

    /** A chain run kept by {@link #keepSpareRun}, or null; for the thread holding the worker. */
    public ChainRun takeSpareRun() {
        if (spareRunCount == 0) {
            return null;
        }
        ChainRun run = spareRuns[--spareRunCount];
        spareRuns[spareRunCount] = null;
        return run;
    }

    /** Keeps a finished run for reuse (a few: runs nest, e.g. the delivery chain within a message's). */
    public void keepSpareRun(ChainRun run) {
        if (spareRunCount < spareRuns.length) {
            spareRuns[spareRunCount++] = run;
        }
    }

    public ModuleCounting counting() {
        return counting;
    }

    @Override
    public int index() {
        return index;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public <T> T state(MessageModule owner, Class<T> type) {
        return states.get(owner, type);
    }

    @Override
    public void setState(MessageModule owner, Object state) {
        states.set(owner, state);
    }

    void forget(MessageModule owner) {
        states.set(owner, null);
    }

    @Override
    public String toString() {
        return name;
    }
}
