package io.ringraft.api;

/**
 * The state machine rejected the command: it was committed and applied at {@link #index()}, and the
 * state machine answered it with a rejection ({@code StateMachine.ApplyResults.reject} or
 * {@code ApplyProgress.reject}) instead of a result. The state machine is deterministic, so every
 * replica rejected the same command the same way; the node keeps running.
 *
 * <p>Delivered to the proposer on the node that proposed (or forwarded) the command, as its future's
 * failure or through {@code ProposalListener.onFailed}, on the node's applier thread. Whether the
 * command changed anything is the state machine's decision; a state machine that rejects a command
 * should leave its state unchanged, so {@link #mayHaveTakenEffect()} is false: a retry is applied (or
 * rejected) again as a new command. Immutable.
 */
public final class RejectedByStateMachineException extends RaftException {

    /** The rejected command's log index (serialized with the exception). */
    private final long index;
    /** The state machine's code for the rejection (serialized with the exception). */
    private final int code;
    /** The state machine's description, or null (serialized with the exception). */
    private final String reason;

    /**
     * The state machine's rejection of the command at {@code index}.
     *
     * @param index  the log index of the rejected command
     * @param code   the state machine's code for the rejection (its own numbering)
     * @param reason the state machine's description, or null
     */
    public RejectedByStateMachineException(long index, int code, String reason) {
        super("the state machine rejected the command at index " + index + " (code " + code + ")"
                + (reason == null ? "" : ": " + reason), null);
        this.index = index;
        this.code = code;
        this.reason = reason;
    }

    /** {@return the log index at which the command was committed and rejected} */
    public long index() {
        return index;
    }

    /** {@return the state machine's code for the rejection} */
    public int code() {
        return code;
    }

    /** {@return the state machine's description of the rejection, or null} */
    public String reason() {
        return reason;
    }

    /** {@return false: the state machine refused the command, which changed nothing} */
    @Override
    public boolean mayHaveTakenEffect() {
        return false;
    }
}
