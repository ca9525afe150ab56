package io.switchboard.bench;

/** The sequence numbers seen from one publisher by one subscriber: a growable bit set. */
final class SequenceSet {
    /** Larger sequence numbers are not ours (a run is bounded well below this). */
    static final long MAX_SEQUENCE = 1L << 31;

    private long[] words = new long[1024];
    private long count;

    /** Returns true when {@code sequence} is new, false for a duplicate or an impossible number. */
    boolean add(long sequence) {
        if (sequence < 0 || sequence >= MAX_SEQUENCE) {
            return false;
        }
        int word = (int) (sequence >>> 6);
        if (word >= words.length) {
            long[] bigger = new long[Math.max(words.length * 2, word + 1)];
            System.arraycopy(words, 0, bigger, 0, words.length);
            words = bigger;
        }
        long bit = 1L << (sequence & 63);
        if ((words[word] & bit) != 0) {
            return false;
        }
        words[word] |= bit;
        count++;
        return true;
    }

    boolean contains(long sequence) {
        if (sequence < 0 || sequence >= MAX_SEQUENCE) {
            return false;
        }
        int word = (int) (sequence >>> 6);
        return word < words.length && (words[word] & (1L << (sequence & 63))) != 0;
    }

    long count() {
        return count;
    }
}
