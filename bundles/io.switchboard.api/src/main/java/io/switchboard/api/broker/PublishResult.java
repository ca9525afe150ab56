package io.switchboard.api.broker;

import io.switchboard.api.ReasonCode;

/**
 * What became of a published message.
 *
 * @param messageId the id the broker assigned
 * @param routed whether the message passed the chain and was routed (false: a module consumed it)
 * @param recipients how many sessions it was routed to
 * @param reasonCode the reason a module gave for consuming it, or {@code null}
 * @param reason the reason in plain words, or {@code null}
 */
public record PublishResult(long messageId, boolean routed, int recipients, ReasonCode reasonCode, String reason) {
}
