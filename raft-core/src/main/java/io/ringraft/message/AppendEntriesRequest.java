package io.ringraft.message;

import io.ringraft.spi.LogEntries;
import io.ringraft.api.LogId;
import java.util.Objects;

/**
 * AppendEntries: the leader replicates entries and its commit index, or sends a heartbeat (no
 * entries).
 *
 * <p>The receiver accepts the entries only if its log holds {@code prevLogId}; entries that already
 * match are kept (an old, fully matching request never truncates), and the log is truncated only
 * where an entry's term differs.
 *
 * @param from         the leader
 * @param to           the follower
 * @param term         the leader's term
 * @param prevLogId    the entry just before {@code entries} ({@link LogId#ZERO} at the log start)
 * @param entries      the entries to append, starting at {@code prevLogId.index() + 1}; may be empty
 * @param leaderCommit the leader's commit index
 */
public record AppendEntriesRequest(long from, long to, long term, LogId prevLogId, LogEntries entries,
                                   long leaderCommit) implements RaftMessage {

    /**
     * Checks the fields (the rules are in the class comment).
     *
     * @param from         the leader
     * @param to           the follower
     * @param term         the leader's term
     * @param prevLogId    the entry just before {@code entries} ({@link LogId#ZERO} at the log start)
     * @param entries      the entries to append, starting at {@code prevLogId.index() + 1}; may be empty
     * @param leaderCommit the leader's commit index
     * @throws IllegalArgumentException if a field breaks its rule
     * @throws NullPointerException     if a reference field is null
     */
    public AppendEntriesRequest {
        RaftMessage.checkHeader(from, to, term);
        Objects.requireNonNull(prevLogId, "prevLogId");
        Objects.requireNonNull(entries, "entries");
        if (entries.firstIndex() != prevLogId.index() + 1) {
            throw new IllegalArgumentException("entries must start right after prevLogId " + prevLogId
                    + ", but start at " + entries.firstIndex());
        }
        if (leaderCommit < 0) {
            throw new IllegalArgumentException("leaderCommit must not be negative, got " + leaderCommit);
        }
    }

    /** {@return the index of the last entry this request carries, or {@code prevLogId.index()} for a heartbeat} */
    public long lastIndex() {
        return prevLogId.index() + entries.count();
    }

    @Override
    public String toString() {
        return "AppendEntriesRequest[" + from + "->" + to + " T" + term + " prev=" + prevLogId
                + " entries=" + entries.count() + " commit=" + leaderCommit + "]";
    }
}
