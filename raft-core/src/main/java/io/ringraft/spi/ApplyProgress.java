package io.ringraft.spi;

/**
 * Where a {@link StreamingStateMachine} reports what it has applied. Handed to every
 * {@link StreamingStateMachine#accept} call (always the same object for one node).
 *
 * <p><b>Threads.</b> Any thread, at any time (also inside {@code accept}). Never blocks, allocates
 * nothing. A {@link #result} must happen-before the {@link #applied} call that covers its index (call
 * both from the same thread, or hand over through something that orders them): the node reads the
 * result once it sees the progress.
 *
 * <p><b>After the node stopped</b> (closed, or stopped after a failure) calls are accepted and ignored:
 * the node already reported every proposal it had not completed (as possibly taken effect), and no
 * proposal is ever reported twice.
 */
public interface ApplyProgress {

    /**
     * The result of the command at {@code index}, handed to its proposer on this node once progress
     * passes it (dropped on other nodes). Optional: a command without a result reports {@code null}.
     * Call it before {@link #applied} covers {@code index}.
     *
     * @param index the command's log index, one handed to the state machine and not yet reported applied
     * @param value the command's result, handed to its proposer on this node; may be null
     * @throws IllegalArgumentException if {@code index} was not handed to the state machine, or progress
     *                                  already passed it
     */
    void result(long index, Object value);

    /**
     * Every command up to and including {@code index} is applied (in the state that {@code query} and
     * {@code snapshot} see). Monotonic: an index at or below one reported before is ignored. A view whose
     * last entry this covers may change under its reader from now on.
     *
     * @param index the log index of the last command applied, at most the last one handed over
     * @throws IllegalArgumentException if {@code index} lies beyond the commands handed to the state machine
     */
    void applied(long index);

    /**
     * Rejects the command at {@code index} instead of reporting a result for it: once progress passes it,
     * its proposer on this node gets an {@code io.ringraft.api.RejectedByStateMachineException} carrying
     * {@code code}, {@code message} and {@code index} (dropped on other nodes), and the node goes on, as
     * with {@code StateMachine.ApplyResults#reject}. Leave the state unchanged for a rejected command, and
     * reject deterministically: every replica must agree. Replaces a {@link #result} for the same index
     * (the last call wins). Same threads and ordering rule as {@link #result}; allocates one small object.
     *
     * @param index   the rejected command's index
     * @param code    the rejection's code, the state machine's own numbering
     * @param message a description for the proposer, or null
     * @throws IllegalArgumentException as for {@link #result}
     * @throws UnsupportedOperationException from the default, kept for test doubles; the node's own
     *                                       implementation supports it
     */
    default void reject(long index, int code, String message) {
        throw new UnsupportedOperationException(getClass().getName() + " takes no rejections (index " + index
                + ", code " + code + ", " + message + ")");
    }

    /**
     * The state machine cannot go on (its store failed, a bug on its own threads): stops the node as an
     * exception thrown from {@code accept} would (fail-stop), with an
     * {@code io.ringraft.api.StateMachineFailedException} carrying {@code cause}. Returns at once, on any
     * thread; the first failure of a node wins, later ones are ignored.
     *
     * @param cause what went wrong
     * @throws UnsupportedOperationException from the default, kept for test doubles; the node's own
     *                                       implementation supports it
     */
    default void fail(Throwable cause) {
        throw new UnsupportedOperationException(getClass().getName() + " cannot stop a node", cause);
    }
}
