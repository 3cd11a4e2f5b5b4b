package io.ringraft.testkit.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.testkit.FailureKind;
import io.ringraft.testkit.Nemesis;
import io.ringraft.testkit.SeedRun;
import io.ringraft.testkit.Simulation;
import io.ringraft.testkit.SimulationFailure;
import io.ringraft.testkit.SimulationResult;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;

/**
 * The fixture finds bugs in a user's state machine, and a failing seed replays to the same violation:
 * through {@code .seeds(seed, 1)} and through the system property its replay command sets.
 */
class SimulationCatchesBugsTest {

    /** A lost update: the first deposit into an account is answered but never stored. */
    static final class LosesFirstDeposit extends Ledger {
        @Override
        protected LedgerResult execute(LedgerOp op) {
            if (op instanceof LedgerOp.Deposit deposit && !balances.containsKey(op.account())) {
                return new LedgerResult(true, deposit.amount()); // the bug: never put into the map
            }
            return super.execute(op);
        }
    }

    /** Another version of the code on one node: it charges a fee on withdrawals, so replicas diverge. */
    static final class ChargesAFee extends Ledger {
        @Override
        protected LedgerResult execute(LedgerOp op) {
            if (op instanceof LedgerOp.Withdraw withdraw) {
                return super.execute(new LedgerOp.Withdraw(op.account(), withdraw.amount() + 1));
            }
            return super.execute(op);
        }
    }

    @Test
    void aLostDepositIsALinearizabilityViolationThatReplays() {
        SimulationResult result = ledger(id -> new LosesFirstDeposit(), 1, 10);

        SimulationFailure failure = result.failure().orElseThrow();
        assertThat(failure.kind()).isEqualTo(FailureKind.LINEARIZABILITY);
        assertThat(failure.message()).contains("not linearizable");
        assertThat(failure.historyExcerpt()).isNotBlank();
        assertThat(failure.replayCommand()).contains("-Dringraft.testkit.seed=" + failure.seed())
                .contains("-Dtest=SimulationCatchesBugsTest");
        assertThat(result.runs()).last().extracting(SeedRun::seed).isEqualTo(failure.seed());

        SimulationResult replay = ledger(id -> new LosesFirstDeposit(), failure.seed(), 1);
        assertSameFailure(replay, result, failure);
    }

    @Test
    void replicasRunningDifferentCodeAreCaughtAndTheSeedReplaysThroughTheSystemProperty() {
        LongFunction<Ledger> mixed = id -> id == 3 ? new ChargesAFee() : new Ledger();
        SimulationResult result = ledger(mixed, 1, 10);

        SimulationFailure failure = result.failure().orElseThrow();
        assertThat(failure.kind()).isIn(FailureKind.STATE_MACHINE_SAFETY, FailureKind.LINEARIZABILITY);

        System.setProperty(Simulation.SEED_PROPERTY, String.valueOf(failure.seed()));
        try {
            SimulationResult replay = ledger(mixed, 1, 10); // the property wins over the builder's seeds
            assertThat(replay.runs()).hasSize(1);
            assertSameFailure(replay, result, failure);
        } finally {
            System.clearProperty(Simulation.SEED_PROPERTY);
        }
    }

    @Test
    void aStateMachineSharedBetweenNodesIsRefused() {
        Ledger shared = new Ledger();
        SimulationResult result = Simulation.builder()
                .stateMachine(() -> shared)
                .workload(LedgerWorkload::new)
                .model(new LedgerModel())
                .seeds(1, 1)
                .run();

        assertThat(result.failure().orElseThrow().message()).contains("new instance");
    }

    @Test
    void aSimulationWithoutModelDoesNotStart() {
        assertThatThrownBy(() -> Simulation.builder().stateMachine(Ledger::new).workload(LedgerWorkload::new).run())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("model");
    }

    private static SimulationResult ledger(LongFunction<? extends Ledger> machines, long first, int count) {
        return Simulation.builder()
                .stateMachinePerNode(machines)
                .workload(LedgerWorkload::new)
                .model(new LedgerModel())
                .partitionBy(LedgerOp::account)
                .nemesis(Nemesis.all())
                .seeds(first, count)
                .run();
    }

    private static void assertSameFailure(SimulationResult replay, SimulationResult original, SimulationFailure failure) {
        SimulationFailure again = replay.failure().orElseThrow();
        assertThat(again.seed()).isEqualTo(failure.seed());
        assertThat(again.kind()).isEqualTo(failure.kind());
        assertThat(again.message()).isEqualTo(failure.message());
        assertThat(replay.runs().get(replay.runs().size() - 1))
                .as("the replayed run, step for step").isEqualTo(original.runs().get(original.runs().size() - 1));
    }
}
