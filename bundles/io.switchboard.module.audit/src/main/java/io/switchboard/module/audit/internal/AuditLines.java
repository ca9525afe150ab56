package io.switchboard.module.audit.internal;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

import io.switchboard.api.Message;
import io.switchboard.api.UserProperty;
import io.switchboard.module.audit.internal.AuditEntry.MessageEntry;
import io.switchboard.module.audit.internal.AuditEntry.StatusEntry;

/**
 * Formats one entry as one line of JSON (no line break inside: every control character is escaped).
 *
 * <pre>
 * {"event":"message","time":"2026-11-25T10:15:30.123Z","id":42,"topic":"chat/room","from":"alice","session":7,
 *  "client":"alice-phone","qos":1,"retain":false,"size":5,"encoding":"utf-8","payload":"hello"}
 * {"event":"status","time":"2026-11-25T10:15:30.125Z","id":42,"state":"DELIVERED","topic":"chat/room","from":"alice",
 *  "recipient":"bob"}
 * </pre>
 *
 * <p>Optional message fields appear only when set: {@code refId}, {@code appId}, {@code groupId},
 * {@code type}, {@code flags}, {@code expiresAt}, {@code contentType}, {@code responseTopic},
 * {@code correlationData} (base64), {@code userProperties} (an array of {@code {"name":..,"value":..}}).
 * The payload is text ({@code "encoding":"utf-8"}) when it is valid UTF-8, otherwise base64; longer
 * than the limit, it is cut (text at a character boundary) and {@code "truncated":true} is added.
 */
final class AuditLines {

    /** Not thread-safe; one per writer thread. */
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);

    String format(AuditEntry entry, int maxPayloadBytes) {
        StringBuilder out = new StringBuilder(256);
        if (entry instanceof MessageEntry m) {
            message(out, m, maxPayloadBytes);
        } else if (entry instanceof StatusEntry s) {
            status(out, s);
        }
        return out.toString();
    }

    private void message(StringBuilder out, MessageEntry entry, int maxPayloadBytes) {
        Message m = entry.message();
        Json json = Json.object(out)
                .field("event", "message")
                .field("time", Instant.ofEpochMilli(entry.at()).toString())
                .field("id", m.id())
                .field("topic", m.topic())
                .field("from", m.from());
        if (entry.user() != null) {
            json.field("session", entry.sessionId()).field("client", entry.clientId());
        }
        json.field("qos", m.qos()).field("retain", m.retain());
        if (m.refId() != 0) {
            json.field("refId", m.refId());
        }
        if (m.appId() != null) {
            json.field("appId", m.appId());
        }
        if (m.groupId() != 0) {
            json.field("groupId", m.groupId());
        }
        if (m.type() != Message.TYPE_NORMAL) {
            json.field("type", m.type());
        }
        if (m.flags() != 0) {
            json.field("flags", m.flags());
        }
        if (m.expiresAt() != 0) {
            json.field("expiresAt", Instant.ofEpochMilli(m.expiresAt()).toString());
        }
        if (m.contentType() != null) {
            json.field("contentType", m.contentType());
        }
        if (m.responseTopic() != null) {
            json.field("responseTopic", m.responseTopic());
        }
        byte[] correlation = m.correlationData();
        if (correlation != null) {
            json.field("correlationData", Base64.getEncoder().encodeToString(correlation));
        }
        if (!m.userProperties().isEmpty()) {
            StringBuilder raw = json.rawField("userProperties").append('[');
            boolean first = true;
            for (UserProperty p : m.userProperties()) {
                if (!first) {
                    raw.append(',');
                }
                first = false;
                Json.object(raw).field("name", p.name()).field("value", p.value()).end();
            }
            raw.append(']');
        }
        json.field("size", m.payloadSize());
        if (maxPayloadBytes > 0 && m.payloadSize() > 0) {
            payload(json, m.payload(), maxPayloadBytes);
        }
        json.end();
    }

    private void payload(Json json, ByteBuffer payload, int maxPayloadBytes) {
        int size = payload.remaining();
        String text = decode(payload.duplicate());
        if (text != null) {
            boolean cut = size > maxPayloadBytes;
            if (cut) {
                int end = maxPayloadBytes;
                while (end > 0 && (payload.get(payload.position() + end) & 0xC0) == 0x80) {
                    end--; // back to the first byte of the character being cut
                }
                ByteBuffer prefix = payload.duplicate();
                prefix.limit(prefix.position() + end);
                text = decode(prefix);
            }
            json.field("encoding", "utf-8").field("payload", text);
            if (cut) {
                json.field("truncated", true);
            }
        } else {
            int n = Math.min(size, maxPayloadBytes);
            byte[] bytes = new byte[n];
            payload.duplicate().get(bytes);
            json.field("encoding", "base64").field("payload", Base64.getEncoder().encodeToString(bytes));
            if (n < size) {
                json.field("truncated", true);
            }
        }
    }

    /** The text, or null if the bytes are not valid UTF-8. */
    private String decode(ByteBuffer bytes) {
        try {
            CharBuffer chars = utf8.reset().decode(bytes);
            return chars.toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static void status(StringBuilder out, StatusEntry s) {
        Json json = Json.object(out)
                .field("event", "status")
                .field("time", Instant.ofEpochMilli(s.at()).toString())
                .field("id", s.messageId())
                .field("state", s.state().name())
                .field("topic", s.topic())
                .field("from", s.from());
        if (s.recipient() != null) {
            json.field("recipient", s.recipient());
        }
        if (s.reason() != null) {
            json.field("reason", s.reason());
        }
        json.end();
    }
}
