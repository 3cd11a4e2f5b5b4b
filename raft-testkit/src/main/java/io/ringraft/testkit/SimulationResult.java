package io.ringraft.testkit;

import java.util.List;
import java.util.Optional;

/**
 * What {@link Simulation.Builder#run()} found: every seed run, in order, and the first failure, if any
 * (the run stops at it unless told to go on). Immutable.
 */
public final class SimulationResult {

    private final List<SeedRun> runs;
    private final List<SimulationFailure> failures;

    SimulationResult(List<SeedRun> runs, List<SimulationFailure> failures) {
        this.runs = List.copyOf(runs);
        this.failures = List.copyOf(failures);
    }

    /**
     * Returns the seeds run, in order, with what each did.
     *
     * @return one entry per seed run (a failing seed included)
     */
    public List<SeedRun> runs() {
        return runs;
    }

    /**
     * Returns whether every seed passed.
     *
     * @return true if no check failed
     */
    public boolean passed() {
        return failures.isEmpty();
    }

    /**
     * Returns the first failure.
     *
     * @return the failure of the first failing seed, or empty if every seed passed
     */
    public Optional<SimulationFailure> failure() {
        return failures.stream().findFirst();
    }

    /**
     * Returns every failure found (one per failing seed; more than one only if the builder was told to
     * go on after a failure).
     *
     * @return the failures, in seed order
     */
    public List<SimulationFailure> failures() {
        return failures;
    }

    /**
     * Throws if a seed failed, with the first failure's report as the message: the one-line way to
     * use the simulator in a test.
     *
     * @return this result, if every seed passed
     * @throws AssertionError with {@link SimulationFailure#report()} if a seed failed
     */
    public SimulationResult assertNoViolation() {
        Optional<SimulationFailure> failure = failure();
        if (failure.isPresent()) {
            throw new AssertionError(failure.get().report(), failure.get().cause());
        }
        return this;
    }

    @Override
    public String toString() {
        long completed = runs.stream().mapToLong(SeedRun::completed).sum();
        return runs.size() + " seeds, " + failures.size() + " failed, " + completed + " client operations completed"
                + failure().map(f -> "; first failure: " + f.kind() + " on seed " + f.seed()).orElse("");
    }
}
