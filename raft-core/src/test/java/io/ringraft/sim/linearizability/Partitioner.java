package io.ringraft.sim.linearizability;

/**
 * Maps an operation input to the independent sub-object it touches (for a key-value store: its
 * key). Linearizability is local (P-compositional), so {@link LinearizabilityChecker} checks each
 * partition's sub-history on its own, which keeps the searches small.
 *
 * <p>Only sound if the model treats different partitions independently: no operation may read or
 * write more than one partition. Must be pure; keys need value {@code equals}/{@code hashCode} and
 * a readable {@code toString} (it appears in reports).
 */
@FunctionalInterface
public interface Partitioner<I> {

    /** The partition {@code input} belongs to; not {@code null}. */
    Object partitionOf(I input);

    /** Puts every operation in one partition (no decomposition). */
    static <I> Partitioner<I> single() {
        return input -> "all";
    }
}
