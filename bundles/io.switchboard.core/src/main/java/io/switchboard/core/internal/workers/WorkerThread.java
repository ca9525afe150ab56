package io.switchboard.core.internal.workers;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.switchboard.api.MessageModule;
import io.switchboard.api.Worker;
import io.switchboard.core.internal.modules.ModuleCounting;
import io.switchboard.core.internal.modules.ModuleEntry;
import io.switchboard.core.internal.modules.ModuleStates;
import io.switchboard.core.internal.modules.Quarantine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One broker worker: a thread with its own task queue. Everything about a session runs on the
 * session's worker, in order, so session state needs no locks and each publisher's order is kept.
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
    private final LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
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
        tasks.add(STOP);
        thread.join(millis);
        if (thread.isAlive()) {
            LOG.warn("{} did not stop within {} ms (a module callback is still running); abandoning it", name, millis);
        }
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
    }

    /** Whether the calling thread is this worker's thread now (false on an abandoned thread). */
    public boolean isCurrent() {
        return Thread.currentThread() == thread;
    }

    private void loop(boolean first) {
        CoreContext.enterWorker(this);
        try {
            if (first) {
                onStart.run();
            }
            while (isCurrent()) {
                Runnable task = stopping ? tasks.poll() : tasks.poll(1, TimeUnit.SECONDS);
                if (task == STOP) {
                    stopping = true;
                    onStop.run();
                    break;
                }
                if (task == null && stopping) {
                    break; // a replacement has finished the stop callbacks handed over to it
                }
                if (task != null) {
                    try {
                        task.run();
                    } catch (Throwable t) {
                        LOG.error("{}: task failed", name, t);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            CoreContext.leaveWorker();
            if (!isCurrent()) {
                quarantine.abandonedThreadEnded(); // abandoned, and its blocked call has returned
            }
        }
    }

    /** Counts the decisions of the chain runs on this worker into the modules' counters. */
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
