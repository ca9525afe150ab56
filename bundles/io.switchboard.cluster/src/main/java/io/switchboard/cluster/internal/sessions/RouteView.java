package io.switchboard.cluster.internal.sessions;

import java.util.Collection;
import java.util.Set;

/** What a session move asks of the cluster's routes: this node's filters, and whether another node's are in view. */
public interface RouteView {

    /** The filters this node has subscriptions to now. */
    Set<String> ownFilters();

    /** Whether this node routes to {@code node} for every one of {@code filters}. */
    boolean sees(String node, Collection<String> filters);
}
