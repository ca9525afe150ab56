package io.switchboard.api.broker;

import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Moves persistent sessions between the nodes of a broker, when several nodes form one broker: a service a cluster
 * bundle registers and front doors use while it is there (without it the broker is a single node and a login pays one
 * {@code null} check). A front door that keeps sessions registers a {@link SessionHolder}, through which the sessions
 * are let go on one node and taken on another.
 *
 * @since 2.3
 */
@ConsumerType
public interface SessionHandover {

    /**
     * Called before a login of {@code clientId} opens or resumes its session on this node: makes this node the
     * session's owner in the cluster. If another node held the session, that node lets go of it first (if it is
     * alive: it closes the client's connection there, "session taken over") and this node's {@link SessionHolder}
     * takes it ({@link SessionHolder#take}) before the stage completes, so that the login resumes it. Completes at
     * once when this node holds the session already. Returns at once; the stage may complete on another thread.
     *
     * @return completes when the login may go on; exceptionally when the cluster could not decide (the front door
     *         refuses the login as "server unavailable")
     */
    CompletionStage<Void> claim(String clientId);

    /**
     * A session of {@code clientId} ended on this node (closed, expired) or a login of it was refused: unless the
     * front door still holds something of it ({@link SessionHolder#holds}), the cluster forgets that this node owns
     * it. Returns at once.
     */
    void ended(String clientId);
}
