package io.ringraft.testkit.linearizability;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The verdict for a whole history: ILLEGAL if any partition is ILLEGAL, else UNKNOWN if any
 * partition ran out of budget, else OK. Partitions appear in the order their first operation
 * appears in the history, so results are deterministic. Immutable.
 */
public record CheckResult<I, O>(Outcome outcome, List<PartitionResult<I, O>> partitions) {

    public CheckResult {
        partitions = List.copyOf(partitions);
    }

    /** Combines per-partition verdicts. */
    public static <I, O> CheckResult<I, O> of(List<PartitionResult<I, O>> partitions) {
        Outcome overall = Outcome.OK;
        for (PartitionResult<I, O> p : partitions) {
            if (p.outcome() == Outcome.ILLEGAL) {
                overall = Outcome.ILLEGAL;
                break;
            }
            if (p.outcome() == Outcome.UNKNOWN) {
                overall = Outcome.UNKNOWN;
            }
        }
        return new CheckResult<>(overall, partitions);
    }

    public boolean isOk() {
        return outcome == Outcome.OK;
    }

    /** The first ILLEGAL partition's evidence, if any. */
    public Optional<Violation<I, O>> firstViolation() {
        return partitions.stream().filter(p -> p.violation() != null).map(PartitionResult::violation).findFirst();
    }

    /** Search steps spent over all partitions. */
    public long totalSteps() {
        return partitions.stream().mapToLong(PartitionResult::steps).sum();
    }

    /** A readable report: the overall verdict, one line per partition, then each violation. */
    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        lines.add("linearizability: " + outcome + " (" + partitions.size() + " partitions, "
                + totalSteps() + " steps)");
        for (PartitionResult<I, O> p : partitions) {
            lines.add("  " + p.summary());
        }
        for (PartitionResult<I, O> p : partitions) {
            if (p.violation() != null) {
                p.violation().lines().forEach(l -> lines.add("  " + l));
            }
        }
        return lines;
    }

    /** {@link #lines()} joined with newlines. */
    public String render() {
        return String.join("\n", lines());
    }
}
