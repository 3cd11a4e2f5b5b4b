package io.ringraft.internal.engine.progress;

/**
 * Tracks what of the engine's accepted log and vote is durable, from the log writer's flush reports.
 *
 * <p>Every change the engine hands to storage (save vote, truncate, append) gets the next value of a
 * monotonic sequence, the {@link IoId#seq() IoId sequence}. Storage applies the changes in sequence
 * order and reports "everything up to {@code seq} is durable". Because the sequence never repeats,
 * a late report of an old write can never be mistaken for a newer one, even when the same
 * {@code (term, index)} was truncated and appended again in between (see docs/io-progress.md).
 *
 * <p>From a report this class derives two facts the engine acts on:
 * <ul>
 *   <li>{@link #voteDurable()}: the latest vote is on disk, so a vote grant or a self-vote may count;
 *   <li>{@link #durableIndex()}: the highest index that is durable <em>and still in the current log</em>.
 *       A truncation lowers it at once; entries appended afterwards count only once a report covers
 *       the append's sequence.
 * </ul>
 *
 * <p>The appends not yet covered by a report are kept as (seq, last index) marks in a fixed array.
 * When it is full the two newest marks are merged into the later one; that only delays when the
 * earlier entries count as durable, so memory stays bounded without giving up safety. The array is
 * allocated by the first append and handed back by {@link #releaseIdle()} while no mark is pending (a quiet
 * group). Single-threaded, owned by the engine.
 */
public final class IoProgress {

    private long acceptedSeq;
    private long flushedSeq;
    private long voteSeq;
    private long durableIndex;

    private final int maxMarks;
    /** Null until the first append and after {@link #releaseIdle()}. */
    private long[] markSeq;
    private long[] markIndex;
    private int markHead;
    private int markCount;

    /**
     * @param durableIndex the last index of the recovered log, all of it durable
     * @param maxMarks     bound on pending append marks, {@code >= 2}
     */
    public IoProgress(long durableIndex, int maxMarks) {
        if (maxMarks < 2) {
            throw new IllegalArgumentException("maxMarks must be >= 2, got " + maxMarks);
        }
        this.durableIndex = durableIndex;
        this.maxMarks = maxMarks;
    }

    /**
     * Hands the marks' arrays back if no append waits for its flush report; the next append allocates them.
     *
     * @return true if they were released now
     */
    public boolean releaseIdle() {
        if (markSeq == null || markCount > 0) {
            return false;
        }
        markSeq = null;
        markIndex = null;
        markHead = 0;
        return true;
    }

    /** The sequence of the last change handed to storage. */
    public long acceptedSeq() {
       return acceptedSeq;
    }

    /** The sequence storage last reported durable. */
    public long flushedSeq() {
       return flushedSeq;
    }

    /** The highest index durable and present in the current log. */
    public long durableIndex() {
       return durableIndex;
    }

    /** True if the latest saved vote is durable. */
    public boolean voteDurable() {
        return flushedSeq >= voteSeq;
    }

    /** Registers a vote change and returns its sequence. */
    public long voteSaved() {
        voteSeq = ++acceptedSeq;
        return voteSeq;
    }

    /** Registers an append ending at {@code lastIndex} and returns its sequence. */
    public long appended(long lastIndex) {
        long seq = ++acceptedSeq;
        if (markSeq == null) {
            markSeq = new long[maxMarks];
            markIndex = new long[maxMarks];
        }
        if (markCount == maxMarks) {
            // Full: fold the newest mark into this one (it becomes durable a little later).
            markCount--;
        }
        int slot = (markHead + markCount) % maxMarks;
        markSeq[slot] = seq;
        markIndex[slot] = lastIndex;
        markCount++;
        return seq;
    }

    /** Registers a truncation of every index from {@code fromIndex} on and returns its sequence. */
    public long truncated(long fromIndex) {
        long seq = ++acceptedSeq;
        long keep = fromIndex - 1;
        durableIndex = Math.min(durableIndex, keep);
        // Pending appends keep only their entries below the cut; marks are nondecreasing in index,
        // so the clamped ones are the newest.
        for (int i = markCount - 1; i >= 0; i--) {
            int slot = (markHead + i) % maxMarks;
            if (markIndex[slot] <= keep) {
                break;
            }
            markIndex[slot] = keep;
        }
        return seq;
    }

    /**
     * Registers that the log was reset to continue after {@code baseIndex} (a snapshot from the leader
     * replaced it) and returns the reset's sequence. The snapshot is durable already, so everything
     * up to {@code baseIndex} counts as durable at once; pending appends are gone with the log.
     */
    public long reset(long baseIndex) {
        long seq = ++acceptedSeq;
        markHead = 0;
        markCount = 0;
        durableIndex = baseIndex;
        return seq;
    }

    /**
     * A durable snapshot covers everything up to {@code index}, which the current log also holds: it
     * counts as durable even if the log's own copy is still being written.
     */
    public void coveredBySnapshot(long index) {
        durableIndex = Math.max(durableIndex, index);
    }

    /**
     * Applies storage's report that every change up to {@code seq} is durable.
     *
     * @return false if the report is stale (not newer than the last one) and was ignored
     * @throws IllegalStateException if {@code seq} was never handed out: storage reported a write
     *                               the engine did not make
     */
    public boolean flushed(long seq) {
        if (seq > acceptedSeq) {
            throw new IllegalStateException("flush reported for seq " + seq
                    + " but the engine has accepted only up to " + acceptedSeq);
        }
        if (seq <= flushedSeq) {
            return false;
        }
        flushedSeq = seq;
        while (markCount > 0 && markSeq[markHead] <= seq) {
            durableIndex = Math.max(durableIndex, markIndex[markHead]);
            markHead = (markHead + 1) % maxMarks;
            markCount--;
        }
        return true;
    }

    @Override
    public String toString() {
        return "IoProgress[accepted=" + acceptedSeq + " flushed=" + flushedSeq + " voteSeq=" + voteSeq
                + " durableIndex=" + durableIndex + " pendingMarks=" + markCount + "]";
    }
}
