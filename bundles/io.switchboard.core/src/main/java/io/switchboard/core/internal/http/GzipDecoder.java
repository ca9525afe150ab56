package io.switchboard.core.internal.http;

import java.io.EOFException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipException;

/**
 * Decodes a gzip body push-style, one network chunk at a time. A {@code GZIPInputStream} would need a
 * blocking pipe and a thread per body; an {@link Inflater} fed from the HTTP client's buffers does not.
 * Header and trailer may be split across chunks at any byte; the trailer's CRC-32 and length are checked;
 * concatenated members are decoded like {@code GZIPInputStream} does, and bytes after the last member
 * that do not start another member are ignored, as there. Not thread-safe: one body, one thread at a time.
 */
final class GzipDecoder {

    private static final int FHCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;
    /** FEXTRA is at most 65535 bytes; file name and comment are short in practice. */
    private static final int MAX_HEADER = 128 * 1024;

    private enum State { HEADER, DATA, TRAILER, NEXT_MEMBER, IGNORE }

    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    private final int chunkSize;
    private State state = State.HEADER;
    private byte[] pending = new byte[32];
    private int pendingLength;
    private long memberSize;
    private boolean sawInput;

    GzipDecoder(int chunkSize) {
        this.chunkSize = chunkSize;
    }

    /** Decodes {@code in} completely; returns the decoded chunks (fresh buffers, possibly none). */
    List<ByteBuffer> decode(ByteBuffer in) throws ZipException {
        List<ByteBuffer> out = new ArrayList<>(2);
        if (in.hasRemaining()) {
            sawInput = true;
        }
        while (true) {
            switch (state) {
                case HEADER, NEXT_MEMBER -> {
                    if (!in.hasRemaining()) {
                        return out;
                    }
                    readHeader(in);
                }
                case DATA -> {
                    if (inflater.needsInput()) {
                        if (!in.hasRemaining()) {
                            return out;
                        }
                        // The inflater advances in's position as it consumes, so whatever follows the
                        // deflate data (the trailer) is left in 'in'.
                        inflater.setInput(in);
                    }
                    inflate(out);
                }
                case TRAILER -> {
                    if (!in.hasRemaining()) {
                        return out;
                    }
                    readTrailer(in);
                }
                case IGNORE -> {
                    in.position(in.limit());
                    return out;
                }
                default -> throw new IllegalStateException(state.name());
            }
        }
    }

    /** Checks that the body ended at a member boundary; releases the inflater. */
    void finish() throws EOFException {
        try {
            boolean complete = state == State.NEXT_MEMBER || state == State.IGNORE
                    || state == State.HEADER && !sawInput; // an empty body (HEAD, 204, 304) is fine
            if (!complete) {
                throw new EOFException("gzip body ends in the middle of a member (" + state + ")");
            }
        } finally {
            inflater.end();
        }
    }

    /** Releases the inflater without checking. */
    void close() {
        inflater.end();
    }

    private void readHeader(ByteBuffer in) throws ZipException {
        int before = pendingLength;
        int start = in.position();
        append(in, in.remaining());
        int headerLength;
        try {
            headerLength = headerLength(pending, pendingLength);
        } catch (ZipException e) {
            if (state == State.NEXT_MEMBER) {
                state = State.IGNORE; // trailing garbage after a complete member
                pendingLength = 0;
                return;
            }
            throw e;
        }
        if (headerLength < 0) {
            if (pendingLength > MAX_HEADER) {
                throw new ZipException("gzip header longer than " + MAX_HEADER + " bytes");
            }
            return; // need more bytes; all of 'in' is in pending
        }
        // Give back what was copied beyond the header.
        in.position(start + headerLength - before);
        pendingLength = 0;
        inflater.reset();
        crc.reset();
        memberSize = 0;
        state = State.DATA;
    }

    private void inflate(List<ByteBuffer> out) throws ZipException {
        byte[] buf = new byte[chunkSize];
        int n;
        try {
            n = inflater.inflate(buf);
        } catch (DataFormatException e) {
            throw new ZipException("corrupt gzip data: " + e.getMessage());
        }
        if (n > 0) {
            crc.update(buf, 0, n);
            memberSize += n;
            out.add(ByteBuffer.wrap(buf, 0, n));
        }
        if (inflater.finished()) {
            state = State.TRAILER;
        } else if (n == 0 && inflater.needsDictionary()) {
            throw new ZipException("corrupt gzip data: deflate stream asks for a dictionary");
        }
    }

    private void readTrailer(ByteBuffer in) throws ZipException {
        append(in, Math.min(8 - pendingLength, in.remaining()));
        if (pendingLength < 8) {
            return;
        }
        long crcValue = le32(pending, 0);
        long size = le32(pending, 4);
        pendingLength = 0;
        if (crcValue != crc.getValue()) {
            throw new ZipException("corrupt gzip data: CRC-32 mismatch");
        }
        if (size != (memberSize & 0xffffffffL)) {
            throw new ZipException("corrupt gzip data: length mismatch");
        }
        state = State.NEXT_MEMBER;
    }

    private void append(ByteBuffer in, int count) {
        if (pendingLength + count > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + count));
        }
        in.get(pending, pendingLength, count);
        pendingLength += count;
    }

    /** The length of the gzip header at the start of {@code b}, or -1 if more bytes are needed. */
    static int headerLength(byte[] b, int length) throws ZipException {
        if (length >= 1 && (b[0] & 0xff) != 0x1f || length >= 2 && (b[1] & 0xff) != 0x8b) {
            throw new ZipException("not in gzip format");
        }
        if (length >= 3 && b[2] != 8) {
            throw new ZipException("unsupported gzip compression method " + b[2]);
        }
        if (length < 10) {
            return -1;
        }
        int flags = b[3] & 0xff;
        int pos = 10;
        if ((flags & FEXTRA) != 0) {
            if (length < pos + 2) {
                return -1;
            }
            pos += 2 + ((b[pos] & 0xff) | (b[pos + 1] & 0xff) << 8);
        }
        if ((flags & FNAME) != 0) {
            pos = afterZero(b, pos, length);
        }
        if (pos >= 0 && (flags & FCOMMENT) != 0) {
            pos = afterZero(b, pos, length);
        }
        if (pos >= 0 && (flags & FHCRC) != 0) {
            pos += 2;
        }
        return pos < 0 || pos > length ? -1 : pos;
    }

    private static int afterZero(byte[] b, int from, int length) {
        for (int i = from; i < length; i++) {
            if (b[i] == 0) {
                return i + 1;
            }
        }
        return -1;
    }

    private static long le32(byte[] b, int at) {
        return (b[at] & 0xffL) | (b[at + 1] & 0xffL) << 8 | (b[at + 2] & 0xffL) << 16 | (b[at + 3] & 0xffL) << 24;
    }
}
