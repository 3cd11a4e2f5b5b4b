package io.ringraft.testkit.sim;

import static io.ringraft.testkit.sim.ScenarioSupport.CONVERGE_STEPS;
import static io.ringraft.testkit.sim.ScenarioSupport.ELECTION_STEPS;
import static io.ringraft.testkit.sim.ScenarioSupport.ackedWrite;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.RaftConfig;
import io.ringraft.testkit.linearizability.KvInput;
import org.junit.jupiter.api.Test;

/**
 * A follower whose ring is full of entries nobody committed yet takes the next leader's entries
 * (messaging simulation seed 114 stalled for good on this: the new leader needed that follower, and
 * could commit nothing before the follower held an entry of its term, which had no slot). Scripted,
 * with 16-entry rings: a third node is cut off throughout, so the two others need each other for
 * every commit; three leaderships in a row between them end before anything commits (the follower's
 * acknowledgements are cut), the first with 14 commands (the leader keeps 2 slots in reserve), the
 * next two with their no-ops; then both rings hold 16 uncommitted entries, and the fourth leader's
 * no-op must go into a slot of one of them.
 */
class FullFollowerRingScenarioTest {

    private static final int RING = 16;

    @Test
    void aFollowerWhoseRingIsFullOfUncommittedEntriesTakesTheNextLeadersEntries() {
        RaftConfig config = SimOptions.smallBuilder().ringCapacityEntries(RING).snapshotIntervalEntries(0)
                .snapshotIntervalBytes(0).build();
        KvSimulation sim = ScenarioSupport.sim(114, 3, 0, config);
        ackedWrite(sim, "k", "committed", false);
        SimNode first = sim.awaitLeader(ELECTION_STEPS, false);
        SimNode away = sim.nodes().stream().filter(n -> n != first).findFirst().orElseThrow();
        sim.stepUntil("every node applied the write", ELECTION_STEPS, false,
                () -> sim.nodes().stream().allMatch(n -> n.status().appliedIndex() == first.status().committedIndex()));
        long committed = first.status().committedIndex();
        sim.setIsolated(away.id, true);

        // Three leaderships that commit nothing: the follower's acknowledgements never reach the leader.
        for (int round = 0; round < 3; round++) {
            SimNode leader = sim.awaitLeader(ELECTION_STEPS, false);
            SimNode follower = other(sim, leader, away);
            sim.network().setCut(follower.id, leader.id, true);
            if (round == 0) {
                for (int i = 0; i < 2 * RING; i++) {
                    sim.submit(leader.id, KvInput.put("k" + i, "uncommitted"));
                }
            }
            long target = committed + (RING - 2) + round;
            sim.stepUntil("both hold " + target + " entries", ELECTION_STEPS, false,
                    () -> leader.engine().lastLogId().index() == target
                            && follower.engine().lastLogId().index() == target);
            sim.stepUntil("the leader stepped down (check-quorum)", ELECTION_STEPS, false,
                    () -> leader.engine().role() != io.ringraft.api.Role.LEADER);
            sim.network().setCut(follower.id, leader.id, false);
        }
        for (SimNode node : sim.nodes()) {
            if (node != away) {
                assertThat(node.status().committedIndex()).as("node %d committed nothing since", node.id)
                        .isEqualTo(committed);
                assertThat(node.status().ringEntries()).as("node %d: a full ring of uncommitted entries", node.id)
                        .isEqualTo(RING);
            }
        }

        SimNode leader = sim.awaitLeader(ELECTION_STEPS, false);
        long noop = committed + RING + 1;
        assertThat(leader.engine().lastLogId().index()).as("the new leader's no-op").isEqualTo(noop);
        SimNode follower = other(sim, leader, away);
        sim.stepUntil("the fourth leader committed its no-op with the full follower", CONVERGE_STEPS, false,
                () -> leader.status().committedIndex() >= noop && follower.status().appliedIndex() >= noop);
        assertThat(sim.leader()).as("the same leader").isSameAs(leader);

        sim.setIsolated(away.id, false);
        ScenarioSupport.converge(sim);
    }

    private static SimNode other(KvSimulation sim, SimNode leader, SimNode away) {
        return sim.nodes().stream().filter(n -> n != leader && n != away).findFirst().orElseThrow();
    }
}
