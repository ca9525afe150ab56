/**
 * The Switchboard module SPI: what a module implements ({@link io.switchboard.api.MessageModule}),
 * the decisions it returns, the events and messages it sees, and the {@link io.switchboard.api.HostServices}
 * the broker offers it.
 *
 * <p>1.2.0: {@link io.switchboard.api.Subscription#identifier()}, the MQTT 5 subscription identifier, kept with
 * the subscription in the broker (it was the MQTT front door's alone).
 */
@Export
@Version("1.2.0")
package io.switchboard.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
