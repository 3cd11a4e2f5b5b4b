package io.ringraft.testkit.linearizability;

import java.util.List;
import java.util.Objects;

/**
 * Evidence that one partition's history is not linearizable, produced by
 * {@link LinearizabilityChecker} for {@link Outcome#ILLEGAL} partitions. Immutable.
 *
 * @param partitionKey the partition (for key-value histories: the key)
 * @param offending the operation that could not be linearized: for a search failure, the one whose
 *     response came first after the longest linearizable prefix; for a pre-check, the one it flagged
 * @param reason one line of text saying what went wrong
 * @param longestPrefix the longest sequence of this partition's operations found to be a legal
 *     linearization prefix, in linearization order (empty for pre-check failures)
 * @param lines a readable multi-line report (prefix with states, the stuck operation, the
 *     candidates that were tried); print it when a simulation seed fails
 */
public record Violation<I, O>(Object partitionKey, Operation<I, O> offending, String reason,
        List<Operation<I, O>> longestPrefix, List<String> lines) {

    public Violation {
        Objects.requireNonNull(partitionKey, "partitionKey");
        Objects.requireNonNull(offending, "offending");
        Objects.requireNonNull(reason, "reason");
        longestPrefix = List.copyOf(longestPrefix);
        lines = List.copyOf(lines);
    }

    /** {@link #lines()} joined with newlines. */
    public String render() {
        return String.join("\n", lines);
    }
}
