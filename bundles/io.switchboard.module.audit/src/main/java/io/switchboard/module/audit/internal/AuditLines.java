package io.switchboard.module.audit.internal;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.json.JsonWriteFeature;

import io.switchboard.api.Decision;
import io.switchboard.api.Message;
import io.switchboard.api.UserProperty;
import io.switchboard.module.audit.internal.AuditEntry.DecisionEntry;
import io.switchboard.module.audit.internal.AuditEntry.MessageEntry;
import io.switchboard.module.audit.internal.AuditEntry.StatusEntry;

/**
 * Formats one entry as one line of JSON with Jackson (no line break inside: every control character is
 * escaped).
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
 * Strings escape what JSON requires, DEL (0x7F) and U+2028/U+2029; other characters,
 * emoji included, are written as they are.
 */
final class AuditLines {

    /**
     * Jackson's JSON, escaping beyond RFC 8259 what would break a line or a JavaScript reader: DEL and the
     * line and paragraph separators; hex digits in lower case. A lone surrogate (not Unicode text) is
     * written as is, and becomes {@code ?} when the line is encoded as UTF-8.
     */
    private static final JsonFactory JSON = new JsonFactoryBuilder()
            .characterEscapes(new LineSafeEscapes())
            .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
            .build();

    /** Not thread-safe; one per writer thread. */
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);

    String format(AuditEntry entry, int maxPayloadBytes) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            if (entry instanceof MessageEntry m) {
                message(json, m, maxPayloadBytes);
            } else if (entry instanceof StatusEntry s) {
                status(json, s);
            } else if (entry instanceof DecisionEntry d) {
                decision(json, d.decision());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail; Jackson declares it anyway
        }
        return out.toString();
    }

    private void message(JsonGenerator json, MessageEntry entry, int maxPayloadBytes) throws IOException {
        Message m = entry.message();
        json.writeStartObject();
        json.writeStringField("event", "message");
        json.writeStringField("time", Instant.ofEpochMilli(entry.at()).toString());
        json.writeNumberField("id", m.id());
        json.writeStringField("topic", m.topic());
        json.writeStringField("from", m.from());
        if (entry.user() != null) {
            json.writeNumberField("session", entry.sessionId());
            json.writeStringField("client", entry.clientId());
        }
        json.writeNumberField("qos", m.qos());
        json.writeBooleanField("retain", m.retain());
        if (m.refId() != 0) {
            json.writeNumberField("refId", m.refId());
        }
        if (m.appId() != null) {
            json.writeStringField("appId", m.appId());
        }
        if (m.groupId() != 0) {
            json.writeNumberField("groupId", m.groupId());
        }
        if (m.type() != Message.TYPE_NORMAL) {
            json.writeNumberField("type", m.type());
        }
        if (m.flags() != 0) {
            json.writeNumberField("flags", m.flags());
        }
        if (m.expiresAt() != 0) {
            json.writeStringField("expiresAt", Instant.ofEpochMilli(m.expiresAt()).toString());
        }
        if (m.contentType() != null) {
            json.writeStringField("contentType", m.contentType());
        }
        if (m.responseTopic() != null) {
            json.writeStringField("responseTopic", m.responseTopic());
        }
        byte[] correlation = m.correlationData();
        if (correlation != null) {
            json.writeStringField("correlationData", Base64.getEncoder().encodeToString(correlation));
        }
        if (!m.userProperties().isEmpty()) {
            json.writeArrayFieldStart("userProperties");
            for (UserProperty p : m.userProperties()) {
                json.writeStartObject();
                json.writeStringField("name", p.name());
                json.writeStringField("value", p.value());
                json.writeEndObject();
            }
            json.writeEndArray();
        }
        json.writeNumberField("size", m.payloadSize());
        if (maxPayloadBytes > 0 && m.payloadSize() > 0) {
            payload(json, m.payload(), maxPayloadBytes);
        }
        json.writeEndObject();
    }

    private void payload(JsonGenerator json, ByteBuffer payload, int maxPayloadBytes) throws IOException {
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
            json.writeStringField("encoding", "utf-8");
            json.writeStringField("payload", text);
            if (cut) {
                json.writeBooleanField("truncated", true);
            }
        } else {
            int n = Math.min(size, maxPayloadBytes);
            byte[] bytes = new byte[n];
            payload.duplicate().get(bytes);
            json.writeStringField("encoding", "base64");
            json.writeStringField("payload", Base64.getEncoder().encodeToString(bytes));
            if (n < size) {
                json.writeBooleanField("truncated", true);
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

    private static void status(JsonGenerator json, StatusEntry s) throws IOException {
        json.writeStartObject();
        json.writeStringField("event", "status");
        json.writeStringField("time", Instant.ofEpochMilli(s.at()).toString());
        json.writeNumberField("id", s.messageId());
        json.writeStringField("state", s.state().name());
        json.writeStringField("topic", s.topic());
        json.writeStringField("from", s.from());
        if (s.recipient() != null) {
            json.writeStringField("recipient", s.recipient());
        }
        if (s.reason() != null) {
            json.writeStringField("reason", s.reason());
        }
        json.writeEndObject();
    }

    private static void decision(JsonGenerator json, Decision d) throws IOException {
        json.writeStartObject();
        json.writeStringField("event", "decision");
        json.writeStringField("time", Instant.ofEpochMilli(d.timestamp()).toString());
        json.writeStringField("subject", d.subject().name().toLowerCase(java.util.Locale.ROOT));
        json.writeStringField("module", d.module());
        json.writeStringField("decision", d.accepted() ? "allowed" : "refused");
        json.writeStringField("reason", d.reason());
        json.writeStringField("client", d.clientId());
        json.writeStringField("user", d.user());
        if (d.topic() != null) {
            json.writeStringField("topic", d.topic());
        }
        json.writeEndObject();
    }

    /** JSON's escapes plus DEL, U+2028 and U+2029: a line stays one line for every reader. */
    private static final class LineSafeEscapes extends CharacterEscapes {

        private static final SerializedString LINE_SEPARATOR = new SerializedString("\\u2028");
        private static final SerializedString PARAGRAPH_SEPARATOR = new SerializedString("\\u2029");

        private final int[] ascii = standardAsciiEscapesForJSON();

        LineSafeEscapes() {
            ascii[0x7F] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return switch (ch) {
                case 0x2028 -> LINE_SEPARATOR;
                case 0x2029 -> PARAGRAPH_SEPARATOR;
                default -> null;
            };
        }
    }
}
