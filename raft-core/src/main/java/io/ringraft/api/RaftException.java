package io.ringraft.api;

/**
 * Why a proposal (or another request to a node) did not succeed. The subclass says whether the
 * command may have taken effect, which is what a client must know before it retries:
 * <ul>
 *   <li>{@link NotLeaderException}, {@link RejectedException}, {@link NodeStoppedException}: the
 *       command certainly did not enter the log; retrying is safe.
 *   <li>{@link IndeterminateException}: it entered the log but this node lost leadership before it
 *       committed; it may or may not take effect. Retry only if the command is idempotent.
 *   <li>{@link StorageFailedException}: the node stopped because its storage failed; outcome unknown.
 *   <li>{@link StateMachineFailedException}: the node stopped because its state machine threw (or, for a
 *       read, only that read's query threw); outcome unknown.
 *   <li>{@link RejectedByStateMachineException}: the command committed and the state machine rejected it
 *       on every replica (a deterministic error result); it changed nothing.
 * </ul>
 */
public abstract sealed class RaftException extends RuntimeException
        permits NotLeaderException, RejectedException, IndeterminateException, NodeStoppedException,
        StorageFailedException, StateMachineFailedException, RejectedByStateMachineException {

    RaftException(String message, Throwable cause) {
        super(message, cause);
    }

    /** {@return true if the command may have taken effect (so a blind retry could apply it twice)} */
    public abstract boolean mayHaveTakenEffect();
}
