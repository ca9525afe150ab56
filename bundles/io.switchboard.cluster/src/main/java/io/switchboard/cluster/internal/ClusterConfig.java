package io.switchboard.cluster.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of this node's membership in a cluster (PID {@code io.switchboard.cluster}). Without it the cluster
 * component does not start and the broker is a single node. Read and checked by {@link ClusterSettings}; values are
 * text so that a bad one is refused by name rather than read as 0.
 */
@ObjectClassDefinition(name = "Switchboard cluster", description = "Several Switchboard nodes as one broker (embedded Hazelcast, TCP-IP join)")
public @interface ClusterConfig {

    @AttributeDefinition(name = "node.name", description = "This node's name, unique in the cluster (letters, digits, '.', '_', '-')")
    String node_name();

    @AttributeDefinition(name = "members", description = "Comma-separated host:port of the members to join (this node's own may be among them)")
    String members();

    @AttributeDefinition(name = "host", description = "The address the cluster port binds to; loopback unless the members are on other machines")
    String host() default ClusterSettings.DEFAULT_HOST;

    @AttributeDefinition(name = "port", description = "The cluster port of this node (1-65535)")
    String port() default "5701";

    @AttributeDefinition(name = "backup.count", description = "Copies of the cluster's partitioned data kept on other members (0-6)")
    String backup_count() default "1";

    @AttributeDefinition(name = "forward.timeout.ms", description = "How long a node may take to confirm a QoS 1/2 message forwarded to it; past it the publisher gets no acknowledgement (100-600000)")
    String forward_timeout_ms() default "5000";

    @AttributeDefinition(name = "cluster.name", description = "Members only join a cluster of the same name")
    String cluster_name() default ClusterSettings.DEFAULT_CLUSTER_NAME;
}
