package io.switchboard.cluster.internal;

import java.util.Set;
import java.util.TreeSet;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;

/** The node names of a cluster's current members. */
public final class MemberNames {

    private MemberNames() {
    }

    /** The names (member attribute {@code attribute}) of the current members, the local one included, sorted. */
    public static Set<String> of(HazelcastInstance hazelcast, String attribute) {
        Set<String> names = new TreeSet<>();
        for (Member member : hazelcast.getCluster().getMembers()) {
            String name = member.getAttribute(attribute);
            if (name != null) {
                names.add(name);
            }
        }
        return names;
    }
}
