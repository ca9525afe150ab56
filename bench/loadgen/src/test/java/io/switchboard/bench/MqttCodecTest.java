package io.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class MqttCodecTest {

    private final FrameParser parser = new FrameParser();

    /** The packets found in {@code buf} (read mode), as type:length. */
    private List<String> drain(ByteBuffer buf) {
        List<String> found = new ArrayList<>();
        while (parser.next(buf)) {
            found.add(parser.type + ":" + parser.bodyLength);
        }
        return found;
    }

    @Test
    void findsSeveralPacketsInOneRead() {
        ByteBuffer buf = ByteBuffer.allocate(1024);
        Mqtt.putAck(buf, Mqtt.PUBACK, 7);
        buf.put(frame(1, 3, 64));
        Mqtt.putAck(buf, Mqtt.PUBREL, 9);
        buf.flip();

        assertThat(drain(buf)).containsExactly("4:2", "3:" + (2 + 9 + 2 + 64), "6:2");
        assertThat(buf.hasRemaining()).isFalse();
    }

    @Test
    void keepsAPartialPacketUntilTheRestArrives() {
        byte[] publish = frame(0, 5, 300); // remaining length 2 + 9 + 300 needs two length bytes
        ByteBuffer buf = ByteBuffer.allocate(1024);
        for (int split : new int[] {1, 2, 3, 150, publish.length - 1}) {
            buf.clear();
            buf.put(publish, 0, split).flip();
            assertThat(parser.next(buf)).as("split at %d", split).isFalse();
            assertThat(buf.position()).isZero();
            buf.compact();
            buf.put(publish, split, publish.length - split).flip();
            assertThat(parser.next(buf)).isTrue();
            assertThat(parser.type).isEqualTo(Mqtt.PUBLISH);
            assertThat(parser.bodyLength).isEqualTo(2 + 9 + 300);
            assertThat(buf.hasRemaining()).isFalse();
        }
    }

    @Test
    void reportsTheSizeOfAPacketLargerThanTheBuffer() {
        byte[] publish = frame(0, 1, 5000);
        ByteBuffer buf = ByteBuffer.allocate(100);
        buf.put(publish, 0, 100).flip();

        assertThat(parser.next(buf)).isFalse();
        assertThat(parser.pendingPacketSize).isEqualTo(publish.length);
    }

    @Test
    void publishFrameCarriesPublisherSequenceAndSendTime() {
        PublishFrame frame = new PublishFrame("bench/r/3", 2, 64, 3);
        ByteBuffer buf = ByteBuffer.allocate(256);
        frame.put(buf, 513, 42, 123_456_789L);
        buf.flip();

        assertThat(parser.next(buf)).isTrue();
        assertThat(parser.type).isEqualTo(Mqtt.PUBLISH);
        assertThat((parser.flags >> 1) & 3).isEqualTo(2);
        int p = parser.bodyStart;
        assertThat(buf.getShort(p)).isEqualTo((short) 9);
        p += 2 + 9;
        assertThat(buf.getShort(p) & 0xFFFF).isEqualTo(513);
        p += 2;
        assertThat(buf.getInt(p)).isEqualTo(3);
        assertThat(buf.getLong(p + 4)).isEqualTo(42);
        assertThat(buf.getLong(p + 12)).isEqualTo(123_456_789L);
        assertThat(parser.bodyStart + parser.bodyLength - p).isEqualTo(64);
    }

    @Test
    void encodesRemainingLengthsAtTheirBoundaries() {
        for (int length : new int[] {0, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152, 268_435_455}) {
            ByteBuffer buf = ByteBuffer.allocate(8);
            int bytes = Mqtt.putRemainingLength(buf, length);
            assertThat(bytes).isEqualTo(Mqtt.remainingLengthSize(length));
            int decoded = 0;
            int multiplier = 1;
            for (int i = 0; i < bytes; i++) {
                decoded += (buf.get(i) & 0x7F) * multiplier;
                multiplier *= 128;
            }
            assertThat(decoded).isEqualTo(length);
        }
        assertThatThrownBy(() -> Mqtt.putRemainingLength(ByteBuffer.allocate(8), 268_435_456))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void connectAndSubscribeAreWellFormed() {
        ByteBuffer connect = ByteBuffer.wrap(Mqtt.connect("client-1", 3600, true));
        assertThat(parser.next(connect)).isTrue();
        assertThat(parser.type).isEqualTo(Mqtt.CONNECT);
        assertThat(parser.bodyLength).isEqualTo(10 + 2 + 8);
        assertThat(connect.get(parser.bodyStart + 6)).as("protocol level 3.1.1").isEqualTo((byte) 4);

        ByteBuffer subscribe = ByteBuffer.wrap(Mqtt.subscribe(1, "bench/r/+", 1));
        assertThat(parser.next(subscribe)).isTrue();
        assertThat(parser.type).isEqualTo(Mqtt.SUBSCRIBE);
        assertThat(parser.flags).isEqualTo(2);
        assertThat(subscribe.get(parser.bodyStart + parser.bodyLength - 1)).as("requested QoS").isEqualTo((byte) 1);
    }

    @Test
    void sequenceSetCountsEachNumberOnce() {
        SequenceSet set = new SequenceSet();
        assertThat(set.add(0)).isTrue();
        assertThat(set.add(100_000)).isTrue();
        assertThat(set.add(100_000)).isFalse();
        assertThat(set.add(-1)).isFalse();
        assertThat(set.contains(100_000)).isTrue();
        assertThat(set.contains(99_999)).isFalse();
        assertThat(set.count()).isEqualTo(2);
    }

    private static byte[] frame(int qos, int sequence, int payload) {
        PublishFrame frame = new PublishFrame("bench/x/0", qos, payload, 0);
        ByteBuffer buf = ByteBuffer.allocate(frame.size());
        frame.put(buf, 1, sequence, 0);
        return buf.array();
    }
}
