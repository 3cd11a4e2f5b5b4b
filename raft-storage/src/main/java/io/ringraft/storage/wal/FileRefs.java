package io.ringraft.storage.wal;

import java.util.Arrays;

/**
 * How many live entries of one group each WAL file holds: a small sorted table of
 * {@code (file seq, count)}, one row per file the group has live entries in. Space reclamation sums
 * these over the groups to find files no group needs.
 *
 * <p>Not thread-safe: the group's lock guards it.
 */
final class FileRefs {

    private long[] seqs = new long[4];
    private long[] counts = new long[4];
    private int rows;

    /** Adds {@code delta} to the count of file {@code seq}; a row that reaches zero goes. */
    void add(long seq, long delta) {
        if (rows > 0 && delta > 0 && seqs[rows - 1] == seq) {
            counts[rows - 1] += delta; // the common case: an entry appended to the newest file
            return;
        }
        int at = Arrays.binarySearch(seqs, 0, rows, seq);
        if (at < 0) {
            if (delta <= 0) {
                throw new IllegalStateException("file " + seq + " holds no live entry to remove");
            }
            at = -at - 1;
            if (rows == seqs.length) {
                seqs = Arrays.copyOf(seqs, rows * 2);
                counts = Arrays.copyOf(counts, rows * 2);
            }
            System.arraycopy(seqs, at, seqs, at + 1, rows - at);
            System.arraycopy(counts, at, counts, at + 1, rows - at);
            seqs[at] = seq;
            counts[at] = 0;
            rows++;
        }
        counts[at] += delta;
        if (counts[at] < 0) {
            throw new IllegalStateException("file " + seq + " would hold " + counts[at] + " live entries");
        }
        if (counts[at] == 0) {
            System.arraycopy(seqs, at + 1, seqs, at, rows - at - 1);
            System.arraycopy(counts, at + 1, counts, at, rows - at - 1);
            rows--;
        }
    }

    int rows() {
        return rows;
    }

    long seqAt(int row) {
        return seqs[row];
    }

    long countAt(int row) {
        return counts[row];
    }

    /** Live entries in file {@code seq}. */
    long countOf(long seq) {
        int at = Arrays.binarySearch(seqs, 0, rows, seq);
        return at < 0 ? 0 : counts[at];
    }

    void clear() {
        rows = 0;
    }
}
