package io.ringraft.api;

/**
 * A node's state and progress pointers at one moment, from {@code RaftNode.status()}. Each field is
 * read atomically; together they may be a few updates apart. Immutable.
 *
 * @param groupId         the Raft group
 * @param nodeId          this node
 * @param role            current role
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
 */
public record RaftStatus(long groupId, long nodeId, Role role, long term, long leaderId, Vote vote,
                         LogId lastLogId, long acceptedSeq, long submittedIndex, long flushedSeq,
                         long durableIndex, long committedIndex, long appliedIndex, long droppedInbound,
                         long droppedOutbound, String failure, boolean closed, Membership membership,
                         long snapshotIndex, long purgedIndex) {

    /**
     * {@return true if this node's role is leader} A new leader is so from its election on, before it
     * has committed an entry of its term; {@code RaftNode.isLeader()} says whether it serves yet.
     */
    public boolean isLeader() {
        return role == Role.LEADER;
    }
}
