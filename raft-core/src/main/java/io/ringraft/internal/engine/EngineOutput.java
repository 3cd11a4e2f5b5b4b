package io.ringraft.internal.engine;

import io.ringraft.api.LogId;
import io.ringraft.api.Role;
import io.ringraft.api.Vote;
import io.ringraft.spi.LogEntries;
import io.ringraft.message.RaftMessage;

/**
 * Everything the engine asks of the world, called synchronously from within the engine's methods
 * on the engine's thread.
 *
 * <p><b>Storage changes</b> ({@link #saveVote}, {@link #truncateFrom}, {@link #appendNoop},
 * {@link #appendProposals}, {@link #appendReplicated}) each carry a {@code seq}, strictly increasing
 * across all five. The implementation must make them take effect in {@code seq} order (a later
 * change never becomes durable before an earlier one) and report durability back through
 * {@link RaftEngine#onFlushed(long)} with the highest {@code seq} made durable. Entries must be
 * readable through the {@link EntryReader} as soon as the call returns.
 *
 * <p><b>Messages</b> passed to {@link #send} may leave at once: the engine itself holds back
 * anything that depends on durable state (a vote grant waits for the vote's flush, an append
 * acknowledgement for the entries' flush). Sending must not block; a message that cannot be sent
 * may be dropped, since Raft retransmits.
 *
 * <p>Implementations must not call back into the engine from these methods.
 */
public interface EngineOutput {

    /** Make {@code vote} the node's durable vote. */
    void saveVote(long seq, Vote vote);

    /** Remove every log entry from {@code index} on (a follower repairing a conflict). */
    void truncateFrom(long seq, long index);

    /** Append the empty entry a new leader starts its term with. */
    void appendNoop(long seq, LogId entry);

    /**
     * Append {@code count} command entries of {@code term} starting at {@code firstIndex}; the payloads
     * are the ones the caller of {@link RaftEngine#propose(int)} is proposing.
     */
    void appendProposals(long seq, long firstIndex, long term, int count);

    /**
     * Append the entries of {@code entries} from {@code fromOffset} to its end (a follower taking
     * entries from its leader). The view is valid only during this call.
     */
    void appendReplicated(long seq, LogEntries entries, int fromOffset);

    /**
     * Append a configuration entry (a leader changing the membership); {@code payload} is its
     * encoded {@link ClusterConfig}. Outputs of engines that never change membership need not
     * implement it.
     */
    default void appendConfig(long seq, LogId entry, byte[] payload) {
        throw new UnsupportedOperationException("this engine output does not support membership changes");
    }

    /**
     * Discard the whole log, which continues empty after {@code base} (a follower installed a
     * snapshot its log does not hold). Ordered with the other storage changes by {@code seq}.
     */
    default void resetLog(long seq, LogId base) {
        throw new UnsupportedOperationException("this engine output does not install snapshots");
    }

    /**
     * Leader: send follower {@code peerId} the chunk of this node's snapshot {@code snapshot} that
     * starts at {@code offset} (the last chunk marked done). If the snapshot can no longer be read,
     * do nothing: the engine retries after an election timeout with its newest snapshot.
     */
    default void sendSnapshot(long peerId, LogId snapshot, long offset) {
        throw new UnsupportedOperationException("this engine output does not send snapshots");
    }

    /**
     * Follower: write this chunk of a snapshot the leader is sending and answer it with an
     * {@code InstallSnapshotResponse} (the offset wanted next); once the last chunk is written and the
     * snapshot is durable and restored into the state machine, call
     * {@link RaftEngine#installSnapshot}. The chunk's view stays valid after the call.
     */
    default void installSnapshotChunk(io.ringraft.message.InstallSnapshotRequest chunk) {
        throw new UnsupportedOperationException("this engine output does not install snapshots");
    }

    /** Send a message to {@code message.to()}. */
    void send(RaftMessage message);

    /** The commit index rose to {@code index}. Entries up to it may be applied once durable locally. */
    void committed(long index);

    /** Role, term or known leader changed ({@code leaderId} 0 when unknown). */
    void stateChanged(Role role, long term, long leaderId);

    /**
     * The linearizable read {@code requestId} may be served once this node has applied
     * {@code readIndex}. Outputs that never ask for reads need not implement it.
     */
    default void readReady(long requestId, long readIndex) {
        throw new UnsupportedOperationException("this engine output does not serve reads");
    }

    /**
     * The linearizable read {@code requestId} cannot be served here now (not the leader, leadership
     * lost, no leader known, too many reads pending, or the leader did not answer in time). The read
     * had no effect; {@code leaderHint} is the leader this node knows, or 0.
     */
    default void readFailed(long requestId, long leaderHint) {
        throw new UnsupportedOperationException("this engine output does not serve reads");
    }

    /**
     * As {@link #readFailed(long, long)}, saying why: {@code busy} is true when the read was refused
     * for lack of room ({@code maxPendingReads}) or the leader did not answer a forwarded read within
     * an election timeout, false when this node is not (or no longer) able to reach a leader. The
     * default forgets the reason.
     */
    default void readFailed(long requestId, long leaderHint, boolean busy) {
        readFailed(requestId, leaderHint);
    }
}
