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
 *
 * <p>The ring of samples is allocated when a second commit index is observed; the core of a quiet group
 * hands it back with {@link #releaseIdle()}, which keeps only the newest sample (in two fields), so that a
 * quiet replica still dates what it applied up to that sample's commit; an older applied index reads as
 * never fresh (conservative, as for a sample the ring no longer keeps).
 */
public final class CommitFreshness {

    /** Samples kept. */
    static final int CAPACITY = 64;

    /** The samples, or null while at most one is kept (in {@link #soleTime} and {@link #soleCommit}). */
    private long[] times;
    private long[] commits;
    /** Samples taken so far; the newest is at {@code (count - 1) % CAPACITY} (or the sole one, while no ring). */
    private long count;
    private long soleTime;
    private long soleCommit;

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
        if (times == null) {
            if (count == 0) {
                soleTime = nanos;
                soleCommit = commit;
                count = 1;
                return;
            }
            if (commit <= soleCommit) {
                if (commit == soleCommit) {
                    soleTime = Math.max(soleTime, nanos);
                }
                return;
            }
            times = new long[CAPACITY]; // a second commit index: the group is active again
            commits = new long[CAPACITY];
            times[0] = soleTime;
            commits[0] = soleCommit;
            count = 1;
        }
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
        if (times == null) {
            return count > 0 && soleCommit <= applied ? Math.max(0, nowNanos - soleTime) : Long.MAX_VALUE;
        }
        long kept = Math.min(count, CAPACITY);
        for (long i = 0; i < kept; i++) {
            int slot = (int) ((count - 1 - i) % CAPACITY);
            if (commits[slot] <= applied) {
                return Math.max(0, nowNanos - times[slot]);
            }
        }
        return Long.MAX_VALUE;
    }

    /**
     * Hands the ring of samples back, keeping only the newest sample (core thread, a quiet group); the next
     * higher commit index observed allocates it again.
     *
     * @return true if it was released now
     */
    public synchronized boolean releaseIdle() {
        if (times == null) {
            return false;
        }
        int newest = (int) ((count - 1) % CAPACITY);
        soleTime = times[newest];
        soleCommit = commits[newest];
        times = null;
        commits = null;
        count = 1;
        return true;
    }

    /** {@return whether the ring of samples is allocated now} For tests. */
    synchronized boolean ringAllocated() {
        return times != null;
    }
}
