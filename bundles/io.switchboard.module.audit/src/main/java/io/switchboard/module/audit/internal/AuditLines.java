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

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.json.JsonWriteFeature;

import io.switchboard.api.Decision;
import io.switchboard.api.Message;
import io.switchboard.api.UserProperty;
import io.switchboard.module.audit.internal.AuditEntry.DecisionEntry;
import io.switchboard.module.audit.internal.AuditEntry.Extras;
import io.switchboard.module.audit.internal.AuditEntry.MessageEntry;
import io.switchboard.module.audit.internal.AuditEntry.StatusEntry;

/**
 * Formats entries as lines of JSON with Jackson (no line break inside: every control character is escaped),
 * appending them as UTF-8 to one reused {@link LineBuffer}. One instance per writer thread; not thread-safe.
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
 *
 * <p>Why it is cheap (the writer thread formats every line, so its cost bounds the audit's rate): one
 * generator writes UTF-8 bytes straight into the reused buffer (no String, no char-to-byte copy per line),
 * field names are pre-encoded, and the time is formatted once per second (the millisecond digits are set in
 * a reused char array). A line Jackson's UTF-8 writer refuses (a lone surrogate: a broken Java string, never
 * one read from MQTT) is written again through a character writer, as before: the surrogate becomes {@code ?}.
 */
final class AuditLines {

    /**
     * Jackson's JSON, escaping beyond RFC 8259 what would break a line or a JavaScript reader: DEL and the
     * line and paragraph separators; hex digits in lower case. Lines are separated by our own {@code \n}.
     */
    private static final JsonFactory JSON = new JsonFactoryBuilder()
            .characterEscapes(new LineSafeEscapes())
            .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
            .rootValueSeparator((String) null)
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .build();

    private static final SerializedString EVENT = new SerializedString("event");
    private static final SerializedString TIME = new SerializedString("time");
    private static final SerializedString ID = new SerializedString("id");
    private static final SerializedString TOPIC = new SerializedString("topic");
    private static final SerializedString FROM = new SerializedString("from");
    private static final SerializedString SESSION = new SerializedString("session");
    private static final SerializedString CLIENT = new SerializedString("client");
    private static final SerializedString QOS = new SerializedString("qos");
    private static final SerializedString RETAIN = new SerializedString("retain");
    private static final SerializedString SIZE = new SerializedString("size");
    private static final SerializedString STATE = new SerializedString("state");
    private static final SerializedString RECIPIENT = new SerializedString("recipient");
    private static final SerializedString REASON = new SerializedString("reason");
    private static final SerializedString MESSAGE = new SerializedString("message");
    private static final SerializedString STATUS = new SerializedString("status");
    private static final SerializedString DECISION = new SerializedString("decision");

    private final LineBuffer buffer;
    /** Writes into {@link #buffer}; replaced after a line failed half-way (its state is then unknown). */
    private JsonGenerator bytes;

    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);

    /** The time field's characters: the second's text (cached) and the milliseconds. */
    private final char[] time = new char[48];
    private long timeSecond = Long.MIN_VALUE;
    private int timePrefix;

    /** Lines for tests: each {@link #format} in a buffer of its own. */
    AuditLines() {
        this(new LineBuffer(512));
    }

    AuditLines(LineBuffer buffer) {
        this.buffer = buffer;
    }

    LineBuffer buffer() {
        return buffer;
    }

    /**
     * Appends {@code entry}'s line, {@code \n} included, to the buffer.
     *
     * @throws RuntimeException if the entry cannot be formatted; the buffer is then as it was
     */
    void append(AuditEntry entry, int maxPayloadBytes) {
        int mark = buffer.size();
        try {
            if (bytes == null) {
                bytes = JSON.createGenerator(buffer, JsonEncoding.UTF8);
            }
            write(bytes, entry, maxPayloadBytes);
            bytes.writeRaw('\n');
            bytes.flush(); // into the buffer: the writer needs each line's length to rotate before it
        } catch (IOException | RuntimeException e) {
            bytes = null; // half a line may sit in the generator: start over with a new one
            buffer.truncate(mark);
            byte[] line = (formatChars(entry, maxPayloadBytes) + "\n").getBytes(StandardCharsets.UTF_8);
            buffer.write(line, 0, line.length);
        }
    }

    /** One line without its {@code \n}, as {@link #append} writes it (for tests and messages). */
    String format(AuditEntry entry, int maxPayloadBytes) {
        int mark = buffer.size();
        append(entry, maxPayloadBytes);
        String line = buffer.text(mark, buffer.size() - 1);
        buffer.truncate(mark);
        return line;
    }

    /** The line through a character writer: for what the UTF-8 writer refuses; encoding turns a lone surrogate into '?'. */
    private String formatChars(AuditEntry entry, int maxPayloadBytes) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            write(json, entry, maxPayloadBytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail; Jackson declares it anyway
        }
        return out.toString();
    }

    private void write(JsonGenerator json, AuditEntry entry, int maxPayloadBytes) throws IOException {
        if (entry instanceof MessageEntry m) {
            message(json, m, maxPayloadBytes);
        } else if (entry instanceof StatusEntry s) {
            status(json, s);
        } else if (entry instanceof DecisionEntry d) {
            decision(json, d.decision());
        }
    }

    private void message(JsonGenerator json, MessageEntry m, int maxPayloadBytes) throws IOException {
        json.writeStartObject();
        json.writeFieldName(EVENT);
        json.writeString(MESSAGE);
        time(json, m.at());
        json.writeFieldName(ID);
        json.writeNumber(m.id());
        json.writeFieldName(TOPIC);
        string(json, m.topic());
        json.writeFieldName(FROM);
        string(json, m.from());
        if (m.hasSession()) {
            json.writeFieldName(SESSION);
            json.writeNumber(m.sessionId());
            json.writeFieldName(CLIENT);
            string(json, m.clientId());
        }
        json.writeFieldName(QOS);
        json.writeNumber(m.qos());
        json.writeFieldName(RETAIN);
        json.writeBoolean(m.retain());
        Extras x = m.extras();
        if (x != null) {
            extras(json, x);
        }
        json.writeFieldName(SIZE);
        json.writeNumber(m.size());
        Message withPayload = m.withPayload();
        if (maxPayloadBytes > 0 && withPayload != null && withPayload.payloadSize() > 0) {
            payload(json, withPayload.payload(), maxPayloadBytes);
        }
        json.writeEndObject();
    }

    private void extras(JsonGenerator json, Extras x) throws IOException {
        if (x.refId() != 0) {
            json.writeNumberField("refId", x.refId());
        }
        if (x.appId() != null) {
            stringField(json, "appId", x.appId());
        }
        if (x.groupId() != 0) {
            json.writeNumberField("groupId", x.groupId());
        }
        if (x.type() != Message.TYPE_NORMAL) {
            json.writeNumberField("type", x.type());
        }
        if (x.flags() != 0) {
            json.writeNumberField("flags", x.flags());
        }
        if (x.expiresAt() != 0) {
            stringField(json, "expiresAt", Instant.ofEpochMilli(x.expiresAt()).toString());
        }
        if (x.contentType() != null) {
            stringField(json, "contentType", x.contentType());
        }
        if (x.responseTopic() != null) {
            stringField(json, "responseTopic", x.responseTopic());
        }
        if (x.correlationData() != null) {
            json.writeFieldName("correlationData");
            json.writeBinary(x.correlationData()); // standard base64 with padding, no line feeds
        }
        if (!x.userProperties().isEmpty()) {
            json.writeArrayFieldStart("userProperties");
            for (UserProperty p : x.userProperties()) {
                json.writeStartObject();
                stringField(json, "name", p.name());
                stringField(json, "value", p.value());
                json.writeEndObject();
            }
            json.writeEndArray();
        }
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
            stringField(json, "encoding", "utf-8");
            stringField(json, "payload", text);
            if (cut) {
                json.writeBooleanField("truncated", true);
            }
        } else {
            int n = Math.min(size, maxPayloadBytes);
            byte[] bytes = new byte[n];
            payload.duplicate().get(bytes);
            stringField(json, "encoding", "base64");
            json.writeFieldName("payload");
            json.writeBinary(bytes);
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

    private void status(JsonGenerator json, StatusEntry s) throws IOException {
        json.writeStartObject();
        json.writeFieldName(EVENT);
        json.writeString(STATUS);
        time(json, s.at());
        json.writeFieldName(ID);
        json.writeNumber(s.messageId());
        json.writeFieldName(STATE);
        string(json, s.state().name());
        json.writeFieldName(TOPIC);
        string(json, s.topic());
        json.writeFieldName(FROM);
        string(json, s.from());
        if (s.recipient() != null) {
            json.writeFieldName(RECIPIENT);
            string(json, s.recipient());
        }
        if (s.reason() != null) {
            json.writeFieldName(REASON);
            string(json, s.reason());
        }
        json.writeEndObject();
    }

    private void decision(JsonGenerator json, Decision d) throws IOException {
        json.writeStartObject();
        json.writeFieldName(EVENT);
        json.writeString(DECISION);
        time(json, d.timestamp());
        stringField(json, "subject", switch (d.subject()) {
            case LOGIN -> "login";
            case SUBSCRIBE -> "subscribe";
            case MESSAGE -> "message";
        });
        stringField(json, "module", d.module());
        stringField(json, "decision", d.accepted() ? "allowed" : "refused");
        json.writeFieldName(REASON);
        string(json, d.reason());
        json.writeFieldName(CLIENT);
        string(json, d.clientId());
        stringField(json, "user", d.user());
        if (d.topic() != null) {
            json.writeFieldName(TOPIC);
            string(json, d.topic());
        }
        json.writeEndObject();
    }

    /**
     * Writes a string value. Jackson 2.17's UTF-8 writer escapes a surrogate pair (an emoji) as two
     * {@code \\uXXXX} where the line format has always written the character itself, and escapes a lone
     * surrogate where the format writes {@code ?}: a string with a surrogate sends its line to the character
     * writer ({@link #formatChars}), which writes both as before. Scanning costs little next to writing the
     * string, and most strings (Latin-1 topics and ids) have none.
     */
    private void string(JsonGenerator json, String value) throws IOException {
        if (json == bytes && value != null && hasSurrogate(value)) {
            throw NEEDS_CHARS;
        }
        json.writeString(value);
    }

    private void stringField(JsonGenerator json, String name, String value) throws IOException {
        json.writeFieldName(name);
        string(json, value);
    }

    private static boolean hasSurrogate(String value) {
        for (int i = 0, n = value.length(); i < n; i++) {
            if (Character.isSurrogate(value.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    /** A line for the character writer; thrown often enough (emoji) to be made once, without a stack trace. */
    private static final RuntimeException NEEDS_CHARS = new RuntimeException("a surrogate: written as characters", null,
            false, false) {
    };

    /**
     * {@code "time":"2026-11-25T10:15:30.123Z"}, exactly as {@link Instant#toString()} writes the millisecond
     * (no fraction when it is 0), formatting the date and time of day once per second.
     */
    private void time(JsonGenerator json, long epochMillis) throws IOException {
        long second = Math.floorDiv(epochMillis, 1000);
        int millis = (int) Math.floorMod(epochMillis, 1000);
        if (second != timeSecond) {
            String text = Instant.ofEpochSecond(second).toString(); // ends with 'Z'
            timePrefix = text.length() - 1;
            text.getChars(0, timePrefix, time, 0);
            timeSecond = second;
        }
        int n = timePrefix;
        if (millis != 0) {
            time[n++] = '.';
            time[n++] = (char) ('0' + millis / 100);
            time[n++] = (char) ('0' + millis / 10 % 10);
            time[n++] = (char) ('0' + millis % 10);
        }
        time[n++] = 'Z';
        json.writeFieldName(TIME);
        json.writeString(time, 0, n);
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
