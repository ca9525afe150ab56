package io.switchboard.module.audit.internal;

import java.util.List;

import io.switchboard.api.Decision;
import io.switchboard.api.Message;
import io.switchboard.api.MessageStatus;
import io.switchboard.api.Session;
import io.switchboard.api.UserProperty;

/**
 * What the broker's threads hand to the writer thread: immutable, cheap to make, formatted later (never on a
 * broker thread). An entry holds only what its line needs, so that a queue of them costs little memory.
 */
sealed interface AuditEntry {

    /**
     * A published message, with who sent it. The payload is kept (as the immutable {@link Message}) only when
     * lines carry payloads: with {@code max.payload.bytes = 0} (the default) a queued line never holds a
     * payload in memory, so a full queue costs a few hundred bytes per line whatever the message size.
     *
     * @param extras the optional MQTT 5 / addressing fields, or {@code null} when none is set (the common case)
     * @param withPayload the message, for its payload; {@code null} when lines carry no payload
     */
    record MessageEntry(long id, long at, String topic, String from, boolean hasSession, long sessionId,
            String clientId, int qos, boolean retain, int size, Extras extras, Message withPayload)
            implements AuditEntry {

        /** An entry keeping the payload (for tests and callers that write payloads). */
        static MessageEntry of(Message message, Session sender) {
            return of(message, sender, true);
        }

        static MessageEntry of(Message message, Session sender, boolean keepPayload) {
            long at = message.timestamp() != 0 ? message.timestamp() : System.currentTimeMillis();
            boolean session = sender != null && sender.user() != null;
            return new MessageEntry(message.id(), at, message.topic(), message.from(), session,
                    session ? sender.id() : 0, session ? sender.clientId() : null, message.qos(), message.retain(),
                    message.payloadSize(), Extras.of(message), keepPayload && message.payloadSize() > 0 ? message : null);
        }
    }

    /** The optional fields of a message line; made only for a message that sets one of them. */
    record Extras(long refId, String appId, long groupId, int type, int flags, long expiresAt, String contentType,
            String responseTopic, byte[] correlationData, List<UserProperty> userProperties) {

        static Extras of(Message m) {
            if (m.refId() == 0 && m.appId() == null && m.groupId() == 0 && m.type() == Message.TYPE_NORMAL
                    && m.flags() == 0 && m.expiresAt() == 0 && m.contentType() == null && m.responseTopic() == null
                    && m.userProperties().isEmpty()) {
                byte[] correlation = m.correlationData(); // a copy: read it only when the cheap checks found nothing
                if (correlation == null) {
                    return null;
                }
                return new Extras(0, null, 0, Message.TYPE_NORMAL, 0, 0, null, null, correlation, m.userProperties());
            }
            return new Extras(m.refId(), m.appId(), m.groupId(), m.type(), m.flags(), m.expiresAt(), m.contentType(),
                    m.responseTopic(), m.correlationData(), m.userProperties());
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
