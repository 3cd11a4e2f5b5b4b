package io.ringraft.internal.runtime.requests;

import io.ringraft.api.RejectedByStateMachineException;

/**
 * A command the state machine rejected ({@code ApplyResults.reject}, {@code ApplyProgress.reject}): the
 * value its result slot holds instead of a result. {@link ProposalOutcomes} and {@link Forwards} turn it
 * into a {@link RejectedByStateMachineException} for the proposer. Internal, so that no result the state
 * machine sets can pass for a rejection. Immutable.
 */
public record Rejection(int code, String message) {

    /** The proposer's failure for this rejection of the command at {@code index}. */
    public RejectedByStateMachineException exception(long index) {
        return new RejectedByStateMachineException(index, code, message);
    }
}
