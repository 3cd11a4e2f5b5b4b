package io.ringraft.testkit;

/**
 * A sequential specification of one object (a counter, a ledger, a key-value map, ...): the "model"
 * against which the simulator's linearizability checker (Wing-Gong-Lowe search with memoization, as in
 * Porcupine) judges the clients' concurrent history. The history is linearizable if the operations
 * can be put in one order, consistent with real time, in which every output is what this model
 * returns.
 *
 * <p><b>Who implements it:</b> the user's test, describing the state machine under test as a plain
 * sequential object. <b>Who calls it:</b> only the checker, on the thread that called
 * {@link Simulation.Builder#run()}, after each seed's run.
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

    /**
     * Returns the state before any operation.
     *
     * @return the initial state; never {@code null}
     */
    S init();

    /**
     * Applies an operation whose output was observed.
     *
     * @param state  the state before the operation
     * @param input  the operation
     * @param output what the client was told
     * @return the state after the operation, or {@code null} if {@code output} is not a legal
     *     result of {@code input} in {@code state}
     */
    S step(S state, I input, O output);

    /**
     * Applies an operation whose output was not observed, i.e. with whatever output the object
     * would have produced in {@code state}. For a deterministic object this is "apply the input".
     *
     * @param state the state before the operation
     * @param input the operation
     * @return the state after the operation, or {@code null} if the input can never be applied in
     *     {@code state} (the checker then only considers the operation not taking effect there)
     */
    S stepUnknown(S state, I input);

    /**
     * Describes an input in violation reports.
     *
     * @param input the operation
     * @return its text; {@code toString} by default
     */
    default String describeInput(I input) {
        return String.valueOf(input);
    }

    /**
     * Describes an observed output in violation reports.
     *
     * @param output the output
     * @return its text; {@code toString} by default
     */
    default String describeOutput(O output) {
        return String.valueOf(output);
    }

    /**
     * Describes a state in violation reports.
     *
     * @param state the state
     * @return its text; {@code toString} by default
     */
    default String describeState(S state) {
        return String.valueOf(state);
    }
}
