package io.ringraft.api.client;

/**
 * Why a {@link RaftClient} call failed, and whether the call may have taken effect: what a caller must
 * know before it does anything else. Completes the call's future exceptionally, on the client's I/O
 * thread. Immutable.
 */
public final class ClientException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The kind of failure. */
    public enum Reason {
        /** The call's deadline passed. A write may have taken effect (see {@link GroupClient#ask}). */
        TIMEOUT,
        /** The write's session expired before it got an answer: it may have taken effect once. */
        SESSION_EXPIRED,
        /** The state machine rejected the command deterministically ({@link #code()} says why); nothing changed. */
        REJECTED,
        /** Too many calls in flight at this client ({@code maxInFlight}), or the group's session table is full; nothing happened. */
        BUSY,
        /** No replica of the group could be reached before the deadline; nothing happened. */
        UNAVAILABLE,
        /** No node knows the group; nothing happened. */
        UNKNOWN_GROUP,
        /** The request was refused as invalid (for example a result that is not bytes); see the message. */
        BAD_REQUEST,
        /** The client was closed. A write in flight may have taken effect. */
        CLOSED
    }

    /** The kind of failure (serialized with the exception). */
    private final Reason reason;
    /** Whether the call may have taken effect (serialized with the exception). */
    private final boolean mayHaveTakenEffect;
    /** The state machine's rejection code, or 0 (serialized with the exception). */
    private final int code;

    /**
     * A failure.
     *
     * @param reason             the kind
     * @param mayHaveTakenEffect whether the call may have taken effect
     * @param code               the state machine's rejection code ({@link Reason#REJECTED}), else 0
     * @param message            a description
     */
    public ClientException(Reason reason, boolean mayHaveTakenEffect, int code, String message) {
        super(reason + (mayHaveTakenEffect ? " (may have taken effect)" : " (did not take effect)") + ": " + message);
        this.reason = reason;
        this.mayHaveTakenEffect = mayHaveTakenEffect;
        this.code = code;
    }

    /** {@return the kind of failure} */
    public Reason reason() {
        return reason;
    }

    /** {@return whether the call may have taken effect (so repeating it could apply it twice)} */
    public boolean mayHaveTakenEffect() {
        return mayHaveTakenEffect;
    }

    /** {@return the state machine's rejection code for {@link Reason#REJECTED}, else 0} */
    public int code() {
        return code;
    }
}
