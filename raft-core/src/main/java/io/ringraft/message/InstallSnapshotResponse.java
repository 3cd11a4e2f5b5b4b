package io.ringraft.message;

import io.ringraft.api.LogId;
import java.util.Objects;

/**
 * A follower's answer to an {@link InstallSnapshotRequest}.
 *
 * <p>While the transfer runs ({@code done} false), {@code nextOffset} is how many bytes of
 * {@code snapshot} the follower has written: the leader sends the chunk starting there, whether the
 * last one arrived, was a duplicate, or was lost. A follower that has no transfer of this snapshot
 * under way answers 0 (start over).
 *
 * <p>When {@code done}, the follower holds, durably, every entry up to {@code matchIndex} matching the
 * leader's log (the installed snapshot, or a commit index it already had past the snapshot): the
 * leader resumes replication after it.
 *
 * @param from       the follower
 * @param to         the leader
 * @param term       the follower's current term
 * @param snapshot   the snapshot the answer is about
 * @param nextOffset while not done: the offset of the next chunk the follower expects
 * @param done       true once the follower installed the snapshot (or did not need it)
 * @param matchIndex when done: the index the follower holds durably and matching; otherwise 0
 */
public record InstallSnapshotResponse(long from, long to, long term, LogId snapshot, long nextOffset, boolean done,
                                      long matchIndex) implements RaftMessage {

    /**
     * Checks the fields (the rules are in the class comment).
     *
     * @param from       the follower
     * @param to         the leader
     * @param term       the follower's current term
     * @param snapshot   the snapshot the answer is about
     * @param nextOffset while not done: the offset of the next chunk the follower expects
     * @param done       true once the follower installed the snapshot (or did not need it)
     * @param matchIndex when done: the index the follower holds durably and matching; otherwise 0
     * @throws IllegalArgumentException if a field breaks its rule
     * @throws NullPointerException     if a reference field is null
     */
    public InstallSnapshotResponse {
        RaftMessage.checkHeader(from, to, term);
        Objects.requireNonNull(snapshot, "snapshot");
        if (nextOffset < 0 || matchIndex < 0) {
            throw new IllegalArgumentException("offsets and indexes must not be negative: nextOffset=" + nextOffset
                    + " matchIndex=" + matchIndex);
        }
    }

    /**
     * {@return the follower wrote {@code nextOffset} bytes and waits for the chunk starting there}
     *
     * @param from the follower
     * @param to the leader
     * @param term the follower's current term
     * @param snapshot the snapshot the chunk belonged to
     * @param nextOffset the offset of the chunk the follower expects next
     */
    public static InstallSnapshotResponse progress(long from, long to, long term, LogId snapshot, long nextOffset) {
        return new InstallSnapshotResponse(from, to, term, snapshot, nextOffset, false, 0);
    }

    /**
     * {@return the follower holds everything up to {@code matchIndex}: replication resumes after it}
     *
     * @param from the follower
     * @param to the leader
     * @param term the follower's current term
     * @param snapshot the snapshot the chunk belonged to
     * @param matchIndex the index the follower now holds durably and matching
     */
    public static InstallSnapshotResponse installed(long from, long to, long term, LogId snapshot, long matchIndex) {
        return new InstallSnapshotResponse(from, to, term, snapshot, 0, true, matchIndex);
    }
}
