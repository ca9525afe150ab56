/**
 * What operators' tools (the Gogo shell, a console) see of the running broker: its modules and their
 * counters, the chain per event, dry-run traces, switches and statistics.
 *
 * <p>1.2.0: {@link io.switchboard.api.admin.ClusterStatistics} and {@link io.switchboard.api.admin.ClusterStats}, a
 * node's view of its cluster (members, routes, forwarded counts). Additions only.
 */
@Export
@Version("1.2.0")
package io.switchboard.api.admin;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
