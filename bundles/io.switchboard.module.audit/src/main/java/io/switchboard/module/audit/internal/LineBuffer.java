package io.switchboard.module.audit.internal;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The writer thread's reused byte buffer: lines are formatted into it one after another and leave it in one
 * write per batch. Not thread-safe.
 */
final class LineBuffer extends OutputStream {

    private byte[] bytes;
    private int count;

    LineBuffer(int initialCapacity) {
        bytes = new byte[initialCapacity];
    }

    @Override
    public void write(int b) {
        ensure(1);
        bytes[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, bytes, count, len);
        count += len;
    }

    private void ensure(int more) {
        if (count + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, count + more));
        }
    }

    /** The bytes written so far: {@code array()[0 .. size())}. */
    byte[] array() {
        return bytes;
    }

    int size() {
        return count;
    }

    /** Forgets everything from {@code size} on. */
    void truncate(int size) {
        count = size;
    }

    /** Moves the bytes from {@code from} to the start and forgets those before. */
    void dropBefore(int from) {
        System.arraycopy(bytes, from, bytes, 0, count - from);
        count -= from;
    }

    /** Shrinks a buffer that grew for one huge batch or line back to {@code capacity}, once it is empty. */
    void trim(int capacity) {
        if (count == 0 && bytes.length > capacity) {
            bytes = new byte[capacity];
        }
    }

    String text(int from, int to) {
        return new String(bytes, from, to - from, StandardCharsets.UTF_8);
    }
}
