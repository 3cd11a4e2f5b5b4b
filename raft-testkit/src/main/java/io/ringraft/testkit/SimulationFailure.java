package io.ringraft.testkit;

import java.util.List;

/**
 * The first violation a {@link Simulation} found: what broke, on which seed, the evidence, and how to
 * replay it. A seed replays exactly: running the same builder with {@code .seeds(seed, 1)}, or the same
 * test with {@code -Dringraft.testkit.seed=<seed>}, fails the same way on the same code. Immutable.
 *
 * @param seed           the seed that failed
 * @param kind           what was violated
 * @param message        the check's message (for a linearizability violation, the checker's report)
 * @param historyExcerpt the last client operations before the failure, one per line: client, input,
 *                       output (or unknown) and the call and return times in virtual nanoseconds
 * @param recentEvents   the last events of the run, oldest first: messages delivered, faults injected,
 *                       leaders elected
 * @param replayCommand  what to add to the build's command line to rerun this seed alone, e.g.
 *                       {@code mvn test -Dtest=LedgerSimulationTest -Dringraft.testkit.seed=42}
 * @param cause          the exception the check or the user's code threw
 */
public record SimulationFailure(long seed, FailureKind kind, String message, String historyExcerpt,
                                List<String> recentEvents, String replayCommand, Throwable cause) {

    /**
     * A failure; the list of events is copied.
     *
     * @param seed           the seed that failed
     * @param kind           what was violated
     * @param message        the check's message
     * @param historyExcerpt the last client operations, one per line
     * @param recentEvents   the last events of the run, oldest first
     * @param replayCommand  the command line that reruns this seed alone
     * @param cause          the exception the check or the user's code threw
     */
    public SimulationFailure {
        recentEvents = List.copyOf(recentEvents);
    }

    /**
     * Returns the whole report: kind, seed, message, history excerpt, recent events and the replay command.
     *
     * @return the report, several lines
     */
    public String report() {
        StringBuilder s = new StringBuilder();
        s.append(kind).append(" violated on seed ").append(seed).append('\n');
        s.append(message).append('\n');
        s.append("last client operations:\n").append(historyExcerpt);
        s.append("last events:\n");
        for (String event : recentEvents) {
            s.append("  ").append(event).append('\n');
        }
        s.append("replay: ").append(replayCommand).append('\n');
        return s.toString();
    }
}
