package io.ringraft.testkit.linearizability;

import io.ringraft.testkit.Partitioner;

/**
 * Entry point for checking the simulator's key-value workload: a {@link LinearizabilityChecker}
 * over {@link KvModel}, partitioned per key, with the {@link KvReadsWrittenValues} pre-check.
 *
 * <pre>{@code
 * History<KvInput, KvOutput> history = new History<>();
 * long id = history.invoke(client, KvInput.put("k1", "v7"), sim.now());
 * ...  history.ok(id, KvOutput.ok(), sim.now());   // or history.unknown(id) / history.fail(id)
 * CheckResult<KvInput, KvOutput> result = KvLinearizability.checker().check(history);
 * assertThat(result.outcome()).as(result.render()).isEqualTo(Outcome.OK);
 * }</pre>
 *
 * Stateless; the checkers it returns are immutable and thread-safe.
 */
public final class KvLinearizability {

    private KvLinearizability() {
    }

    /** Partitions key-value requests by their key. */
    public static Partitioner<KvInput> byKey() {
        return KvInput::key;
    }

    /** The standard key-value checker with the default step budget per key. */
    public static LinearizabilityChecker<KvState, KvInput, KvOutput> checker() {
        return builder().build();
    }

    /** The standard key-value checker with {@code stepsPerKey} search steps per key. */
    public static LinearizabilityChecker<KvState, KvInput, KvOutput> checker(long stepsPerKey) {
        return builder().stepBudget(stepsPerKey).build();
    }

    /** The standard configuration, to adjust before building (e.g. extra pre-checks). */
    public static LinearizabilityChecker.Builder<KvState, KvInput, KvOutput> builder() {
        return LinearizabilityChecker.builder(KvModel.INSTANCE)
                .partitioner(byKey())
                .preCheck(KvReadsWrittenValues.INSTANCE);
    }
}
