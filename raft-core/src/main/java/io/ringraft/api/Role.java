package io.ringraft.api;

/**
 * The role a node plays in its Raft group at a moment in time.
 *
 * <p>Reported by the status view; the engine moves between the first four roles on timeouts and
 * messages. {@link #FAILED} is the runtime's: the engine never takes it.
 */
public enum Role {
    /** Follows a leader (or waits for one); never sends AppendEntries. */
    FOLLOWER,
    /**
     * Runs a pre-vote round: asks whether it could win an election without raising its term, so an
     * isolated node cannot disrupt a healthy cluster when it comes back.
     */
    PRE_CANDIDATE,
    /** Raised its term and asks for votes. */
    CANDIDATE,
    /** Elected for the current term: accepts proposals and replicates the log. */
    LEADER,
    /**
     * Stopped after a failure (fail-stop: a storage error, a state machine that threw): the node takes
     * part in nothing any more and acknowledges nothing; {@code RaftStatus.failure()} says why. Final for
     * this process: restart the node once the cause is fixed. A node stopped by {@code close()} without a
     * failure reports {@link #FOLLOWER} and {@code RaftStatus.closed()}.
     */
    FAILED
}
