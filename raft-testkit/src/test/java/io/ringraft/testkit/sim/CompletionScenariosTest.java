package io.ringraft.testkit.sim;

import static io.ringraft.testkit.sim.ScenarioSupport.ELECTION_STEPS;
import static io.ringraft.testkit.sim.ScenarioSupport.converge;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.IndeterminateException;
import io.ringraft.testkit.linearizability.KvInput;
import io.ringraft.testkit.sim.ClientWorkload.ScriptedOp;
import org.junit.jupiter.api.Test;

/**
 * Scripted simulator scenarios for issue 12, "every completion exactly once": a proposal's future
 * completes once, with its result or a failure that says whether it may have taken effect, whatever
 * happens to the node that took it. The simulation itself checks, after every step, that no future or
 * listener call happens twice, and when a node stops or the run ends, that every one happened.
 */
class CompletionScenariosTest {

    private static final int LOAD_STEPS = 400_000;

    /**
     * Bug 1 of issue 12 (simulator seeds 7301341 and 8800798): a leader's proposal commits on its
     * followers but is not applied on the leader (its disk is slow); the leader is cut off, the others
     * compact their logs past its log, and it comes back to a snapshot that holds the proposal. Its state
     * is replaced, its ring reset: the proposal must fail as indeterminate then, not stay pending forever.
     */
    @Test
    void aProposalCommittedButNotAppliedCompletesWhenASnapshotReplacesTheState() {
        KvSimulation sim = ScenarioSupport.sim(1201, 3, 2, SimOptions.smallConfig());
        SimNode leader = sim.awaitLeader(ELECTION_STEPS, false);
        leader.writerHeld = true; // nothing becomes durable on the leader: it applies nothing more
        ScriptedOp<KvInput> op = sim.submit(leader.id, KvInput.put("c1", "v"));
        long opId = op.opId;
        sim.stepUntil("the followers applied " + op, ELECTION_STEPS, false, () -> sim.nodes().stream()
                .filter(n -> n != leader).allMatch(n -> sim.checker().hasApplied(n.id, opId)));
        assertThat(op.future).as("not applied on the leader yet").isNotDone();

        sim.setIsolated(leader.id, true);
        long oldLast = leader.engine().lastLogId().index();
        sim.stepUntil("a new leader compacted its log past the old leader's", LOAD_STEPS, true, () -> {
            SimNode current = sim.leader();
            return current != null && current != leader && current.status().purgedIndex() > oldLast + 8;
        });
        sim.setIsolated(leader.id, false);
        sim.stepUntil("the old leader restored a snapshot past its log", LOAD_STEPS, true,
                () -> leader.status().snapshotIndex() > oldLast);

        assertThat(op.future).as("%s after the snapshot replaced the old leader's state", op).isDone();
        assertThat(op.failure()).isInstanceOf(IndeterminateException.class);
        leader.writerHeld = false;
        converge(sim);
    }
}
