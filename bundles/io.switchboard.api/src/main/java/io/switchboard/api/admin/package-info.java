/**
 * What operators' tools (the Gogo shell, a console) see of the running broker: its modules and their
 * counters, the chain per event, dry-run traces, switches and statistics.
 *
 * <p>1.2.0: {@link io.switchboard.api.admin.ClusterStatistics} and {@link io.switchboard.api.admin.ClusterStats}, a
 * node's view of its cluster (members, routes, forwarded counts). Additions only.
 *
 * <p>1.3.0: {@link io.switchboard.api.admin.ClusterStats#unconfirmed()} (forwarded messages waiting for another
 * node's confirmation) and {@link io.switchboard.api.admin.ClusterStats.Member#usersOnline()} (users online per
 * node) and {@link io.switchboard.api.admin.ClusterStats.Member#sessions()} (sessions per node); the 1.2 constructors
 * stay. Additions only.
 */
@Export
@Version("1.3.0")
package io.switchboard.api.admin;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
