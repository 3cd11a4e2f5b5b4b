package io.ringraft.internal.engine;

import io.ringraft.internal.engine.membership.ClusterConfig;
import io.ringraft.api.LogId;
import io.ringraft.api.Role;
import io.ringraft.api.Vote;
import io.ringraft.message.InstallSnapshotRequest;
import io.ringraft.message.RaftMessage;
import io.ringraft.spi.LogEntries;

/**
 * One thing the engine asks the world to do, as data. The engine appends effects to its
 * {@link EngineEffects} during each input call; the runtime (or a test harness) takes them after the
 * call and carries them out in the order they were produced.
 *
 * <p><b>Storage effects</b> ({@link SaveVote}, {@link Truncate}, {@link ResetLog} and the appends)
 * carry a {@code seq}, strictly increasing across all of them. The executor makes them take effect
 * in that order (a later change never becomes durable before an earlier one) and reports durability
 * back through {@link RaftEngine#onFlushed(long)} with the highest {@code seq} made durable.
 *
 * <p><b>Messages</b> ({@link Send}) may leave at once: the engine itself holds back anything that
 * depends on durable state (a vote grant waits for the vote's flush, an acknowledgement for the
 * entries' flush). A message that cannot be sent may be dropped: Raft retransmits. An
 * AppendEntries from a leader names its entries as an {@link EntryRange}; the executor reads them
 * from the log after the appends before it have been carried out.
 *
 * <p>Effects are immutable values; tests compare them with {@code equals}.
 */
public sealed interface Effect {

    /** Make {@code vote} the node's durable vote. */
    record SaveVote(long seq, Vote vote) implements Effect {
    }

    /** Remove every log entry from {@code fromIndex} on (a follower repairing a conflict). */
    record Truncate(long seq, long fromIndex) implements Effect {
    }

    /**
     * Discard the whole log, which continues empty after {@code base} (a follower installed a
     * snapshot its log does not hold).
     */
    record ResetLog(long seq, LogId base) implements Effect {
    }

    /** Append, at {@code entry.index()}, the empty entry a new leader starts its term with. */
    record AppendNoop(long seq, LogId entry) implements Effect {
    }

    /**
     * Append {@code count} command entries of {@code term} at {@code firstIndex} .. : the commands the
     * caller of {@link RaftEngine#propose(int)} placed there, at the index
     * {@link RaftEngine#nextProposalIndex()} named before the call.
     */
    record AppendProposals(long seq, long firstIndex, long term, int count) implements Effect {
    }

    /**
     * Append entries {@code fromOffset .. fromOffset + count - 1} of {@code entries} (a follower taking
     * entries from its leader), at their own indexes. The view is the inbound message's: valid until
     * the executor has carried out this effect, so the executor must not release the message before.
     */
    record AppendReplicated(long seq, LogEntries entries, int fromOffset, int count) implements Effect {

        /** Index of the first entry to append. */
        public long firstIndex() {
            return entries.firstIndex() + fromOffset;
        }

        /** Index of the last entry to append. */
        public long lastIndex() {
            return firstIndex() + count - 1;
        }
    }

    /**
     * Append a configuration entry (a leader changing the membership); {@code payload} is its encoded
     * {@link ClusterConfig}.
     */
    record AppendConfig(long seq, LogId entry, byte[] payload) implements Effect {
    }

    /** Send {@code message} to {@code message.to()}. */
    record Send(RaftMessage message) implements Effect {
    }

    /**
     * Leader: send follower {@code peerId} the chunk of this node's snapshot {@code snapshot} that
     * starts at {@code offset}. If the snapshot can no longer be read, do nothing: the engine retries
     * after an election timeout with its newest snapshot.
     */
    record SendSnapshot(long peerId, LogId snapshot, long offset) implements Effect {
    }

    /**
     * Follower: write this chunk of a snapshot the leader is sending and answer it with an
     * {@code InstallSnapshotResponse}; once the last chunk is durable and restored into the state
     * machine, call {@link RaftEngine#installSnapshot}.
     */
    record InstallSnapshotChunk(InstallSnapshotRequest chunk) implements Effect {
    }

    /**
     * The commit index or the apply limit rose. {@code applyLimit = min(commitIndex, durable index)}:
     * entries up to it are committed and durable locally, so they may be applied.
     */
    record Limits(long commitIndex, long applyLimit) implements Effect {
    }

    /** Role, term or known leader changed ({@code leaderId} 0 when unknown). */
    record StateChanged(Role role, long term, long leaderId) implements Effect {
    }

    /**
     * The linearizable read {@code requestId} may be served once this node has applied
     * {@code readIndex}.
     */
    record ReadReady(long requestId, long readIndex) implements Effect {
    }

    /**
     * The linearizable read {@code requestId} cannot be served here now; it had no effect.
     * {@code busy} is true when it was refused for lack of room ({@code maxPendingReads}) or the
     * leader did not answer a forwarded read in time, false when this node is not (or no longer) able
     * to reach a leader. {@code leaderHint} is the leader this node knows, or 0.
     */
    record ReadFailed(long requestId, long leaderHint, boolean busy) implements Effect {
    }
}
