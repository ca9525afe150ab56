package io.switchboard.mqtt.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.api.ReasonCode;
import org.junit.jupiter.api.Test;

/** Topic filters, read receipts, settings, reason code mapping. */
class SmallPartsTest {

    @Test
    void topicFilterValidation() {
        assertThat(TopicFilters.invalid("a/+/b/#")).isNull();
        assertThat(TopicFilters.invalid("#")).isNull();
        assertThat(TopicFilters.invalid("$share/g/a/#")).isNull();
        assertThat(TopicFilters.invalid("")).isNotNull();
        assertThat(TopicFilters.invalid("a/#/b")).contains("'#'");
        assertThat(TopicFilters.invalid("a+")).contains("'+'");
        assertThat(TopicFilters.invalid("$share/g")).contains("$share");
        assertThat(TopicFilters.invalid("$share//a")).contains("$share");
        assertThat(TopicFilters.invalid("$share/g+/a")).contains("wildcards");
        assertThat(TopicFilters.invalid("a\0b")).contains("NUL");
    }

    @Test
    void topicMatching() {
        assertThat(TopicFilters.matches("a/+", "a/b")).isTrue();
        assertThat(TopicFilters.matches("a/+", "a/b/c")).isFalse();
        assertThat(TopicFilters.matches("a/#", "a")).isTrue();
        assertThat(TopicFilters.matches("a/#", "a/b/c")).isTrue();
        assertThat(TopicFilters.matches("+/+", "/x")).isTrue();
        assertThat(TopicFilters.matches("#", "$SYS/x")).isFalse();
        assertThat(TopicFilters.matches("+/x", "$SYS/x")).isFalse();
        assertThat(TopicFilters.matches("$SYS/#", "$SYS/x")).isTrue();
        assertThat(TopicFilters.matches("$share/g/a/+", "a/b")).isTrue();
        assertThat(TopicFilters.matches("a/b", "a/c")).isFalse();
    }

    @Test
    void readReceiptTopics() {
        assertThat(ReadReceipts.isReceipt("$read/1")).isTrue();
        assertThat(ReadReceipts.isReceipt("read/1")).isFalse();
        assertThat(ReadReceipts.messageId("$read/1234567890123")).isEqualTo(1234567890123L);
        assertThat(ReadReceipts.messageId("$read/")).isEqualTo(-1);
        assertThat(ReadReceipts.messageId("$read/0")).isEqualTo(-1);
        assertThat(ReadReceipts.messageId("$read/-5")).isEqualTo(-1);
        assertThat(ReadReceipts.messageId("$read/9223372036854775808")).isEqualTo(-1);
        assertThat(ReadReceipts.messageId("$read/1/2")).isEqualTo(-1);
    }

    @Test
    void settingsNameTheBadAttribute() {
        ProtocolSettings d = ProtocolSettings.defaults();
        assertThat(d.maxQueuedMessages()).isEqualTo(1000);
        assertThatThrownBy(() -> d.withMaxQueuedMessages(0)).hasMessageStartingWith("max.queued.messages:");
        assertThatThrownBy(() -> d.withMaxInflight(70_000)).hasMessageStartingWith("max.inflight:");
        assertThatThrownBy(() -> d.withTimes(-1, 10)).hasMessageStartingWith("server.keep.alive:");
        assertThatThrownBy(() -> d.withTimes(0, 0)).hasMessageStartingWith("connect.timeout:");
        assertThatThrownBy(() -> d.withMaxKeepAlive(65536)).hasMessageStartingWith("max.keep.alive:");
        assertThatThrownBy(() -> d.withMaxKeepAlive(30).withTimes(60, 10))
                .hasMessage("server.keep.alive: must not exceed max.keep.alive (30), was 60");
        assertThatThrownBy(() -> d.withPublishLimits(3, true, 0)).hasMessageStartingWith("maximum.qos:");
        assertThatThrownBy(() -> d.withPublishLimits(2, true, -1)).hasMessageStartingWith("max.session.expiry:");
        assertThatThrownBy(() -> new ProtocolLimits(-1, 0, 10, 0)).hasMessageStartingWith("max.connections:");
        assertThatThrownBy(() -> new ProtocolLimits(0, -1, 10, 0)).hasMessageStartingWith("max.connection.rate:");
        assertThatThrownBy(() -> new ProtocolLimits(0, 0, 0, 0)).hasMessageStartingWith("max.topic.length:");
        assertThatThrownBy(() -> new ProtocolLimits(0, 0, 65536, 0)).hasMessageStartingWith("max.topic.length:");
        assertThatThrownBy(() -> new ProtocolLimits(0, 0, 10, -1)).hasMessageStartingWith("max.subscriptions:");
    }

    @Test
    void topicLimitsCountLevelsFirstThenUtf8Bytes() {
        ProtocolSettings s = ProtocolSettings.defaults().withLimits(new ProtocolLimits(0, 0, 6, 0));
        assertThat(s.topicLimitExceeded("a/b/cd")).isNull();
        assertThat(s.topicLimitExceeded("a/b/cde")).isEqualTo("longer than 6 bytes (max.topic.length)");
        assertThat(s.topicLimitExceeded("a/b/\u00e9")).as("6 bytes").isNull();
        assertThat(s.topicLimitExceeded("a/b/\u00e9\u00e9")).as("4 characters, 7 bytes").isNotNull();
        assertThat(s.topicLimitExceeded("\ud83d\ude00\ud83d\ude00")).as("two 4-byte characters").isNotNull();
        assertThat(s.topicLimitExceeded("/".repeat(128))).isEqualTo("more than 128 levels (max.topic.levels)");
        assertThat(TopicFilters.abbreviated("x".repeat(5000))).hasSize(TopicFilters.SHOWN_LENGTH + 21)
                .endsWith("... (5000 characters)");
    }

    @Test
    void reasonCodesPerPacketType() {
        assertThat(Packets.connAckCodeV3(ReasonCode.BAD_USER_NAME_OR_PASSWORD)).isEqualTo(4);
        assertThat(Packets.connAckCodeV3(ReasonCode.NOT_AUTHORIZED)).isEqualTo(5);
        assertThat(Packets.connAckCodeV3(ReasonCode.SERVER_UNAVAILABLE)).isEqualTo(3);
        assertThat(Packets.connAckCodeV3(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID)).isEqualTo(2);
        assertThat(Packets.connAckCodeV3(ReasonCode.UNSPECIFIED_ERROR)).isEqualTo(5);
        assertThat(Packets.connAckCode(ReasonCode.SERVER_SHUTTING_DOWN)).isEqualTo(0x88);
        assertThat(Packets.connAckCode(ReasonCode.CONNECTION_RATE_EXCEEDED)).isEqualTo(0x9F);
        assertThat(Packets.connAckCode(ReasonCode.TOPIC_FILTER_INVALID)).isEqualTo(0x80);
        assertThat(Packets.pubAckCode(ReasonCode.PAYLOAD_FORMAT_INVALID)).isEqualTo(0x99);
        assertThat(Packets.pubAckCode(ReasonCode.BANNED)).isEqualTo(0x80);
        assertThat(Packets.subAckCode(ReasonCode.TOPIC_FILTER_INVALID)).isEqualTo(0x8F);
        assertThat(Packets.subAckCode(ReasonCode.QUOTA_EXCEEDED)).isEqualTo(0x97);
        assertThat(Packets.subAckCode(null)).isEqualTo(0x80);
    }
}
