/**
 * The Switchboard module SPI: what a module implements ({@link io.switchboard.api.MessageModule}),
 * the decisions it returns, the events and messages it sees, and the {@link io.switchboard.api.HostServices}
 * the broker offers it.
 *
 * <p>1.1.0 (since the 1.0.0 release): {@link io.switchboard.api.ConfigReader}; {@link
 * io.switchboard.api.Subscription#identifier()}, the MQTT 5 subscription identifier, kept with the subscription in
 * the broker. Identity is what authentication established: {@link io.switchboard.api.Admission#authenticated}
 * (a login accepted as a user), {@link io.switchboard.api.Admission#user()}, {@link io.switchboard.api.Session#ANONYMOUS}
 * and the meaning of {@link io.switchboard.api.Session#user()} (the established user, never a merely claimed name);
 * reasons for allowing: {@link io.switchboard.api.Admission#accept(String)}, {@link io.switchboard.api.Verdict#pass(String)};
 * observing them: {@link io.switchboard.api.Decision} and {@link io.switchboard.api.MessageModule#onDecision} (a default
 * method: modules that do not implement it are unaffected).
 * {@link io.switchboard.api.Message#payloadIsWellFormedUtf8()}: a module working on text skips binary payloads without
 * decoding them. All are additions, so the unreleased 1.1 line takes them without a further bump and modules built against it keep
 * importing {@code [1.1,2)}.
 */
@Export
@Version("1.1.0")
package io.switchboard.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
