package io.ringraft.internal.runtime.tasks;

import io.ringraft.spi.RaftMetrics;

/**
 * Measures how long a leader's local proposals take to commit, for {@link RaftMetrics#proposalsCommitted}:
 * the core notes each batch of proposals it places in the ring (last index, count, time) and, when the
 * commit index passes a batch's last entry, reports the batch's latency once.
 *
 * <p>Bounded: at most {@value #BATCHES} batches are tracked; a batch placed while the table is full is
 * merged into the newest one (which keeps the newest one's, earlier, time: latencies of merged batches
 * read a little high, counts stay exact). Core thread only. Its tables are allocated by the first batch
 * placed and handed back by {@link #releaseIdle()} while no batch waits (a quiet group); nothing else allocates.
 */
final class CommitTimer {

    /** Batches tracked at once: with a commit per few batches under load, far more than ever wait. */
    static final int BATCHES = 64;

    /** Null until the first batch and after {@link #releaseIdle()}. */
    private long[] lastIndexes;
    private long[] placedAt;
    private int[] counts;
    private int head;
    private int size;

    /** A batch of {@code count} proposals ending at {@code lastIndex} was placed at {@code nanos}. */
    void placed(long lastIndex, int count, long nanos) {
        if (lastIndexes == null) {
            lastIndexes = new long[BATCHES];
            placedAt = new long[BATCHES];
            counts = new int[BATCHES];
        }
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

    /**
     * Hands the tables back if no batch waits (core thread, a quiet group); the next batch allocates them again.
     *
     * @return true if they were released now
     */
    boolean releaseIdle() {
        if (lastIndexes == null || size > 0) {
            return false;
        }
        lastIndexes = placedAt = null;
        counts = null;
        head = 0;
        return true;
    }

    /** Batches waiting for their commit. */
    int pending() {
        return size;
    }
}
