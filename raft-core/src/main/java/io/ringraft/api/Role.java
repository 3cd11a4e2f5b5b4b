package io.ringraft.api;

/**
 * The role a node plays in its Raft group at a moment in time.
 *
 * <p>Reported by the status view; the engine moves between roles on timeouts and messages.
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
    LEADER
}
