package io.switchboard.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** {@link Message#payloadIsWellFormedUtf8()}: the bytes checked as the JDK's strict decoder would, without decoding. */
class MessagePayloadUtf8Test {

    @Test
    void textIsWellFormedAndMalformedSequencesAreNot() {
        assertThat(wellFormed()).as("empty").isTrue();
        assertThat(wellFormed("plain ASCII".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(wellFormed("é € 😀 \u07FF \uFFFD".getBytes(StandardCharsets.UTF_8))).as("2, 3, 4 bytes, U+FFFD itself").isTrue();
        assertThat(wellFormed(0xC0, 0xAF)).as("overlong '/'").isFalse();
        assertThat(wellFormed(0xE0, 0x80, 0xAF)).as("overlong in 3 bytes").isFalse();
        assertThat(wellFormed(0xF0, 0x80, 0x80, 0xAF)).as("overlong in 4 bytes").isFalse();
        assertThat(wellFormed(0xED, 0xA0, 0x80)).as("a surrogate").isFalse();
        assertThat(wellFormed(0xF4, 0x90, 0x80, 0x80)).as("above U+10FFFF").isFalse();
        assertThat(wellFormed(0xE2, 0x82)).as("cut short").isFalse();
        assertThat(wellFormed(0x80)).as("a lone continuation byte").isFalse();
        assertThat(wellFormed(0xC3, 0x28)).as("a lead byte without its continuation").isFalse();
        assertThat(wellFormed(0xF5, 0x80, 0x80, 0x80)).isFalse();
    }

    @Test
    void agreesWithTheJdksStrictDecoderOnRandomAndNearlyValidBytes() {
        Random random = new Random(42);
        byte[] text = "mixed text: grüße, 東京, 😀, and more".getBytes(StandardCharsets.UTF_8);
        for (int round = 0; round < 20_000; round++) {
            byte[] bytes;
            if (round % 2 == 0) {
                bytes = new byte[random.nextInt(12)];
                random.nextBytes(bytes);
            } else { // valid text with one byte changed or cut: the sequences near the boundaries
                bytes = java.util.Arrays.copyOf(text, 1 + random.nextInt(text.length));
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            }
            assertThat(Message.builder("t").payload(bytes).build().payloadIsWellFormedUtf8())
                    .as("bytes %s", java.util.HexFormat.of().formatHex(bytes)).isEqualTo(strictlyDecodes(bytes));
        }
    }

    private static boolean wellFormed(int... unsignedBytes) {
        byte[] bytes = new byte[unsignedBytes.length];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) unsignedBytes[i];
        }
        return wellFormed(bytes);
    }

    private static boolean wellFormed(byte[] bytes) {
        return Message.builder("t").payload(bytes).build().payloadIsWellFormedUtf8();
    }

    private static boolean strictlyDecodes(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
