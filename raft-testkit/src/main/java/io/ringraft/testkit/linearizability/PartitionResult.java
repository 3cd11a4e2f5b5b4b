package io.ringraft.testkit.linearizability;

import java.util.Objects;

/**
 * The verdict for one partition of a history. Immutable; produced by {@link LinearizabilityChecker}.
 *
 * @param key the partition key
 * @param outcome OK, ILLEGAL, or UNKNOWN if the step budget ran out
 * @param operationCount how many operations the partition had (unknown-outcome ones included)
 * @param steps search steps spent (0 if a pre-check decided it)
 * @param violation the evidence if {@code outcome} is ILLEGAL, otherwise {@code null}
 */
public record PartitionResult<I, O>(Object key, Outcome outcome, int operationCount, long steps,
        Violation<I, O> violation) {

    public PartitionResult {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(outcome, "outcome");
        if ((outcome == Outcome.ILLEGAL) != (violation != null)) {
            throw new IllegalArgumentException("a violation goes with, and only with, ILLEGAL");
        }
    }

    /** One summary line, e.g. {@code key=x: OK (12 ops, 40 steps)}. */
    public String summary() {
        return "key=" + key + ": " + outcome + " (" + operationCount + " ops, " + steps + " steps)";
    }
}
