package io.ringraft.api;

/**
 * Whether {@code RaftNode.tryPropose} took a proposal, and if not, why. Returned on the caller's thread,
 * without allocating (a constant). Only {@link #ACCEPTED} proposals are reported to the
 * {@link ProposalListener} (exactly once); a refused one is not, and certainly did not enter the log.
 *
 * <p>A refusal is the state the node saw at the call: a proposal it took may still fail later (for
 * instance with {@link NotLeaderException} if leadership moved before the node's core read it).
 */
public enum Admission {

    /** Queued for the leader's log: the listener will be told the outcome, once. */
    ACCEPTED,
    /**
     * This node does not lead now (or not yet: it has not won an election since it started). Send the
     * command to the leader ({@code status().leaderId()}, {@code awaitLeader}), or use {@code forward}.
     */
    NOT_LEADER,
    /**
     * The proposal queue stayed full (for {@link RaftConfig#proposalWaitMillis()}): back-pressure from a
     * full ring or a busy core. Retry later, or slow down.
     */
    QUEUE_FULL,
    /** The command is larger than {@link RaftConfig#maxEntryBytes()}; it never will be taken. */
    TOO_LARGE,
    /** The node was closed or stopped after a failure ({@code status().failure()} says which). */
    STOPPED;

    /** {@return true for {@link #ACCEPTED}} */
    public boolean accepted() {
        return this == ACCEPTED;
    }
}
