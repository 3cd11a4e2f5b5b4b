package io.ringraft.sim.linearizability;

/**
 * A sequential specification of one object (a register, a key-value map, ...), the "model" against
 * which {@link LinearizabilityChecker} judges a concurrent {@link History}.
 *
 * <p><b>Who implements it:</b> test code describing the object under test; {@link KvModel} is the
 * one the simulator's key-value workload uses. <b>Who calls it:</b> only the checker, from the
 * thread that called {@link LinearizabilityChecker#check}.
 *
 * <p><b>Contract.</b> Implementations must be pure and deterministic: the result of a step depends
 * only on its arguments. States must be immutable, never {@code null}, and have value-based
 * {@code equals}/{@code hashCode} (records, {@code Map.copyOf}, ...), because the checker memoizes
 * (set of linearized operations, state) pairs and compares states for equality. A stateless model
 * may be shared freely between threads and checkers.
 *
 * <p><b>Unknown outcomes.</b> An operation whose outcome was never observed (a write that timed
 * out) is applied with {@link #stepUnknown}, not {@link #step}: the model itself says what the
 * operation does when its output is unconstrained. The checker also lets such an operation never
 * take effect, so a model need not encode "maybe".
 *
 * @param <S> the state type, immutable with value equality
 * @param <I> the operation input type (what the client asked for)
 * @param <O> the operation output type (what the client was told)
 */
public interface Model<S, I, O> {

    /** The state before any operation; never {@code null}. */
    S init();

    /**
     * Applies an operation whose output was observed.
     *
     * @return the state after the operation, or {@code null} if {@code output} is not a legal
     *     result of {@code input} in {@code state}
     */
    S step(S state, I input, O output);

    /**
     * Applies an operation whose output was not observed, i.e. with whatever output the object
     * would have produced in {@code state}. For a deterministic object this is "apply the input".
     *
     * @return the state after the operation, or {@code null} if the input can never be applied in
     *     {@code state} (the checker then only considers the operation not taking effect there)
     */
    S stepUnknown(S state, I input);

    /** Text for an input in violation reports; defaults to {@code toString}. */
    default String describeInput(I input) {
        return String.valueOf(input);
    }

    /** Text for an observed output in violation reports; defaults to {@code toString}. */
    default String describeOutput(O output) {
        return String.valueOf(output);
    }

    /** Text for a state in violation reports; defaults to {@code toString}. */
    default String describeState(S state) {
        return String.valueOf(state);
    }
}
