/**
 * The broker's in-process publish/subscribe entry points, used by protocol front doors (MQTT), the
 * shell and tests: accept connections, log clients in, publish, subscribe, receive deliveries. Every
 * call here runs the module chain for its event.
 */
@Export
@Version("1.0.0")
package io.switchboard.api.broker;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
