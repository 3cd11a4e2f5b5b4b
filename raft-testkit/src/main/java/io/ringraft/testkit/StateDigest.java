package io.ringraft.testkit;

/**
 * Optionally implemented by a state machine under simulation: a digest of its whole replicated state,
 * which lets the simulator prove that replicas agree state for state, not only result for result.
 *
 * <p><b>Who calls it:</b> the simulator, on its single thread, after each batch a node applies, after a
 * snapshot is taken and after one is restored. It must not change the state, and must depend only on the
 * replicated state (not on the node, the time or the order a hash map iterates in): two replicas that
 * applied the same commands return the same digest. An order-independent sum of per-entry hashes works
 * for maps.
 *
 * <p><b>What it checks:</b> every node's state after the command at index {@code i} has the same digest;
 * a snapshot taken as of {@code i}, and the state restored from it on another node, have the digest the
 * state had after applying {@code i}. A state machine that is not deterministic, or whose snapshot loses
 * something, fails these checks even where its clients' history stays linearizable.
 */
public interface StateDigest {

    /**
     * Returns a digest of the current state.
     *
     * @return equal for equal states on every replica; unequal (with high probability) otherwise
     */
    long stateDigest();
}
