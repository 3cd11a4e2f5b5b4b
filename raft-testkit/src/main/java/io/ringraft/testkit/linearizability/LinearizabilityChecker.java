package io.ringraft.testkit.linearizability;

import io.ringraft.testkit.Model;
import io.ringraft.testkit.Partitioner;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Porcupine-style linearizability checker: decides whether a concurrent history of operations on
 * an object has a linearization that is legal for a sequential {@link Model}.
 *
 * <p><b>Who calls it:</b> simulator tests, once per run, on the history their workload recorded
 * ({@link #check(History)}), and unit tests on hand-built operation lists ({@link #check(List)}).
 *
 * <p><b>What it does:</b> splits the history by {@link Partitioner} (linearizability is local, so
 * each partition is checked alone); runs the {@link PreCheck}s on each partition; then runs the
 * Wing–Gong–Lowe search with memoization on each partition that passed, bounded by a per-partition
 * step budget. Unknown-outcome operations may take effect any time after their call, or never.
 *
 * <p><b>Guarantees:</b> OK means a linearization exists and ILLEGAL means none exists (both exact,
 * given a correct model, partitioner and pre-checks); UNKNOWN means a partition's budget ran out.
 * Results depend only on the input: no wall-clock time, threads or hash-order dependence.
 *
 * <p><b>Thread-safety:</b> an instance is immutable; {@link #check} keeps all its state on the
 * stack, so concurrent calls are safe if the model, partitioner and pre-checks are stateless.
 * Each call is single-threaded.
 */
public final class LinearizabilityChecker<S, I, O> {

    /** Default search steps per partition: generous for partitions of a few hundred operations. */
    public static final long DEFAULT_STEP_BUDGET = 2_000_000L;

    private final Model<S, I, O> model;
    private final Partitioner<I> partitioner;
    private final List<PreCheck<I, O>> preChecks;
    private final long stepBudget;

    private LinearizabilityChecker(Builder<S, I, O> b) {
        this.model = b.model;
        this.partitioner = b.partitioner;
        this.preChecks = List.copyOf(b.preChecks);
        this.stepBudget = b.stepBudget;
    }

    /** Starts a checker for {@code model}: one partition, no pre-checks, the default budget. */
    public static <S, I, O> Builder<S, I, O> builder(Model<S, I, O> model) {
        return new Builder<>(model);
    }

    /** Checks everything {@code history} recorded so far (see {@link History#operations()}). */
    public CheckResult<I, O> check(History<I, O> history) {
        return check(history.operations());
    }

    /** Checks {@code operations}; their order only affects report order and tie-breaking. */
    public CheckResult<I, O> check(List<Operation<I, O>> operations) {
        Map<Object, List<Operation<I, O>>> byKey = new LinkedHashMap<>();
        for (Operation<I, O> op : operations) {
            Object key = Objects.requireNonNull(partitioner.partitionOf(op.input()), "partition key");
            byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(op);
        }
        List<PartitionResult<I, O>> results = new ArrayList<>(byKey.size());
        for (Map.Entry<Object, List<Operation<I, O>>> e : byKey.entrySet()) {
            results.add(checkPartition(e.getKey(), e.getValue()));
        }
        return CheckResult.of(results);
    }

    private PartitionResult<I, O> checkPartition(Object key, List<Operation<I, O>> ops) {
        for (PreCheck<I, O> preCheck : preChecks) {
            Optional<PreCheck.Finding<I, O>> finding = preCheck.check(List.copyOf(ops));
            if (finding.isPresent()) {
                return new PartitionResult<>(key, Outcome.ILLEGAL, ops.size(), 0,
                        ViolationReport.fromPreCheck(model, key, finding.get()));
            }
        }
        WglSearch.Result<S> result = WglSearch.run(model, ops, stepBudget);
        Violation<I, O> violation = result.outcome() == Outcome.ILLEGAL
                ? ViolationReport.fromSearch(model, key, ops, result)
                : null;
        return new PartitionResult<>(key, result.outcome(), ops.size(), result.steps(), violation);
    }

    /** Configures a {@link LinearizabilityChecker}. Not thread-safe; build once, then share. */
    public static final class Builder<S, I, O> {
        private final Model<S, I, O> model;
        private Partitioner<I> partitioner = Partitioner.single();
        private final List<PreCheck<I, O>> preChecks = new ArrayList<>();
        private long stepBudget = DEFAULT_STEP_BUDGET;

        private Builder(Model<S, I, O> model) {
            this.model = Objects.requireNonNull(model, "model");
        }

        /** How to split the history into independently checked partitions (default: one). */
        public Builder<S, I, O> partitioner(Partitioner<I> partitioner) {
            this.partitioner = Objects.requireNonNull(partitioner, "partitioner");
            return this;
        }

        /** Adds a search-free check run on each partition before the search, in the order added. */
        public Builder<S, I, O> preCheck(PreCheck<I, O> preCheck) {
            preChecks.add(Objects.requireNonNull(preCheck, "preCheck"));
            return this;
        }

        /** Maximum search steps per partition before giving up with UNKNOWN; must be positive. */
        public Builder<S, I, O> stepBudget(long stepsPerPartition) {
            if (stepsPerPartition <= 0) {
                throw new IllegalArgumentException("step budget must be positive: " + stepsPerPartition);
            }
            this.stepBudget = stepsPerPartition;
            return this;
        }

        public LinearizabilityChecker<S, I, O> build() {
            return new LinearizabilityChecker<>(this);
        }
    }
}
