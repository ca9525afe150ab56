package io.switchboard.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A broker worker thread: the thread that runs the module callbacks of the sessions assigned to it.
 * Modules keep per-worker resources (a connection, a buffer) here, used without locks.
 */
@ProviderType
public interface Worker {

    /** The worker's index, from 0. */
    int index();

    /** The worker thread's name. */
    String name();

    /** The state {@code owner} keeps on this worker, or {@code null} if none or of another type. */
    <T> T state(MessageModule owner, Class<T> type);

    /** Keeps {@code state} on this worker for {@code owner}; {@code null} removes it. Call on the worker's own thread. */
    void setState(MessageModule owner, Object state);
}
