package io.ringraft.testkit.exactlyonce;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.client.SessionStateMachine;
import io.ringraft.testkit.FailureKind;
import io.ringraft.testkit.SeedRun;
import io.ringraft.testkit.Simulation;
import io.ringraft.testkit.SimulationResult;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, "exactly once": clients of a counter behind {@link SessionStateMachine} send adds in
 * sessions and resend them (retries, duplicates, late copies), while the network drops, duplicates and
 * delays their requests and the nemesis crashes nodes, cuts links and moves leadership. Every add
 * takes effect once and every copy gets the first answer, or the history is not linearizable for
 * {@link ExactlyOnceModel}. 30 seeds per build; {@code -Dringraft.exactlyonce.seeds=5000} (and
 * {@code -Dringraft.exactlyonce.firstSeed}) for a soak.
 */
class ExactlyOnceSessionsTest {

    @Test
    void everySessionCommandTakesEffectOnceHoweverOftenItIsSent() {
        SimulationResult result = Simulation.builder()
                .stateMachine(() -> SessionStateMachine.wrap(new CounterMachine()).maxSessions(16)
                        .maxResultsPerSession(4_096).build())
                .workload(SessionClients::new)
                .model(new ExactlyOnceModel())
                // -Dringraft.exactlyonce.checkerSteps: a larger search for a history the default budget leaves UNKNOWN
                .checkerStepBudget(Long.getLong("ringraft.exactlyonce.checkerSteps", 2_000_000L))
                .seeds(Long.getLong("ringraft.exactlyonce.firstSeed", 1), Integer.getInteger("ringraft.exactlyonce.seeds", 30))
                .run()
                .assertNoViolation();

        assertThat(result.runs().stream().mapToLong(SeedRun::completed).sum()).as("operations completed").isPositive();
    }

    @Test
    void withoutTheSessionTableCopiesTakeEffectAgainAndTheTestSaysSo() {
        SimulationResult result = Simulation.builder()
                .stateMachine(NoDeduplication::new)
                .workload(SessionClients::new)
                .model(new ExactlyOnceModel())
                .seeds(1, 10)
                .run();

        assertThat(result.failure()).as("a violation within 10 seeds").isPresent();
        assertThat(result.failure().orElseThrow().kind()).isEqualTo(FailureKind.LINEARIZABILITY);
    }
}
