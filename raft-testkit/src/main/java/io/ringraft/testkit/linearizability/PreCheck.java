package io.ringraft.testkit.linearizability;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A cheap, search-free test that proves a partition's history not linearizable (for example "a
 * read returned a value nobody wrote"). {@link LinearizabilityChecker} runs its pre-checks on each
 * partition before the search and skips the search if one fails.
 *
 * <p>Must be sound: only report a finding for histories that really have no linearization
 * (unknown-outcome operations may or may not have taken effect). Must be pure; called from the
 * checking thread only.
 */
@FunctionalInterface
public interface PreCheck<I, O> {

    /**
     * Inspects one partition.
     *
     * @param operations the partition's operations in history order, failed ones already removed
     * @return the first offending operation found, or empty if this check sees no problem
     */
    Optional<Finding<I, O>> check(List<Operation<I, O>> operations);

    /**
     * A pre-check failure.
     *
     * @param operation the operation that cannot be explained
     * @param reason one line of text saying why
     */
    record Finding<I, O>(Operation<I, O> operation, String reason) {
        public Finding {
            Objects.requireNonNull(operation, "operation");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
