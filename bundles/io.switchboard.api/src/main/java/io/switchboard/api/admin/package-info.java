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
 *
 * <p>1.4.0: per member, the messages waiting for its confirmation ({@link
 * io.switchboard.api.admin.ClusterStats.Member#unconfirmed()}) and the confirmations it sent with their total wait
 * ({@link io.switchboard.api.admin.ClusterStats.Member#confirmed()}, {@link
 * io.switchboard.api.admin.ClusterStats.Member#confirmationSeconds()}): which node slows its publishers down. The 1.3
 * constructor stays. Additions only.
 */
@Export
@Version("1.4.0")
package io.switchboard.api.admin;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
