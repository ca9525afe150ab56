package io.switchboard.console.internal;

import java.util.ArrayList;
import java.util.List;

/** The last {@code capacity} samples, oldest first; the oldest is dropped when a new one does not fit. Thread-safe. */
final class SampleRing {

    private final Sample[] slots;
    private int next;
    private int size;

    SampleRing(int capacity) {
        if (capacity < 2) {
            throw new IllegalArgumentException("capacity must be at least 2, not " + capacity);
        }
        slots = new Sample[capacity];
    }

    synchronized void add(Sample sample) {
        slots[next] = sample;
        next = (next + 1) % slots.length;
        size = Math.min(size + 1, slots.length);
    }

    /** The samples held now, oldest first. */
    synchronized List<Sample> snapshot() {
        List<Sample> out = new ArrayList<>(size);
        int first = (next - size + slots.length) % slots.length;
        for (int i = 0; i < size; i++) {
            out.add(slots[(first + i) % slots.length]);
        }
        return out;
    }

    int capacity() {
        return slots.length;
    }
}
