package io.ringraft.testkit.linearizability;

/** The verdict of a linearizability check, for one partition or for a whole history. */
public enum Outcome {
    /** A linearization was found: the history is linearizable. */
    OK,
    /** No linearization exists: the history is not linearizable. */
    ILLEGAL,
    /** The step budget ran out before the search finished; nothing is known. */
    UNKNOWN
}
