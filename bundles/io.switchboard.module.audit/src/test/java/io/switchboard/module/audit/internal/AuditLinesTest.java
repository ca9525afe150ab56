package io.switchboard.module.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.switchboard.api.Message;
import io.switchboard.api.MessageStatus;
import io.switchboard.module.audit.internal.AuditEntry.MessageEntry;
import io.switchboard.module.audit.internal.AuditEntry.StatusEntry;
import io.switchboard.testkit.FakeSession;
import io.switchboard.testkit.FakeStatus;

class AuditLinesTest {

    private final AuditLines lines = new AuditLines();

    private String line(Message m, int maxPayload) {
        return lines.format(MessageEntry.of(m, FakeSession.builder().id(7).user("alice").clientId("alice-phone").build()), maxPayload);
    }

    @Test
    void aMessageLine() {
        Message m = Message.builder("chat/room").id(42).timestamp(1_764_000_000_123L).from("alice").qos(1).payload("hello").build();

        assertThat(line(m, 100)).isEqualTo("{\"event\":\"message\",\"time\":\"2025-11-24T16:00:00.123Z\",\"id\":42,"
                + "\"topic\":\"chat/room\",\"from\":\"alice\",\"session\":7,\"client\":\"alice-phone\",\"qos\":1,"
                + "\"retain\":false,\"size\":5,\"encoding\":\"utf-8\",\"payload\":\"hello\"}");
    }

    @Test
    void optionalFieldsAppearOnlyWhenSet() {
        Message m = Message.builder("t").id(1).timestamp(1).refId(9).appId("app").groupId(3).type(2).flags(4)
                .expiresAt(2000).contentType("text/plain").responseTopic("r/1").correlationData(new byte[] {1, 2})
                .userProperty("lang", "en").userProperty("lang", "de").retain(true).payload("x").build();

        Map<String, Object> json = JsonLine.object(line(m, 100));

        assertThat(json).containsEntry("refId", 9L).containsEntry("appId", "app").containsEntry("groupId", 3L)
                .containsEntry("type", 2L).containsEntry("flags", 4L).containsEntry("expiresAt", "1970-01-01T00:00:02Z")
                .containsEntry("contentType", "text/plain").containsEntry("responseTopic", "r/1")
                .containsEntry("correlationData", "AQI=").containsEntry("retain", true)
                .containsEntry("userProperties", List.of(Map.of("name", "lang", "value", "en"), Map.of("name", "lang", "value", "de")));
        assertThat(JsonLine.object(line(Message.builder("t").payload("x").build(), 100)))
                .doesNotContainKeys("refId", "appId", "groupId", "type", "flags", "expiresAt", "contentType",
                        "responseTopic", "correlationData", "userProperties");
    }

    @Test
    void stringsAreEscaped() {
        String nasty = "quote \" backslash \\ newline \n cr \r tab \t nul \0 bell \u0007 del \u007f ls \u2028 ps \u2029 "
                + "emoji 😀 umlaut ü lone \uD800 end";
        Message m = Message.builder("t/\"x\"").from("a\nb").payload(nasty).build();

        String line = line(m, 1000);

        assertThat(line).doesNotContain("\n", "\r", "\u2028", "\u2029", "\0");
        assertThat(line).contains("\\\"", "\\\\", "\\n", "\\r", "\\t", "\\u0000", "\\u0007", "\\u007f", "\\u2028",
                "\\u2029", "😀", "ü");
        Map<String, Object> json = JsonLine.object(line);
        assertThat(json.get("from")).isEqualTo("a\nb");
        assertThat(json.get("topic")).isEqualTo("t/\"x\"");
        // the payload was UTF-8 bytes: the lone surrogate became '?' when encoded, the rest round-trips
        assertThat(json.get("payload")).isEqualTo(new String(nasty.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
    }

    @Test
    void anyStringRoundTripsThroughTheUtf8Line() {
        Random random = new Random(42);
        for (int n = 0; n < 2000; n++) {
            StringBuilder b = new StringBuilder();
            for (int k = random.nextInt(20); k > 0; k--) {
                b.append((char) (random.nextBoolean() ? random.nextInt(0x80) : random.nextInt(0x10000)));
            }
            String sender = b.toString();
            byte[] written = (line(Message.builder("t").from(sender).build(), 0) + "\n").getBytes(StandardCharsets.UTF_8);

            String line = new String(written, StandardCharsets.UTF_8);
            assertThat(line.indexOf('\n')).as("one line for " + sender).isEqualTo(line.length() - 1);
            // what UTF-8 can carry comes back; a lone surrogate became '?' when the line was encoded
            assertThat(JsonLine.object(line).get("from")).isEqualTo(new String(sender.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
        }
    }

    @Test
    void binaryPayloadsAreBase64() {
        byte[] binary = {(byte) 0xFF, 0, 'a', (byte) 0xC3, 0x28};
        Message m = Message.builder("t").payload(binary).build();

        Map<String, Object> json = JsonLine.object(line(m, 100));

        assertThat(json).containsEntry("encoding", "base64").containsEntry("size", 5L).doesNotContainKey("truncated");
        assertThat(Base64.getDecoder().decode((String) json.get("payload"))).isEqualTo(binary);
    }

    @Test
    void longPayloadsAreCutAtACharacterBoundary() {
        Message text = Message.builder("t").payload("abcdé€😀").build(); // 4 + 2 + 3 + 4 bytes

        assertThat(JsonLine.object(line(text, 5))).containsEntry("payload", "abcd").containsEntry("truncated", true);
        assertThat(JsonLine.object(line(text, 6))).containsEntry("payload", "abcdé");
        assertThat(JsonLine.object(line(text, 8))).containsEntry("payload", "abcdé");
        assertThat(JsonLine.object(line(text, 13))).containsEntry("payload", "abcdé€😀").doesNotContainKey("truncated");
        Message binary = Message.builder("t").payload(new byte[] {(byte) 0xFF, 1, 2, 3}).build();
        assertThat(JsonLine.object(line(binary, 2))).containsEntry("payload", "/wE=").containsEntry("truncated", true);
    }

    @Test
    void payloadsCanBeLeftOut() {
        assertThat(JsonLine.object(line(Message.builder("t").payload("secret").build(), 0)))
                .containsEntry("size", 6L).doesNotContainKeys("payload", "encoding");
    }

    @Test
    void aMessageWithoutSession() {
        assertThat(JsonLine.object(lines.format(MessageEntry.of(Message.builder("t").build(), null), 10)))
                .doesNotContainKeys("session", "client").containsEntry("from", null).containsEntry("size", 0L);
    }

    @Test
    void aStatusLine() {
        FakeStatus failed = FakeStatus.builder(MessageStatus.State.FAILED).messageId(42).topic("chat/room").from("alice")
                .recipient("bob").reason("consumed by \"profanity\"").timestamp(1_764_000_000_000L).build();

        assertThat(lines.format(StatusEntry.of(failed), 10)).isEqualTo("{\"event\":\"status\",\"time\":\"2025-11-24T16:00:00Z\","
                + "\"id\":42,\"state\":\"FAILED\",\"topic\":\"chat/room\",\"from\":\"alice\",\"recipient\":\"bob\","
                + "\"reason\":\"consumed by \\\"profanity\\\"\"}");
    }

    @Test
    void theTimeIsWhatInstantWritesWhateverTheMillisecondAndTheSecondsBefore() {
        Random random = new Random(7);
        long base = 1_764_000_000_000L;
        for (int n = 0; n < 5000; n++) {
            // runs of lines in the same second (the cached part) and jumps, back in time too, and before 1970
            long at = n % 100 == 0 ? -random.nextInt(1_000_000) : base + random.nextInt(3000) - 1000;
            Message m = Message.builder("t").timestamp(at).build();
            assertThat(JsonLine.object(line(m, 0)).get("time")).as("%d", at)
                    .isEqualTo(java.time.Instant.ofEpochMilli(at).toString());
        }
    }

    @Test
    void linesFollowEachOtherInOneBufferWhateverOneOfThemNeeds() {
        LineBuffer buffer = new LineBuffer(16);
        AuditLines shared = new AuditLines(buffer);
        MessageEntry plain = MessageEntry.of(Message.builder("a").payload("one").build(), null);
        MessageEntry emoji = MessageEntry.of(Message.builder("b").from("\uD83D\uDE00 lone \uD800").payload("two").build(), null);

        for (int i = 0; i < 100; i++) {
            shared.append(i % 3 == 1 ? emoji : plain, 10);
        }

        String text = buffer.text(0, buffer.size());
        String[] lines = text.split("\n", -1);
        assertThat(lines).hasSize(101);
        assertThat(lines[100]).isEmpty();
        for (int i = 0; i < 100; i++) {
            Map<String, Object> json = JsonLine.object(lines[i]);
            assertThat(json.get("payload")).isEqualTo(i % 3 == 1 ? "two" : "one");
            if (i % 3 == 1) {
                assertThat(json.get("from")).isEqualTo("\uD83D\uDE00 lone ?");
                assertThat(lines[i]).contains("😀");
            }
        }
    }

    @Test
    void withoutPayloadsAnEntryHoldsNoPayload() {
        Message m = Message.builder("t").payload(new byte[100_000]).build();

        assertThat(MessageEntry.of(m, null, false).withPayload()).isNull();
        assertThat(MessageEntry.of(m, null, false).extras()).isNull();
        assertThat(JsonLine.object(lines.format(MessageEntry.of(m, null, false), 100))).containsEntry("size", 100_000L)
                .doesNotContainKey("payload");
    }
}
