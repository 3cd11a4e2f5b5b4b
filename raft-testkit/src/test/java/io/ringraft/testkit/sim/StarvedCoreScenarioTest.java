package io.ringraft.testkit.sim;

import static io.ringraft.testkit.sim.ScenarioSupport.ackedWrite;
import static io.ringraft.testkit.sim.ScenarioSupport.sim;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.RaftConfig;
import io.ringraft.api.Role;
import org.junit.jupiter.api.Test;

/**
 * A stall of the whole cluster is not a lost leader: every node's tasks stop at once for one and a half,
 * or three, election timeouts (the same GC pause in every JVM, as three replicas of the same load get
 * it) and then run again. Every node, whose own core did not run, counts at most half an election
 * timeout of that gap (a leader only without lease reads), so followers hear the leader's next heartbeat
 * before their timers run out and the leader hears their answers before check-quorum: nobody campaigns,
 * the term and the leader stay. (Before, the followers counted the whole gap at once and, with a
 * randomized timeout under one and a half election timeouts, campaigned, and a leader paused for more
 * than an election timeout stepped down: both fail without the cap.)
 */
class StarvedCoreScenarioTest {

    private static final RaftConfig CONFIG = SimOptions.smallConfigWithoutSnapshots();
    private static final long ELECTION_TIMEOUT_NANOS = CONFIG.electionTimeoutMillis() * 1_000_000L;

    @Test
    void aClusterWidePauseLongerThanTheElectionTimeoutChangesNoLeader() {
        pauseEveryNode(3 * ELECTION_TIMEOUT_NANOS / 2, 1801);
    }

    @Test
    void evenAPauseOfThreeElectionTimeoutsChangesNoLeaderWithoutLeaseReads() {
        pauseEveryNode(3 * ELECTION_TIMEOUT_NANOS, 1811);
    }

    private static void pauseEveryNode(long pauseNanos, long firstSeed) {
        for (long seed = firstSeed; seed < firstSeed + 8; seed++) {
            KvSimulation sim = sim(seed, 3, 0, CONFIG);
            SimNode leader = sim.node(ackedWrite(sim, "k", "v", false).target.id);
            sim.steps(400, false);
            assertThat(leader.engine().role()).isEqualTo(Role.LEADER);
            long term = leader.engine().term();

            for (SimNode node : sim.nodes()) {
                sim.pause(node.id, pauseNanos);
            }
            long resumeAt = sim.now() + pauseNanos;
            sim.stepUntil("the pause is over", 100_000, false, () -> sim.now() > resumeAt);
            long watchUntil = sim.now() + 4 * ELECTION_TIMEOUT_NANOS;
            sim.stepUntil("four election timeouts after the pause", 100_000, false, () -> {
                for (SimNode node : sim.nodes()) {
                    assertThat(node.engine().term()).as("seed %d: node %d's term", sim.seed(), node.id).isEqualTo(term);
                    assertThat(node.engine().role()).as("seed %d: node %d's role", sim.seed(), node.id)
                            .isEqualTo(node == leader ? Role.LEADER : Role.FOLLOWER);
                }
                return sim.now() > watchUntil;
            });
        }
    }
}
