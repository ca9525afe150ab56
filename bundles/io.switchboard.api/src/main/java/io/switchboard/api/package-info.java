/**
 * The Switchboard module SPI: what a module implements ({@link io.switchboard.api.MessageModule}),
 * the decisions it returns, the events and messages it sees, and the {@link io.switchboard.api.HostServices}
 * the broker offers it.
 */
@Export
@Version("1.1.0")
package io.switchboard.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
