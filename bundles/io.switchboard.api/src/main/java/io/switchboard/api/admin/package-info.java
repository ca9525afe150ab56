/**
 * What operators' tools (the Gogo shell, a console) see of the running broker: its modules and their
 * counters, the chain per event, dry-run traces, switches and statistics.
 */
@Export
@Version("1.1.0")
package io.switchboard.api.admin;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
