package io.switchboard.core.internal;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.switchboard.api.MessageModule;
import io.switchboard.api.Worker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One broker worker: a thread with its own task queue. Everything about a session runs on the
 * session's worker, in order, so session state needs no locks and each publisher's order is kept.
 */
final class WorkerThread implements Worker, Executor {

    private static final Logger LOG = LoggerFactory.getLogger(WorkerThread.class);
    private static final Runnable STOP = () -> {
    };

    private final int index;
    private final String name;
    private final LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
    private final ConcurrentHashMap<MessageModule, Object> states = new ConcurrentHashMap<>();
    /** Modules whose onWorkerStart ran here (or that joined here); confined to this thread. */
    final Set<ModuleEntry> joined = new HashSet<>();
    private final Thread thread;
    private final Runnable onStart;
    private final Runnable onStop;

    WorkerThread(int index, Runnable onStart, Runnable onStop) {
        this.index = index;
        this.name = "switchboard-worker-" + index;
        this.onStart = onStart;
        this.onStop = onStop;
        this.thread = new Thread(this::loop, name);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
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

    boolean isCurrent() {
        return Thread.currentThread() == thread;
    }

    int queued() {
        return tasks.size();
    }

    private void loop() {
        CoreContext.enterWorker(this);
        try {
            onStart.run();
            while (true) {
                Runnable task = tasks.poll(1, TimeUnit.SECONDS);
                if (task == STOP) {
                    break;
                }
                if (task != null) {
                    try {
                        task.run();
                    } catch (Throwable t) {
                        LOG.error("{}: task failed", name, t);
                    }
                }
            }
            onStop.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            CoreContext.leaveWorker();
        }
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
        Object state = states.get(owner);
        return type.isInstance(state) ? type.cast(state) : null;
    }

    @Override
    public void setState(MessageModule owner, Object state) {
        if (state == null) {
            states.remove(owner);
        } else {
            states.put(owner, state);
        }
    }

    void forget(MessageModule owner) {
        states.remove(owner);
    }

    @Override
    public String toString() {
        return name;
    }
}
