package io.ringraft.testkit;

/**
 * One seed's run in a {@link SimulationResult}: what it did and how it ended. Immutable.
 *
 * @param seed        the seed
 * @param passed      whether every check held
 * @param steps       simulation steps taken (each advances virtual time by 0.25 to 0.5 ms)
 * @param traceHash   a hash of everything observable in the run: the same seed on the same code gives
 *                    the same value, which is how a test proves the run deterministic
 * @param completed   client operations that completed
 * @param failed      client operations that definitely did not take effect (refused, not leader, ...)
 * @param unknown     client operations whose outcome stayed unknown (timed out, leadership lost)
 */
public record SeedRun(long seed, boolean passed, long steps, long traceHash, long completed, long failed,
                      long unknown) {
}
