/**
 * The broker's durable state, for the broker's own bundles (the core and the protocol front doors),
 * not for modules: a {@link io.switchboard.store.StateStore} service keeping records by space and key
 * on an embedded engine, written in group commits, and {@link io.switchboard.store.StoredMessages}, the
 * one binary form of a message at rest.
 */
@Export
@Version("1.0.0")
package io.switchboard.store;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
