package io.switchboard.api.broker;

import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A front door that keeps persistent sessions as records in its store, so that another node of the broker can take
 * them over ({@link SessionHandover}): registered by the front door, used by a cluster bundle. A record belongs to a
 * session when its key is the session's client id or starts with the client id and {@code '\0'}.
 *
 * @since 2.3
 */
@ConsumerType
public interface SessionHolder {

    /**
     * Another node takes {@code clientId}'s session: the connection holding it here closes ("session taken over"),
     * the session leaves this broker as in {@link ClientSession#release} (its subscriptions go, nothing more reaches
     * it here) and its last changes are written. Completes at once when this node does not hold it.
     *
     * @param reason why, for the log and the client (e.g. which node took it)
     * @return completes when the session has left and its records are written
     */
    CompletionStage<Void> letGo(String clientId, String reason);

    /**
     * The records of {@code clientId}'s session, as another node kept them, become a session here: offline, with its
     * subscriptions, queued and in-flight messages, restored in the broker ({@link Broker#restore}) so that a login
     * resumes it. Nothing happens without the session's main record.
     *
     * @param records by space, then key, as the other node wrote them to its store
     * @param lostAt when the node that held the session was last known to hold it (epoch ms): a session whose
     *        connection was still open there went offline then, and its will is due from then
     */
    void take(String clientId, Map<String, SortedMap<String, byte[]>> records, long lostAt);

    /** Whether this front door has a session of {@code clientId}, or a login of it in progress. */
    boolean holds(String clientId);
}
