package io.ringraft.testkit;

/**
 * Maps an operation to the independent part of the state it touches (for a key-value store: its key;
 * for a ledger: its account). Linearizability is local (P-compositional), so the checker judges each
 * part's operations on their own, which keeps the searches small
 * ({@link Simulation.Builder#partitionBy}).
 *
 * <p>Only sound if the model treats different parts independently: no operation may read or write
 * more than one part, and the {@link Model} then describes one part. Must be pure; keys need value
 * {@code equals}/{@code hashCode} and a readable {@code toString} (it appears in reports). Called on
 * the simulation's thread.
 *
 * @param <I> the operation type
 */
@FunctionalInterface
public interface Partitioner<I> {

    /**
     * Returns the part an operation belongs to.
     *
     * @param input the operation
     * @return the part's key; not {@code null}
     */
    Object partitionOf(I input);

    /**
     * Puts every operation in one part (no decomposition): the default.
     *
     * @param <I> the operation type
     * @return the partitioner with one part
     */
    static <I> Partitioner<I> single() {
        return input -> "all";
    }
}
