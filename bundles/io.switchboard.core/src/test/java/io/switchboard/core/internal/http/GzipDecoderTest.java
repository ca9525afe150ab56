package io.switchboard.core.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

import org.junit.jupiter.api.Test;

class GzipDecoderTest {

    private static final byte[] TEXT = text(50_000);

    @Test
    void decodesWhateverTheChunkBoundaries() throws IOException {
        byte[] gz = gzip(TEXT);
        for (int piece : new int[] {1, 2, 7, 10, 11, 4096, gz.length}) {
            assertThat(decode(gz, piece, 512)).as("pieces of %d", piece).isEqualTo(TEXT);
        }
    }

    @Test
    void skipsOptionalHeaderFieldsSplitAnywhere() throws IOException {
        byte[] gz = gzipWithAllHeaderFields(TEXT);
        for (int piece = 1; piece <= 40; piece++) {
            assertThat(decode(gz, piece, 8192)).isEqualTo(TEXT);
        }
    }

    @Test
    void decodesConcatenatedMembersAndIgnoresTrailingGarbage() throws IOException {
        byte[] a = "first member, ".getBytes(StandardCharsets.US_ASCII);
        byte[] b = "second member".getBytes(StandardCharsets.US_ASCII);
        byte[] both = concat(gzip(a), gzip(b), new byte[] {0, 0, 0});
        assertThat(new String(decode(both, 3, 64), StandardCharsets.US_ASCII))
                .isEqualTo("first member, second member");
    }

    @Test
    void emptyBodyIsFine() throws IOException {
        assertThat(decode(new byte[0], 1, 64)).isEmpty();
    }

    @Test
    void truncatedBodyFails() {
        byte[] gz = gzip(TEXT);
        byte[] cut = Arrays.copyOf(gz, gz.length - 3); // inside the trailer
        assertThatThrownBy(() -> decode(cut, 1000, 8192)).isInstanceOf(EOFException.class);
        byte[] cutData = Arrays.copyOf(gz, gz.length / 2);
        assertThatThrownBy(() -> decode(cutData, 1000, 8192)).isInstanceOf(EOFException.class);
    }

    @Test
    void corruptionIsDetected() {
        byte[] gz = gzip(TEXT);
        gz[gz.length - 6] ^= 1; // CRC-32
        assertThatThrownBy(() -> decode(gz, 1000, 8192)).isInstanceOf(ZipException.class).hasMessageContaining("CRC");
        assertThatThrownBy(() -> decode(TEXT, 1000, 8192)).isInstanceOf(ZipException.class)
                .hasMessageContaining("not in gzip format");
    }

    private static byte[] decode(byte[] gz, int piece, int chunkSize) throws IOException {
        GzipDecoder decoder = new GzipDecoder(chunkSize);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < gz.length; i += piece) {
            ByteBuffer in = ByteBuffer.wrap(gz, i, Math.min(piece, gz.length - i)).asReadOnlyBuffer();
            for (ByteBuffer chunk : decoder.decode(in)) {
                assertThat(chunk.remaining()).isPositive().isLessThanOrEqualTo(chunkSize);
                byte[] bytes = new byte[chunk.remaining()];
                chunk.get(bytes);
                out.writeBytes(bytes);
            }
            assertThat(in.hasRemaining()).isFalse();
        }
        decoder.finish();
        return out.toByteArray();
    }

    static byte[] text(int length) {
        Random random = new Random(42);
        String[] words = {"switchboard", "broker", "topic", "module", "chain", "message", "retain", "qos"};
        StringBuilder sb = new StringBuilder(length + 16);
        while (sb.length() < length) {
            sb.append(words[random.nextInt(words.length)]).append(random.nextInt(1000)).append(' ');
        }
        return sb.substring(0, length).getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }

    /** A member with FEXTRA, FNAME, FCOMMENT and FHCRC, which GZIPOutputStream never writes. */
    private static byte[] gzipWithAllHeaderFields(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, 2 | 4 | 8 | 16, 0, 0, 0, 0, 0, (byte) 255});
        out.writeBytes(new byte[] {3, 0, 'a', 'b', 'c'});
        out.writeBytes("name.txt\0".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes("a comment\0".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(new byte[] {0x12, 0x34}); // header CRC-16, not checked
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        deflater.setInput(data);
        deflater.finish();
        byte[] buf = new byte[8192];
        while (!deflater.finished()) {
            out.write(buf, 0, deflater.deflate(buf));
        }
        deflater.end();
        CRC32 crc = new CRC32();
        crc.update(data);
        out.writeBytes(le32(crc.getValue()));
        out.writeBytes(le32(data.length));
        return out.toByteArray();
    }

    private static byte[] le32(long v) {
        return new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
