package io.ringraft.internal.engine;

import io.ringraft.api.LogId;
import java.util.Arrays;

/**
 * The engine's picture of its log: which term each index has, without the payloads.
 *
 * <p>A Raft log's terms never decrease along the index, so the log is stored as runs of equal terms:
 * memory grows with the number of leader changes in the retained log, not with its length, and a
 * lookup is a binary search over the runs. {@link #base()} is the entry just before the first one
 * held (the log start {@link LogId#ZERO}, or the last entry covered by a snapshot): its term is known
 * even though the entry itself is gone.
 *
 * <p>Owned by the engine; single-threaded. The runtime builds one from storage at recovery.
 */
public final class LogTerms {

    private LogId base;
    private long lastIndex;
    /** runStart[i]: first index of run i; runs cover base.index+1 .. lastIndex. */
    private long[] runStart = new long[8];
    private long[] runTerm = new long[8];
    private int runs;

    private LogTerms(LogId base) {
        this.base = base;
        this.lastIndex = base.index();
    }

    /** An empty log that starts right after {@code base} ({@link LogId#ZERO} for a brand-new node). */
    public static LogTerms startingAfter(LogId base) {
        return new LogTerms(base);
    }

    /** The entry before the first one held. */
    public LogId base() {
        return base;
    }

    /** Index of the last entry, or {@code base().index()} if the log holds none. */
    public long lastIndex() {
        return lastIndex;
    }

    /** Term of the last entry, or of the base if the log holds none. */
    public long lastTerm() {
        return runs == 0 ? base.term() : runTerm[runs - 1];
    }

    /** The id of the last entry. */
    public LogId last() {
        return new LogId(lastTerm(), lastIndex);
    }

    /**
     * The term at {@code index}, or -1 if the index is outside {@code [base().index(), lastIndex()]}
     * (beyond the end, or compacted away).
     */
    public long termAt(long index) {
        if (index == base.index()) {
            return base.term();
        }
        if (index < base.index() || index > lastIndex) {
            return -1;
        }
        int run = Arrays.binarySearch(runStart, 0, runs, index);
        if (run < 0) {
            run = -run - 2; // the run that starts before index
        }
        return runTerm[run];
    }

    /** True if the log holds {@code id} (or it is the base). */
    public boolean contains(LogId id) {
        return termAt(id.index()) == id.term();
    }

    /**
     * Appends {@code count} entries of {@code term} after the last entry.
     *
     * @throws IllegalArgumentException if {@code term} is lower than the last term (a Raft log's terms
     *                                  never decrease) or count is negative
     */
    public void append(long term, int count) {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative, got " + count);
        }
        if (count == 0) {
            return;
        }
        long last = lastTerm();
        if (term < last) {
            throw new IllegalArgumentException("term " + term + " after term " + last
                    + " at index " + lastIndex + ": log terms never decrease");
        }
        if (runs == 0 || term != last) {
            if (runs == runStart.length) {
                runStart = Arrays.copyOf(runStart, runs * 2);
                runTerm = Arrays.copyOf(runTerm, runs * 2);
            }
            runStart[runs] = lastIndex + 1;
            runTerm[runs] = term;
            runs++;
        }
        lastIndex += count;
    }

    /**
     * Removes every entry from {@code index} on.
     *
     * @throws IllegalArgumentException if {@code index} is at or below the base (those entries are
     *                                  committed and compacted) or beyond the end
     */
    public void truncateFrom(long index) {
        if (index <= base.index() || index > lastIndex + 1) {
            throw new IllegalArgumentException("cannot truncate from " + index + ": log holds "
                    + (base.index() + 1) + ".." + lastIndex);
        }
        while (runs > 0 && runStart[runs - 1] >= index) {
            runs--;
        }
        lastIndex = index - 1;
    }

    /**
     * Forgets every entry up to and including {@code index}, which becomes the base (log compaction
     * after a snapshot). Does nothing if {@code index} is at or below the base.
     *
     * @throws IllegalArgumentException if {@code index} is beyond the last entry
     */
    public void compactTo(long index) {
        if (index <= base.index()) {
            return;
        }
        if (index > lastIndex) {
            throw new IllegalArgumentException("cannot compact to " + index + ": log holds "
                    + (base.index() + 1) + ".." + lastIndex);
        }
        LogId newBase = new LogId(termAt(index), index);
        int firstKept = 0;
        while (firstKept < runs && runEnd(firstKept) <= index) {
            firstKept++;
        }
        if (firstKept > 0) {
            System.arraycopy(runStart, firstKept, runStart, 0, runs - firstKept);
            System.arraycopy(runTerm, firstKept, runTerm, 0, runs - firstKept);
            runs -= firstKept;
        }
        if (runs > 0 && runStart[0] <= index) {
            runStart[0] = index + 1;
        }
        base = newBase;
    }

    /**
     * Forgets the whole log: it continues empty after {@code newBase} (a follower installing a
     * snapshot its log does not contain).
     *
     * @throws IllegalArgumentException if {@code newBase} is before the base
     */
    public void resetTo(LogId newBase) {
        if (newBase.index() < base.index()) {
            throw new IllegalArgumentException("cannot reset the log to " + newBase + ": before its base " + base);
        }
        base = newBase;
        lastIndex = newBase.index();
        runs = 0;
    }

    /** The last index of run {@code run}. */
    private long runEnd(int run) {
        return run + 1 < runs ? runStart[run + 1] - 1 : lastIndex;
    }

    /**
     * The largest index {@code <= index} whose term is {@code <= term}, or the base index if none is
     * held (Raft's fast-backtracking search used on both ends of a rejected AppendEntries).
     */
    public long lastIndexWithTermAtMost(long index, long term) {
        long i = Math.min(index, lastIndex);
        if (i <= base.index()) {
            return i < base.index() ? i : base.index();
        }
        int run = Arrays.binarySearch(runStart, 0, runs, i);
        if (run < 0) {
            run = -run - 2;
        }
        while (run >= 0 && runTerm[run] > term) {
            i = runStart[run] - 1;
            run--;
        }
        return Math.max(i, base.index());
    }

    /** Number of term runs held (for tests and metrics). */
    int runCount() {
        return runs;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("LogTerms[base=").append(base);
        for (int i = 0; i < runs; i++) {
            long end = i + 1 < runs ? runStart[i + 1] - 1 : lastIndex;
            s.append(' ').append(runStart[i]).append("..").append(end).append(":T").append(runTerm[i]);
        }
        return s.append(']').toString();
    }
}
