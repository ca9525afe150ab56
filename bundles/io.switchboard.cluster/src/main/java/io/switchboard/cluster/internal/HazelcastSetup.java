package io.switchboard.cluster.internal;

import java.util.ArrayList;
import java.util.UUID;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.switchboard.cluster.internal.presence.ClusterPresence;
import io.switchboard.cluster.internal.sessions.ClusterSessions;

/** The Hazelcast member configuration of a node, from its checked settings. */
final class HazelcastSetup {

    private HazelcastSetup() {
    }

    /** Hazelcast for this node: TCP-IP join on the configured members only, no multicast, no phone-home. */
    static Config config(ClusterSettings settings, String nodeAttribute, String runAttribute) {
        Config config = new Config();
        // Hazelcast finds its own services and serializers through this loader; we hand it bytes and strings only
        config.setClassLoader(Config.class.getClassLoader());
        config.setClusterName(settings.clusterName());
        config.setInstanceName("switchboard-" + settings.nodeName());
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.shutdownhook.enabled", "false"); // the framework stops us (deactivate)
        config.setProperty("hazelcast.logging.type", "slf4j");
        config.setProperty("hazelcast.socket.bind.any", "false");
        config.setProperty("hazelcast.health.monitoring.level", "OFF"); // its load reports would fill the log
        // a write whose backups did not answer in time (5 s) fails instead of passing as written: the records and
        // owners a PUBACK or a session move waits for must exist on backup.count + 1 members (a write during a
        // partition migration once passed with one copy, and a SIGKILL of that member lost it)
        config.setProperty("hazelcast.operation.fail.on.indeterminate.state", "true");
        // a starting node waits up to 5 s (not 20) for the other members to answer; nodes started together may
        // then each form a cluster of one: look for the others soon, and merge
        config.setProperty("hazelcast.wait.seconds.before.join", "1");
        config.setProperty("hazelcast.max.wait.seconds.before.join", "5");
        config.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
        config.setProperty("hazelcast.merge.next.run.delay.seconds", "10");
        config.getMemberAttributeConfig().setAttribute(nodeAttribute, settings.nodeName());
        config.getMemberAttributeConfig().setAttribute(runAttribute, UUID.randomUUID().toString());
        config.getMapConfig("default").setBackupCount(settings.backupCount());
        ClusterSessions.configure(config, settings.backupCount());
        ClusterPresence.configure(config);
        NetworkConfig network = config.getNetworkConfig();
        network.setPort(settings.port()).setPortAutoIncrement(false);
        network.getInterfaces().setEnabled(true).addInterface(settings.host());
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).setMembers(new ArrayList<>(settings.members()));
        return config;
    }
}
