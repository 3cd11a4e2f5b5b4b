package io.ringraft.testkit;

import java.util.SplittableRandom;

/**
 * What the simulated clients ask of the user's state machine: it makes the next operation, encodes it to
 * the command bytes the state machine applies, and decodes the state machine's result into the output
 * the {@link Model} judges.
 *
 * <p><b>Who implements it:</b> the user's test, for its own operation type {@code I} (a record or a
 * sealed interface of records works well) and output type {@code O}. <b>Who calls it:</b> the
 * simulator, on its single thread; one instance per seed (the {@link Simulation.Builder#workload}
 * supplier is called once per seed), so an instance may keep state such as a counter of values written.
 *
 * <p><b>Determinism.</b> Draw randomness only from the {@code random} handed to {@link #next}, and do not
 * depend on the wall clock, hash-map order of identity hashes, or static state: a seed must replay the
 * same run.
 *
 * <p><b>Reads.</b> An operation {@link #isReadOnly} may be served as a linearizable read (ReadIndex,
 * on any node) instead of through the log: its encoded bytes then go to {@code StateMachine.query}.
 * Half of the read-only operations are (drawn per operation); the other half go through the log like
 * writes, so both {@code apply} and {@code query} must handle them.
 *
 * @param <I> the operation type, as the model sees it
 * @param <O> the output type, as the model sees it
 */
public interface Workload<I, O> {

    /**
     * Makes the next operation a client submits.
     *
     * @param random the only source of randomness to use
     * @return the operation, never null
     */
    I next(SplittableRandom random);

    /**
     * Encodes an operation into the command bytes the state machine applies (and, for a read-only
     * operation served as a read, the query bytes it answers).
     *
     * @param operation an operation {@link #next} made
     * @return the bytes; the simulator does not change them
     */
    byte[] encode(I operation);

    /**
     * Decodes what the state machine returned for an operation (its {@code ApplyResults.set} value, or its
     * {@code query} answer) into the output the model judges.
     *
     * @param operation the operation
     * @param result    what the state machine returned on the node that answered; may be null
     * @return the output, compared by the model
     */
    O decode(I operation, Object result);

    /**
     * Tells whether an operation changes nothing, so it may be served as a linearizable read, and a
     * failed or timed-out one need not be treated as possibly applied.
     *
     * @param operation the operation
     * @return true for an operation that never changes the state; false (the default) otherwise
     */
    default boolean isReadOnly(I operation) {
        return false;
    }
}
