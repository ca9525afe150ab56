package io.switchboard.cluster.internal.sessions;

import java.util.Map;
import java.util.TreeMap;

import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;

/**
 * The Gogo command {@code sb:clustersessions}: which node owns which client id's session, with the records the
 * cluster keeps of it per space, and this node's session moves.
 */
public final class SessionsCommand {

    private static final int MAX_ROWS = 200;

    private final Ownership ownership;
    private final IMap<String, byte[]> records;
    private final SessionMoves moves;

    SessionsCommand(Ownership ownership, IMap<String, byte[]> records, SessionMoves moves) {
        this.ownership = ownership;
        this.records = records;
        this.moves = moves;
    }

    /** Every owned session (the first {@value #MAX_ROWS} by client id). */
    public String clustersessions() {
        return format(null);
    }

    /** The session of one client id. */
    public String clustersessions(String clientId) {
        return format(clientId);
    }

    private String format(String only) {
        Map<String, String> owners = new TreeMap<>(only == null ? ownership.owners()
                : ownership.owners().getAll(java.util.Set.of(only)));
        long[] counts = moves.counts();
        StringBuilder out = new StringBuilder();
        out.append("node '").append(ownership.self()).append("' holds ").append(ownership.heldCount())
                .append(" session(s); moved in ").append(counts[0]).append(", moved out ").append(counts[1])
                .append(", taken from nodes that left ").append(counts[2]).append('\n');
        out.append(String.format("%-32s %-12s %8s %8s %8s%n", "CLIENT", "OWNER", "SESSION", "QUEUED", "INBOUND"));
        int rows = 0;
        for (Map.Entry<String, String> owner : owners.entrySet()) {
            if (rows++ == MAX_ROWS) {
                out.append("... ").append(owners.size() - MAX_ROWS).append(" more\n");
                break;
            }
            Map<String, Integer> perSpace = new TreeMap<>();
            for (String key : records.keySet(Predicates.partitionPredicate(owner.getKey(), Predicates.alwaysTrue()))) {
                if (RecordKeys.clientId(RecordKeys.recordKey(key)).equals(owner.getKey())) {
                    perSpace.merge(RecordKeys.space(key), 1, Integer::sum);
                }
            }
            out.append(String.format("%-32s %-12s %8d %8d %8d%n", owner.getKey(), owner.getValue(),
                    perSpace.getOrDefault("mqtt.sessions", 0), perSpace.getOrDefault("mqtt.queue", 0),
                    perSpace.getOrDefault("mqtt.inbound", 0)));
        }
        return out.toString();
    }
}
