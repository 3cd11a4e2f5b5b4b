/**
 * RingRaft's testkit: the deterministic simulator as a fixture for users' state machines
 * ({@code io.ringraft.testkit.Simulation}, with the user's {@code Workload} and {@code Model}). Add
 * {@code io.ringraft:raft-testkit} with test scope (docs/testing.md). The simulator
 * ({@code io.ringraft.testkit.sim}) and the linearizability checker it judges histories with
 * ({@code io.ringraft.testkit.linearizability}) are internal.
 */
module io.ringraft.testkit {
    requires transitive io.ringraft.core;
    requires org.slf4j;

    exports io.ringraft.testkit;
}
