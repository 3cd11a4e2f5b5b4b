package io.ringraft.message;

import io.ringraft.api.LogId;
import java.util.Objects;

/**
 * One chunk of a snapshot a leader streams to a follower whose next entry it no longer holds (its
 * log is compacted past it). The follower writes chunks in order and answers each with an
 * {@link InstallSnapshotResponse}; the chunk with {@code done} set completes the snapshot, which the
 * follower then installs. Counts as a heartbeat.
 *
 * @param from       the leader
 * @param to         the follower
 * @param term       the leader's term
 * @param snapshot   the last entry the snapshot covers (identifies the snapshot)
 * @param membership the encoded membership as of {@code snapshot} (in every chunk; small)
 * @param offset     where {@code data} starts in the snapshot's data
 * @param data       the chunk's bytes (may be empty for an empty snapshot); not copied, not to be
 *                   modified
 * @param done       true for the last chunk
 */
public record InstallSnapshotRequest(long from, long to, long term, LogId snapshot, byte[] membership,
                                     long offset, byte[] data, boolean done) implements RaftMessage {

    /**
     * Checks the fields (the rules are in the class comment).
     *
     * @param from       the leader
     * @param to         the follower
     * @param term       the leader's term
     * @param snapshot   the last entry the snapshot covers (identifies the snapshot)
     * @param membership the encoded membership as of {@code snapshot} (in every chunk; small)
     * @param offset     where {@code data} starts in the snapshot's data
     * @param data       the chunk's bytes (may be empty for an empty snapshot); not copied, not to be
     *                   modified
     * @param done       true for the last chunk
     * @throws IllegalArgumentException if a field breaks its rule
     * @throws NullPointerException     if a reference field is null
     */
    public InstallSnapshotRequest {
        RaftMessage.checkHeader(from, to, term);
        Objects.requireNonNull(snapshot, "snapshot");
        Objects.requireNonNull(membership, "membership");
        Objects.requireNonNull(data, "data");
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative, got " + offset);
        }
        if (snapshot.term() > term) {
            throw new IllegalArgumentException("snapshot " + snapshot + " is of a term after the leader's " + term);
        }
    }

    @Override
    public String toString() {
        return "InstallSnapshotRequest[from=" + from + " to=" + to + " term=" + term + " snapshot=" + snapshot
                + " offset=" + offset + " bytes=" + data.length + (done ? " done" : "") + "]";
    }
}
