package io.switchboard.api.admin;

import org.osgi.annotation.versioning.ProviderType;

/**
 * This node's view of the cluster of nodes forming one broker, for the shell and metrics (since 1.2). Registered by
 * the cluster bundle while the node is a member; a single node registers none.
 */
@ProviderType
public interface ClusterStatistics {

    /** The members and the forwarded message counts now. */
    ClusterStats cluster();
}
