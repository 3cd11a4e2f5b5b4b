package io.ringraft.api;

/**
 * The identity of one log entry: the term of the leader that created it and its index.
 *
 * <p>Two entries with the same {@code LogId} on two nodes are identical, and so are the logs before
 * them (Raft's Log Matching property). {@link #ZERO} stands for the empty log. Ordering follows the
 * Raft "up-to-date" rule: a higher term wins, then a higher index.
 *
 * <p>Immutable value; safe to share across threads.
 *
 * @param term  the term of the entry, {@code >= 0}
 * @param index the index of the entry, {@code >= 0}; index 0 is the empty log
 */
public record LogId(long term, long index) implements Comparable<LogId> {

    /** The identity of the empty log: term 0, index 0. */
    public static final LogId ZERO = new LogId(0, 0);

    /**
     * The position of one log entry.
     *
     * @param term the entry's term (at least 0)
     * @param index the entry's index (at least 0)
     * @throws IllegalArgumentException if term or index is negative
     */
    public LogId {
        if (term < 0 || index < 0) {
            throw new IllegalArgumentException("LogId needs term >= 0 and index >= 0, got term="
                    + term + " index=" + index);
        }
    }

    /** Raft's up-to-date order: by term, then by index. */
    @Override
    public int compareTo(LogId other) {
        int byTerm = Long.compare(term, other.term);
        return byTerm != 0 ? byTerm : Long.compare(index, other.index);
    }

    /**
     * {@return true if a log ending at this id is at least as up to date as one ending at {@code other}}
     *
     * @param other the end of the other log
     */
    public boolean isAtLeastAsUpToDateAs(LogId other) {
        return compareTo(other) >= 0;
    }

    @Override
    public String toString() {
        return term + "-" + index;
    }
}
