package io.ringraft.testkit.sim;

/**
 * Receives what every node's state machine applies ({@link ObservedStateMachine} reports it): the
 * {@link SafetyChecker} proves from it that every node applies the same command at each index, in
 * order, without gaps, and that snapshots hold the state they claim. Called on the simulation thread.
 */
interface ApplyObserver {

    /** Node {@code nodeId} is about to apply operation {@code opId}, the command at {@code index} of {@code term}. */
    void applied(long nodeId, long index, long term, long opId);

    /** The state after applying the command at {@code index} has digest {@code digest} (digest state machines only). */
    default void stateAt(long nodeId, long index, long digest) {
    }

    /**
     * The node took a snapshot of its state as of command {@code index}, or restored one; {@code digest}
     * is the state's digest if {@code hasDigest}.
     */
    default void snapshot(long nodeId, long index, boolean hasDigest, long digest, boolean restored) {
    }
}
