package io.ringraft.testkit;

/**
 * What a {@link SimulationFailure} violated. The codes in parentheses are the simulator's invariant
 * numbers, which its messages start with.
 */
public enum FailureKind {
    /** Two leaders in one term (I1). */
    ELECTION_SAFETY,
    /** Two logs agree on a later entry but differ at an earlier one (I2). */
    LOG_MATCHING,
    /** A leader lacks an entry some node applied (I3). */
    LEADER_COMPLETENESS,
    /**
     * Nodes applied different commands at one index, out of order, twice or with gaps, or hold different
     * states after the same index, or a snapshot does not hold the state it claims (I4, E45).
     */
    STATE_MACHINE_SAFETY,
    /** A write acknowledged to a client is missing from a node's applied state at the end (I5). */
    LOST_ACKNOWLEDGED_WRITE,
    /** A node's term, commit index, applied index or durable vote went back (I6). */
    MONOTONICITY,
    /** A node granted its vote to two candidates in one term (I7). */
    VOTE_SAFETY,
    /** The clients' history has no linearization legal for the model (I8). */
    LINEARIZABILITY,
    /** A request was completed twice, or never, by the node that accepted it (I9). */
    COMPLETION,
    /** After the faults stopped, the cluster did not converge within the allowed steps (I10). */
    LIVENESS,
    /** The user's state machine threw while applying a command. */
    STATE_MACHINE_THREW,
    /** Anything else: another broken check, or an exception from the user's workload or the simulator. */
    OTHER;

    /** The kind of a failure whose message starts with the simulator's invariant code. */
    static FailureKind of(String message) {
        if (message == null) {
            return OTHER;
        }
        if (message.startsWith("the state machine threw")) {
            return STATE_MACHINE_THREW;
        }
        if (message.startsWith("E45")) {
            return STATE_MACHINE_SAFETY;
        }
        if (message.startsWith("I1 ")) {
            return ELECTION_SAFETY;
        }
        if (message.startsWith("I10 ")) {
            return LIVENESS;
        }
        for (int i = 2; i <= 9; i++) {
            if (message.startsWith("I" + i + " ")) {
                return values()[i - 1];
            }
        }
        return OTHER;
    }
}
