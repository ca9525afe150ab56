package io.switchboard.cluster.internal.presence;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.replicatedmap.ReplicatedMap;
import io.switchboard.cluster.internal.ChangeWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which users are online on which node, for {@code HostServices.isOnline} on every node (docs/cluster.md). The
 * replicated map {@value #PRESENCE} holds one entry per (node, user with a session online there): key
 * {@code node NUL user}, value the run of the node that wrote it (a member attribute, new at each start of the node).
 * Each node writes its own entries only, one write per user's first session online and last one's end (the core
 * counts the sessions), on a thread of its own so that a worker never waits; every node reads its local copy, so an
 * answer costs no network. The value is the run rather than a count of sessions: the node reports only the first
 * and the last, never the ones in between.
 *
 * <p>An entry counts only while its node is a member in the run that wrote it: a node that died or left is not
 * asked for at once, and every member then removes the entries of that run (as routes are forgotten); a node that
 * starts removes what an earlier run of it left. The run, not the node name, decides, so a survivor's late cleanup
 * of a node that died never removes what the same node wrote after restarting.
 */
public final class ClusterPresence implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterPresence.class);

    /** The replicated map of users online: key {@code node + '\0' + user}, value the run of the node. */
    public static final String PRESENCE = "switchboard.presence";
    private static final char SEPARATOR = '\0';

    private final HazelcastInstance hazelcast;
    private final ReplicatedMap<String, String> presence;
    private final String nodeAttribute;
    private final String runAttribute;
    private final String self;
    private final String run;
    /** Writes this node's entries one after another, in the order the core reported the changes. */
    private final ChangeWriter writer = new ChangeWriter("presence");

    /**
     * The presence map fills up before this node uses it: the start's cleanup must see what the other members hold
     * (Hazelcast's default fills a joining member's copy in the background).
     */
    public static void configure(Config config) {
        config.getReplicatedMapConfig(PRESENCE).setAsyncFillup(false);
    }

    /**
     * Takes this node's name and run from its member's attributes {@code nodeAttribute} and {@code runAttribute}, and
     * removes at once what an earlier run of this node and nodes that are no members left.
     */
    public ClusterPresence(HazelcastInstance hazelcast, String nodeAttribute, String runAttribute) {
        this.hazelcast = hazelcast;
        this.presence = hazelcast.getReplicatedMap(PRESENCE);
        this.nodeAttribute = nodeAttribute;
        this.runAttribute = runAttribute;
        Member local = hazelcast.getCluster().getLocalMember();
        this.self = local.getAttribute(nodeAttribute);
        this.run = local.getAttribute(runAttribute);
        forgetEntriesOfOtherRuns();
    }

    /** {@code user}'s first session on this node is online. Returns at once. */
    public void online(String user) {
        writer.write(() -> presence.put(key(self, user), run));
    }

    /** {@code user}'s last session on this node went offline. Returns at once. */
    public void offline(String user) {
        writer.write(() -> presence.remove(key(self, user)));
    }

    /** Whether another member, in its current run, has {@code user} online. Reads the local copy only. */
    public boolean onlineElsewhere(String user) {
        for (Member member : hazelcast.getCluster().getMembers()) {
            if (member.localMember()) {
                continue;
            }
            String node = member.getAttribute(nodeAttribute);
            String value = node == null ? null : presence.get(key(node, user));
            if (value != null && value.equals(member.getAttribute(runAttribute))) {
                return true;
            }
        }
        return false;
    }

    /** Users online per member node now (this one included), as this node's copy holds them; reads every entry. */
    public Map<String, Integer> usersOnlinePerNode() {
        Map<String, String> runs = memberRuns();
        Map<String, Integer> counts = new HashMap<>();
        for (Map.Entry<String, String> entry : presence.entrySet()) {
            String node = nodeOf(entry.getKey());
            if (entry.getValue().equals(runs.get(node))) {
                counts.merge(node, 1, Integer::sum);
            }
        }
        return counts;
    }

    /** {@code member} left the cluster (stopped or died): its run's entries go. Every member does this. */
    public void memberLeft(Member member) {
        String node = member.getAttribute(nodeAttribute);
        String leftRun = member.getAttribute(runAttribute);
        if (node == null || leftRun == null) {
            return;
        }
        String prefix = node + SEPARATOR;
        writer.write(() -> {
            for (String key : new ArrayList<>(presence.keySet())) {
                if (key.startsWith(prefix)) {
                    presence.remove(key, leftRun); // only that run's: a restarted node's entries stay
                }
            }
        });
    }

    /** Finishes the queued writes (up to 5 s); what is left the other members remove when this node leaves. */
    @Override
    public void close() {
        writer.close();
    }

    /**
     * Entries of runs that are no members: an earlier run of this node (it died before the others noticed), or of
     * another node that left while no member was there to clean up.
     */
    private void forgetEntriesOfOtherRuns() {
        Map<String, String> runs = memberRuns();
        for (Map.Entry<String, String> entry : new ArrayList<>(presence.entrySet())) {
            if (!entry.getValue().equals(runs.get(nodeOf(entry.getKey())))) {
                presence.remove(entry.getKey(), entry.getValue());
            }
        }
    }

    /** The current run of each member, by node name. */
    private Map<String, String> memberRuns() {
        Map<String, String> runs = new HashMap<>();
        for (Member member : hazelcast.getCluster().getMembers()) {
            String node = member.getAttribute(nodeAttribute);
            if (node != null) {
                runs.put(node, member.getAttribute(runAttribute));
            }
        }
        return runs;
    }

    static String key(String node, String user) {
        return node + SEPARATOR + user;
    }

    private static String nodeOf(String key) {
        int separator = key.indexOf(SEPARATOR);
        return separator <= 0 ? null : key.substring(0, separator);
    }
}
