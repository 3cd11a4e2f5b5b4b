package io.ringraft.message;

/**
 * A message between two members of one Raft group.
 *
 * <p>Messages are immutable records. The engine creates them for the runtime to send and consumes
 * them when they arrive; transports encode them on the wire. A message carries no group id: the
 * transport's envelope does, so one connection can carry many groups (DESIGN section 4b).
 *
 * <p>{@link HeartbeatBatch} and {@link HeartbeatBatchResponse} are the exception: they travel between
 * the host links of two processes under the reserved group id {@link HeartbeatBatch#HOST_GROUP_ID}
 * and carry many groups' heartbeats or answers; a node never receives one (it drops one if it does).
 *
 * <p>Every message names its sender and receiver by node id (a positive {@code long}) and carries
 * the sender's current term, which drives Raft's term rules before any role-specific handling.
 */
public sealed interface RaftMessage
        permits VoteRequest, VoteResponse, AppendEntriesRequest, AppendEntriesResponse, ReadIndexRequest,
        ReadIndexResponse, LeadershipProbe, LeadershipProbeAck, TimeoutNow,
        InstallSnapshotRequest, InstallSnapshotResponse, ForwardProposal, ForwardProposalResult,
        HeartbeatBatch, HeartbeatBatchResponse, Quiesce {

    /** {@return the node id of the sender} */
    long from();

    /** {@return the node id of the receiver} */
    long to();

    /** {@return the sender's term when it created the message (for pre-votes: the term it would campaign in)} */
    long term();

    /**
     * Throws {@link IllegalArgumentException} unless both ids are positive and the term is not negative.
     *
     * @param from the sender's node id
     * @param to the receiver's node id
     * @param term the sender's term
     */
    static void checkHeader(long from, long to, long term) {
        if (from <= 0 || to <= 0) {
            throw new IllegalArgumentException("node ids must be positive, got from=" + from + " to=" + to);
        }
        if (term < 0) {
            throw new IllegalArgumentException("term must not be negative, got " + term);
        }
    }
}
