package io.ringraft.testkit.sim;

import io.ringraft.testkit.linearizability.KvInput;
import io.ringraft.testkit.linearizability.KvLinearizability;
import io.ringraft.testkit.linearizability.KvOutput;

/**
 * The simulator running the KV map ({@link KvStateMachine}) under {@link KvOperations}, judged by
 * {@link KvLinearizability}: the simulation the scenario tests script.
 */
class KvSimulation extends ClusterSimulation<KvInput, KvOutput> {

    KvSimulation(long seed, SimOptions options) {
        super(seed, options, id -> new KvStateMachine(), new KvOperations(options.keys()), KvLinearizability.checker());
    }

    /** Submits a linearizable read (ReadIndex, not through the log) of {@code key} to node {@code id}. */
    ClientWorkload.ScriptedOp<KvInput> read(long id, String key) {
        return read(id, KvInput.get(key));
    }
}
