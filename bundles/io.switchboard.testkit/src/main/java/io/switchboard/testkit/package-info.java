/**
 * Unit-test a Switchboard module without a framework: {@link io.switchboard.testkit.FakeHost} (a
 * recording {@link io.switchboard.api.HostServices} with scripted HTTP), test doubles of the events a
 * module sees ({@link io.switchboard.testkit.FakeSession} and friends), {@link io.switchboard.testkit.ModuleProbe}
 * to drive callbacks and assert decisions (asynchronous ones too), and {@link io.switchboard.testkit.Configs}
 * to build a DS configuration annotation from a {@code Map}.
 */
@Export
@Version("1.1.0")
package io.switchboard.testkit;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
