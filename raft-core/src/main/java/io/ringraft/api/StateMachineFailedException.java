package io.ringraft.api;

/**
 * The application's state machine threw: from {@code apply} or {@code accept} (or reported a failure
 * through {@code ApplyProgress.fail}), from {@code snapshot}, {@code Snapshot.writeTo} or
 * {@code restore}, or from {@code query}. The cause is what it threw.
 *
 * <p><b>Who sees it.</b> Except after {@code query}, the node stopped (fail-stop: the state machine's
 * state is unknown, so the node acknowledges nothing more): every proposal, read and request still
 * pending on the node fails with this type, and {@code RaftNode.status().failure()} names it. A throwing
 * {@code query} changed nothing: only that read fails with this type, and the node runs on.
 *
 * <p><b>Recovery.</b> A command whose {@code apply} throws is committed: after a restart the node applies
 * it again and, if the bug is still there, stops again. Fix the state machine and restart (the entry is
 * replayed), or rebuild the node's state from a snapshot or another replica; see {@code docs/operations.md}.
 * To refuse one command without stopping the node, reject it instead
 * ({@code StateMachine.ApplyResults.reject}): the proposer gets a {@link RejectedByStateMachineException}.
 *
 * <p>Created by the node on the thread that called the state machine; immutable.
 */
public final class StateMachineFailedException extends RaftException {

    /**
     * The failure of a call into the state machine, which stopped the node (or failed one read).
     *
     * @param message which call failed, on which node
     * @param cause   what the state machine threw
     */
    public StateMachineFailedException(String message, Throwable cause) {
        super(message, cause);
    }

    /** {@return true: commands still pending when the node stopped may have been committed by the others} */
    @Override
    public boolean mayHaveTakenEffect() {
        return true;
    }
}
