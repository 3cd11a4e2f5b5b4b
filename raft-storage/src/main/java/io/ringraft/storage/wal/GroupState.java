package io.ringraft.storage.wal;

import io.ringraft.api.LogId;
import io.ringraft.api.Vote;
import io.ringraft.storage.internal.TermRuns;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One group's log as the WAL knows it in memory: vote, base, last index, term runs, where each live
 * entry's record is ({@link LocationIndex}) and how many live entries each file holds
 * ({@link FileRefs}). The same transitions serve the live writes and recovery's replay of the
 * records, so the state recovered is the state that was written.
 *
 * <p><b>Locking.</b> The writer changes it while holding the WAL's append lock and this group's
 * write lock; readers ({@code read}, {@code termAt}, space reclamation, checkpoints) hold the read
 * lock. Recovery uses it single-threaded before anything else sees it. The transitions check what
 * they are given and throw {@link IllegalStateException} when a record contradicts the state (for
 * recovery, that is damage; for the writer, a bug: callers validate first).
 *
 * <p>Memory: the location index holds 8 bytes per live entry; purges bound it.
 */
final class GroupState {

    final long groupId;
    final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

    Vote vote = Vote.INITIAL;
    LogId base = LogId.ZERO;
    long lastIndex;
    TermRuns runs = new TermRuns();
    final LocationIndex locations = new LocationIndex();
    final FileRefs refs = new FileRefs();
    /** End LSN of this group's last record: a flush waits until the stream is durable up to it. */
    volatile long lastLsn;
    /** {@link #lastLsn} for the writer's release stores. */
    static final VarHandle LAST_LSN;

    static {
        try {
            LAST_LSN = MethodHandles.lookup().findVarHandle(GroupState.class, "lastLsn", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    /** During recovery: records of this group before this LSN are in the checkpoint already. */
    long checkpointLsn;
    /** True while a {@link GroupLog} has it open; guarded by the shared log's monitor. */
    boolean inUse;

    GroupState(long groupId) {
        this.groupId = groupId;
    }

    /** The last entry's id, or the base when the log holds none. */
    LogId lastId() {
        return lastIndex == base.index() ? base : new LogId(runs.lastTerm(), lastIndex);
    }

    /** The last entry's term (the last run's: the runs cover base + 1 to last), or the base's. */
    long lastTerm() {
        return lastIndex == base.index() ? base.term() : runs.lastTerm();
    }

    /** The term at {@code index}: the base's at the base, -1 outside {@code [base, last]}. */
    long termAt(long index) {
        if (index == base.index()) {
            return base.term();
        }
        if (index < base.index() || index > lastIndex) {
            return -1;
        }
        return runs.termOf(index);
    }

    /** True if the log is untouched: nothing was ever recorded for the group. */
    boolean isPristine() {
        return vote.equals(Vote.INITIAL) && base.equals(LogId.ZERO) && lastIndex == 0;
    }

    // ------------------------------------------------------------------ transitions

    void appendEntry(long index, long term, long location) {
        if (index != lastIndex + 1) {
            throw new IllegalStateException("group " + groupId + ": entry " + index + " does not follow the last entry "
                    + lastIndex);
        }
        if (term < lastTerm()) {
            throw new IllegalStateException("group " + groupId + ": entry " + index + " has term " + term
                    + ", lower than the term before it " + lastTerm());
        }
        if (locations.size() == 0) {
            locations.reset(index);
        }
        locations.append(location);
        refs.add(Lsn.seq(location), 1);
        runs.append(index, term);
        lastIndex = index;
    }

    /** An entry's record was copied to {@code location} by space reclamation. */
    void moveEntry(long index, long term, long location) {
        if (index <= base.index() || index > lastIndex || runs.termOf(index) != term) {
            throw new IllegalStateException("group " + groupId + ": moved copy of entry " + index + " (term " + term
                    + ") names no live entry (base " + base + ", last " + lastIndex + ")");
        }
        long old = locations.get(index);
        refs.add(Lsn.seq(old), -1);
        locations.set(index, location);
        refs.add(Lsn.seq(location), 1);
    }

    void truncateFrom(long from) {
        if (from <= base.index() || from > lastIndex + 1) {
            throw new IllegalStateException("group " + groupId + ": truncation from " + from + " outside (base "
                    + base.index() + ", last + 1 = " + (lastIndex + 1) + "]");
        }
        forget(from, lastIndex);
        locations.truncateFrom(from);
        runs.truncateFrom(from);
        lastIndex = from - 1;
    }

    void purgeThrough(long upTo, long term) {
        if (upTo <= base.index() || upTo > lastIndex || runs.termOf(upTo) != term) {
            throw new IllegalStateException("group " + groupId + ": purge through " + upTo + " (term " + term
                    + ") outside (base " + base.index() + ", last " + lastIndex + "] or of another term");
        }
        forget(base.index() + 1, upTo);
        locations.dropThrough(upTo);
        runs.dropBefore(upTo);
        base = new LogId(term, upTo);
    }

    void resetTo(LogId newBase) {
        if (newBase.index() < base.index()) {
            throw new IllegalStateException("group " + groupId + ": reset to " + newBase + " before the base " + base);
        }
        refs.clear();
        locations.reset(newBase.index() + 1);
        runs = new TermRuns();
        base = newBase;
        lastIndex = newBase.index();
    }

    /** The group's data is deleted: no entries, no base, no vote, as if it had never been written. */
    void delete() {
        refs.clear();
        locations.reset(1);
        runs = new TermRuns();
        base = LogId.ZERO;
        lastIndex = 0;
        vote = Vote.INITIAL;
    }

    void saveVote(Vote next) {
        if (next.term() < vote.term()
                || (next.term() == vote.term() && vote.hasVoted() && next.votedFor() != vote.votedFor())) {
            throw new IllegalStateException("group " + groupId + ": vote " + next + " cannot follow " + vote);
        }
        vote = next;
    }

    /** Drops the file references of entries {@code from..to} (held), one update per run of a file. */
    private void forget(long from, long to) {
        long runSeq = -1;
        long runCount = 0;
        for (long index = from; index <= to; index++) {
            long seq = Lsn.seq(locations.get(index));
            if (seq != runSeq && runCount > 0) {
                refs.add(runSeq, -runCount);
                runCount = 0;
            }
            runSeq = seq;
            runCount++;
        }
        if (runCount > 0) {
            refs.add(runSeq, -runCount);
        }
    }
}
