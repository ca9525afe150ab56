package io.switchboard.cluster.internal.sessions;

import com.hazelcast.config.Config;

/** A Hazelcast member for tests: alone on loopback, no join, no phone-home. */
public final class TestMembers {

    private TestMembers() {
    }

    public static Config config(String clusterName) {
        Config config = new Config();
        config.setClusterName(clusterName);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.logging.type", "slf4j");
        config.setProperty("hazelcast.operation.fail.on.indeterminate.state", "true"); // as HazelcastSetup
        config.getNetworkConfig().setPort(0).setPortAutoIncrement(false);
        config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        config.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
        config.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
        config.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(false);
        ClusterSessions.configure(config, 0);
        return config;
    }
}
