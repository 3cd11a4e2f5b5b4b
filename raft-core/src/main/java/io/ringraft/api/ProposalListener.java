package io.ringraft.api;

/**
 * Receives the outcome of proposals made with the zero-allocation form
 * {@code RaftNode.tryPropose(buffer, offset, length, correlationId)}.
 *
 * <p>Exactly one call per accepted proposal (one for which {@code tryPropose} returned
 * {@link Admission#ACCEPTED}), also when
 * the node is closed or stops after a failure. {@link #onApplied} runs on the node's applier thread;
 * {@link #onFailed} on its core or applier thread, or, for what is left when the node stops, on the
 * thread that closes it or on the last of its task threads to notice a failure. Must not block: hand
 * results to your own threads if needed.
 */
public interface ProposalListener {

    /**
     * The command committed and was applied at {@code index}; {@code result} is the state machine's.
     *
     * @param correlationId the id given to {@code tryPropose}
     * @param index the entry's log index
     * @param result what the state machine returned for it
     */
    void onApplied(long correlationId, long index, Object result);

    /**
     * The command failed; {@code reason} says whether it may still take effect.
     *
     * @param correlationId the id given to {@code tryPropose}
     * @param reason why it failed
     */
    void onFailed(long correlationId, RaftException reason);
}
