package io.switchboard.core.internal.status;

import io.switchboard.api.MessageStatus;

/** A message status event. */
record StatusImpl(long messageId, State state, String topic, String from, String recipient, String reason,
        long timestamp) implements MessageStatus {
}
