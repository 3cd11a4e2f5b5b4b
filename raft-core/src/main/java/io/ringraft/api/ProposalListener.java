package io.ringraft.api;

/**
 * Receives the outcome of proposals made with the zero-allocation form
 * {@code RaftNode.tryPropose(buffer, offset, length, correlationId)}.
 *
 * <p>Called on the node's applier thread ({@link #onApplied}) or core thread ({@link #onFailed});
 * never concurrently for the same correlation id, and exactly once per accepted proposal unless the
 * node fails. Must not block: hand results to your own threads if needed.
 */
public interface ProposalListener {

    /** The command committed and was applied at {@code index}; {@code result} is the state machine's. */
    void onApplied(long correlationId, long index, Object result);

    /** The command failed; {@code reason} says whether it may still take effect. */
    void onFailed(long correlationId, RaftException reason);
}
