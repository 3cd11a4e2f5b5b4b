package io.ringraft.testkit.example;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.testkit.SeedRun;
import io.ringraft.testkit.Simulation;
import io.ringraft.testkit.SimulationResult;
import org.junit.jupiter.api.Test;

/**
 * The worked example of docs/testing.md: a user's {@link Ledger} under the simulator, every fault
 * allowed, 50 seeds per build ({@code -Dringraft.testkit.seeds=N} for more).
 */
class LedgerSimulationTest {

    @Test
    void theLedgerStaysLinearizableAndItsReplicasAgreeUnderEveryFault() {
        SimulationResult result = Simulation.builder()
                .stateMachine(Ledger::new)
                .workload(LedgerWorkload::new)
                .model(new LedgerModel())
                .partitionBy(LedgerOp::account)
                .seeds(1, 50)
                .run()
                .assertNoViolation();

        assertThat(result.runs()).isNotEmpty().allMatch(SeedRun::passed);
        assertThat(result.runs().stream().mapToLong(SeedRun::completed).sum())
                .as("client operations completed").isPositive();
    }

    @Test
    void aSeedReplaysExactly() {
        SeedRun first = ledger(7).runs().get(0);
        SeedRun again = ledger(7).runs().get(0);
        SeedRun other = ledger(8).runs().get(0);

        assertThat(again).isEqualTo(first);
        assertThat(other.traceHash()).isNotEqualTo(first.traceHash());
    }

    private static SimulationResult ledger(long seed) {
        return Simulation.builder()
                .stateMachine(Ledger::new)
                .workload(LedgerWorkload::new)
                .model(new LedgerModel())
                .partitionBy(LedgerOp::account)
                .steps(2_000, 12_000)
                .seeds(seed, 1)
                .run()
                .assertNoViolation();
    }
}
