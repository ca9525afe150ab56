package io.switchboard.testkit;

import io.switchboard.api.MessageModule;
import io.switchboard.api.Worker;

/**
 * A {@link Worker} double with working per-module state. Give it to {@link ModuleProbe#on(Worker)} so
 * that {@link FakeHost#currentWorker()} returns it during the probe's calls.
 */
public final class FakeWorker implements Worker {

    private final int index;
    private final String name;
    private final StateMap states = new StateMap();

    /** Worker {@code index}, named {@code switchboard-worker-<index>}. */
    public FakeWorker(int index) {
        this(index, "switchboard-worker-" + index);
    }

    /** Worker {@code index} named {@code name}. */
    public FakeWorker(int index, String name) {
        this.index = index;
        this.name = name;
    }

    /** How many modules keep state on this worker (0 after they released it). */
    public int stateCount() {
        return states.size();
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

    @Override
    public String toString() {
        return "FakeWorker[" + index + " " + name + "]";
    }
}
