package io.ringraft.internal.runtime;

/**
 * What a replica heard of its leader's commit index, and when by its own monotonic clock: the
 * measure behind reads bounded by time ({@code RaftNode.appliedStalenessNanos()}). Each sample says
 * "a message from the leader, received at {@code time}, carried leader commit {@code commit}": every
 * entry up to {@code commit} was committed when the leader sent it, which is no later than
 * {@code time}. No clock of another machine is read.
 *
 * <p>The core records a sample for each AppendEntries (heartbeats included) it takes from the leader of
 * its term whose commit index is an entry of that term in this replica's log (before the leader has
 * committed an entry of its own term, its commit index may lag what its predecessor committed, so it
 * dates nothing), in order; a leader records its own commit index whenever it rises, once it serves; a sample whose commit is below the last one's (a reordered message) is ignored,
 * one with the same commit moves that sample's time forward. The samples are kept in a ring of
 * {@link #CAPACITY}: an older applied index than the oldest kept sample's commit reads as never fresh
 * (conservative). Thread-safe: the core writes, readers (client servers) read on any thread; one
 * monitor, held for a few array operations.
 */
public final class CommitFreshness {

    /** Samples kept. */
    static final int CAPACITY = 64;

    private final long[] times = new long[CAPACITY];
    private final long[] commits = new long[CAPACITY];
    /** Samples taken so far; the newest is at {@code (count - 1) % CAPACITY}. */
    private long count;

    /**
     * Records a leader's commit index, if it dates anything: only once it is an entry of the leader's
     * term (before the leader committed an entry of its own term, its commit index may lag what its
     * predecessor committed). Core thread.
     *
     * @param nanos        the receive time (or, on the leader, the time the commit index rose), the node's
     *                     monotonic clock
     * @param commit       the leader's commit index
     * @param termAtCommit the term of entry {@code commit} in this replica's log (-1 if it holds none)
     * @param leaderTerm   the leader's term
     */
    public void observeLeaderCommit(long nanos, long commit, long termAtCommit, long leaderTerm) {
        if (termAtCommit == leaderTerm) {
            observe(nanos, commit);
        }
    }

    /**
     * Records that the leader's commit index was {@code commit} when it sent a message received at {@code nanos}.
     * Core thread.
     *
     * @param nanos  the receive time, the node's monotonic clock
     * @param commit the leader commit index the message carried
     */
    public synchronized void observe(long nanos, long commit) {
        if (count > 0) {
            int newest = (int) ((count - 1) % CAPACITY);
            if (commit < commits[newest]) {
                return;
            }
            if (commit == commits[newest]) {
                times[newest] = Math.max(times[newest], nanos);
                return;
            }
        }
        int slot = (int) (count % CAPACITY);
        times[slot] = nanos;
        commits[slot] = commit;
        count++;
    }

    /**
     * {@return how long before {@code nowNanos} this replica last heard a leader commit index at most
     * {@code applied} (0 or more), or {@link Long#MAX_VALUE} if no kept sample is that low}
     *
     * @param applied  the replica's applied index
     * @param nowNanos now, the node's monotonic clock
     */
    public synchronized long stalenessNanos(long applied, long nowNanos) {
        long kept = Math.min(count, CAPACITY);
        for (long i = 0; i < kept; i++) {
            int slot = (int) ((count - 1 - i) % CAPACITY);
            if (commits[slot] <= applied) {
                return Math.max(0, nowNanos - times[slot]);
            }
        }
        return Long.MAX_VALUE;
    }
}
