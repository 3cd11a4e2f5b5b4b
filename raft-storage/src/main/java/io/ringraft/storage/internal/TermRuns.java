package io.ringraft.storage.internal;

import java.util.Arrays;

/**
 * Terms of a range of consecutive log entries as runs: run {@code i} starts at index
 * {@code runStart(i)} and every entry from there up to the next run's start has term
 * {@code runTerm(i)}. Terms strictly increase from run to run. The caller knows where the range
 * ends; a run says nothing about that.
 *
 * <p>Used for the whole log (so that {@code termAt} needs no IO) and in a {@link Seal} for one
 * segment. Not thread-safe: the storage guards it with its lock.
 */
public final class TermRuns {

    private long[] starts = new long[8];
    private long[] terms = new long[8];
    private int count;

    /** Number of runs. */
    public int count() {
        return count;
    }

    /** First index of run {@code i}. */
    public long runStart(int i) {
        return starts[i];
    }

    /** Term of run {@code i}. */
    public long runTerm(int i) {
        return terms[i];
    }

    /** Term of the last run, or -1 when there is none. */
    public long lastTerm() {
        return count == 0 ? -1 : terms[count - 1];
    }

    /** Adds a run starting at {@code start} (after every run held) with {@code term}. */
    public void add(long start, long term) {
        if (count == starts.length) {
            starts = Arrays.copyOf(starts, count * 2);
            terms = Arrays.copyOf(terms, count * 2);
        }
        starts[count] = start;
        terms[count] = term;
        count++;
    }

    /** Records that entry {@code index} (right after the last one covered) has {@code term}. */
    public void append(long index, long term) {
        if (count == 0 || terms[count - 1] != term) {
            add(index, term);
        }
    }

    /** Adds every run of {@code other} that covers indexes in {@code [from, to]}, clipped to that range. */
    public void appendClipped(TermRuns other, long from, long to) {
        for (int i = 0; i < other.count; i++) {
            long start = Math.max(other.starts[i], from);
            long end = i + 1 < other.count ? other.starts[i + 1] - 1 : Long.MAX_VALUE;
            if (start <= Math.min(end, to)) {
                append(start, other.terms[i]);
            }
        }
    }

    /** Forgets entries from {@code index} on. */
    public void truncateFrom(long index) {
        while (count > 0 && starts[count - 1] >= index) {
            count--;
        }
    }

    /** Forgets runs that end before {@code index} (the one containing it is kept). */
    public void dropBefore(long index) {
        int keepFrom = 0;
        while (keepFrom + 1 < count && starts[keepFrom + 1] <= index) {
            keepFrom++;
        }
        if (keepFrom > 0) {
            System.arraycopy(starts, keepFrom, starts, 0, count - keepFrom);
            System.arraycopy(terms, keepFrom, terms, 0, count - keepFrom);
            count -= keepFrom;
        }
    }

    /** The term of {@code index}, or -1 if it is before the first run. The caller checks the end. */
    public long termOf(long index) {
        int low = 0;
        int high = count - 1;
        int found = -1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            if (starts[mid] <= index) {
                found = mid;
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        return found < 0 ? -1 : terms[found];
    }

    /** A copy of the runs covering {@code [from, to]}, clipped to it. */
    public TermRuns copy(long from, long to) {
        TermRuns copy = new TermRuns();
        copy.appendClipped(this, from, to);
        return copy;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("TermRuns[");
        for (int i = 0; i < count; i++) {
            text.append(i == 0 ? "" : " ").append(starts[i]).append(':').append(terms[i]);
        }
        return text.append(']').toString();
    }
}
