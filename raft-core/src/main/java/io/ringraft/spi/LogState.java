package io.ringraft.spi;

import io.ringraft.api.LogId;
import io.ringraft.api.Vote;
import java.util.Objects;

/**
 * What a {@link LogStorage} holds when it is opened: the durable vote and the bounds of the log.
 *
 * @param vote the durable vote ({@link Vote#INITIAL} for new storage)
 * @param base the entry just before the first one held: {@link LogId#ZERO} for a log that was never
 *             purged, otherwise the last purged entry (covered by a snapshot)
 * @param last the last entry held, or {@code base} when the log is empty
 */
public record LogState(Vote vote, LogId base, LogId last) {

    /**
     * Checks the fields (the rules are in the class comment).
     *
     * @param vote the durable vote ({@link Vote#INITIAL} for new storage)
     * @param base the entry just before the first one held: {@link LogId#ZERO} for a log that was never
     *             purged, otherwise the last purged entry (covered by a snapshot)
     * @param last the last entry held, or {@code base} when the log is empty
     * @throws IllegalArgumentException if a field breaks its rule
     * @throws NullPointerException     if a reference field is null
     */
    public LogState {
        Objects.requireNonNull(vote, "vote");
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(last, "last");
        if (last.index() < base.index()) {
            throw new IllegalArgumentException("last " + last + " is before base " + base);
        }
        if (last.term() > vote.term()) {
            throw new IllegalArgumentException("log ends in term " + last.term()
                    + " but the durable vote is for term " + vote.term()
                    + ": the vote was lost or the log belongs to another node");
        }
    }

    /** {@return the state of storage that has never been written} */
    public static LogState empty() {
        return new LogState(Vote.INITIAL, LogId.ZERO, LogId.ZERO);
    }
}
