package io.ringraft.internal.runtime.tasks;

import io.ringraft.spi.RaftMetrics;

/**
 * Measures how long a leader's local proposals take to commit, for {@link RaftMetrics#proposalsCommitted}:
 * the core notes each batch of proposals it places in the ring (last index, count, time) and, when the
 * commit index passes a batch's last entry, reports the batch's latency once.
 *
 * <p>Bounded: at most {@value #BATCHES} batches are tracked; a batch placed while the table is full is
 * merged into the newest one (which keeps the newest one's, earlier, time: latencies of merged batches
 * read a little high, counts stay exact). Core thread only; allocates nothing after construction.
 */
final class CommitTimer {

    /** Batches tracked at once: with a commit per few batches under load, far more than ever wait. */
    static final int BATCHES = 64;

    private final long[] lastIndexes = new long[BATCHES];
    private final long[] placedAt = new long[BATCHES];
    private final int[] counts = new int[BATCHES];
    private int head;
    private int size;

    /** A batch of {@code count} proposals ending at {@code lastIndex} was placed at {@code nanos}. */
    void placed(long lastIndex, int count, long nanos) {
        if (size == BATCHES) {
            int newest = (head + size - 1) % BATCHES;
            lastIndexes[newest] = lastIndex;
            counts[newest] += count;
            return;
        }
        int slot = (head + size) % BATCHES;
        lastIndexes[slot] = lastIndex;
        placedAt[slot] = nanos;
        counts[slot] = count;
        size++;
    }

    /** The commit index reached {@code commitIndex} at {@code nanos}: reports every batch it covers. */
    void committed(long commitIndex, long nanos, RaftMetrics metrics) {
        while (size > 0 && lastIndexes[head] <= commitIndex) {
            metrics.proposalsCommitted(nanos - placedAt[head], counts[head]);
            head = (head + 1) % BATCHES;
            size--;
        }
    }

    /** Leadership ended: the batches left will not be reported (their proposals fail or commit later under another leader). */
    void clear() {
        head = 0;
        size = 0;
    }

    /** Batches waiting for their commit. */
    int pending() {
        return size;
    }
}
