package io.switchboard.module.audit.internal;

import io.switchboard.api.Decision;
import io.switchboard.api.Message;
import io.switchboard.api.MessageStatus;
import io.switchboard.api.Session;

/** What the broker's threads hand to the writer thread: immutable, cheap to make, formatted later. */
sealed interface AuditEntry {

    /** A published message, with who sent it. */
    record MessageEntry(Message message, long sessionId, String user, String clientId, long at) implements AuditEntry {

        static MessageEntry of(Message message, Session sender) {
            long at = message.timestamp() != 0 ? message.timestamp() : System.currentTimeMillis();
            return sender == null
                    ? new MessageEntry(message, 0, null, null, at)
                    : new MessageEntry(message, sender.id(), sender.user(), sender.clientId(), at);
        }
    }

    /** A status event, copied out of the broker's object. */
    record StatusEntry(long messageId, MessageStatus.State state, String topic, String from, String recipient, String reason,
            long at) implements AuditEntry {

        static StatusEntry of(MessageStatus s) {
            return new StatusEntry(s.messageId(), s.state(), s.topic(), s.from(), s.recipient(), s.reason(),
                    s.timestamp() != 0 ? s.timestamp() : System.currentTimeMillis());
        }
    }

    /** A module's decision about a login, a subscription or a message, with its reason (the broker's object is immutable). */
    record DecisionEntry(Decision decision) implements AuditEntry {
    }
}
