package io.ringraft.api;

/**
 * A node's state and progress pointers at one moment, from {@code RaftNode.status()}. Each field is
 * read atomically; together they may be a few updates apart. Immutable.
 *
 * @param groupId         the Raft group
 * @param nodeId          this node
 * @param role            current role; {@link Role#FAILED} once the node fail-stopped ({@code failure} says why)
 * @param term            current term
 * @param leaderId        the leader this node knows of (itself if leader), 0 if none
 * @param vote            the vote in force
 * @param lastLogId       the last entry accepted into the log ({@code accepted} pointer)
 * @param acceptedSeq     the IoId sequence of the accepted state
 * @param submittedIndex  last index handed to storage ({@code submitted} pointer)
 * @param flushedSeq      the IoId sequence storage reported durable ({@code flushed} pointer)
 * @param durableIndex    highest index durable locally and in the current log
 * @param committedIndex  the commit index
 * @param appliedIndex    the last index applied to the state machine
 * @param droppedInbound  messages dropped because the inbound queue was full or the node stopped
 * @param droppedOutbound messages dropped because a peer's outbox was full
 * @param failure         why the node stopped (fail-stop), or null
 * @param closed          whether the node was closed
 * @param membership      the membership in force on this node
 * @param snapshotIndex   the last index covered by the newest durable snapshot, 0 if none
 * @param purgedIndex     the last index purged from log storage (the log's base), 0 if none
 * @param followers       on the leader, every other member it replicates to with its match index and lag
 *                        (published by the leader's core once per tick); empty on any other role
 *                        (unmodifiable)
 * @param ringEntries     entries in the ring the core may not reclaim yet (accepted, but not yet both
 *                        applied and handed to storage); proposals wait once it nears
 *                        {@link RaftConfig#ringCapacityEntries()}
 * @param proposalQueueBytes bytes of the proposal queue in use (proposals waiting for the core, and those a leader
 *                           holds in place until applied), of {@link RaftConfig#proposalQueueBytes()}
 * @param inboundQueueSize   messages waiting for the core, of {@link RaftConfig#inboundQueueCapacity()}
 */
public record RaftStatus(long groupId, long nodeId, Role role, long term, long leaderId, Vote vote,
                         LogId lastLogId, long acceptedSeq, long submittedIndex, long flushedSeq,
                         long durableIndex, long committedIndex, long appliedIndex, long droppedInbound,
                         long droppedOutbound, String failure, boolean closed, Membership membership,
                         long snapshotIndex, long purgedIndex, java.util.List<FollowerStatus> followers,
                         long ringEntries, int proposalQueueBytes, int inboundQueueSize) {

    /**
     * {@return true if this node's role is leader} A new leader is so from its election on, before it
     * has committed an entry of its term; {@code RaftNode.isLeader()} says whether it serves yet.
     */
    public boolean isLeader() {
        return role == Role.LEADER;
    }

    /**
     * The leader's view of {@code nodeId}, or null if this node does not lead or does not replicate to it.
     *
     * @param nodeId a follower's id
     * @return its match index and lag, or null
     */
    public FollowerStatus follower(long nodeId) {
        for (FollowerStatus follower : followers) {
            if (follower.nodeId() == nodeId) {
                return follower;
            }
        }
        return null;
    }
}
