package io.ringraft.sim;

import static io.ringraft.sim.ScenarioSupport.ackedWrite;
import static io.ringraft.sim.ScenarioSupport.sim;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.RaftConfig;
import io.ringraft.api.Role;
import org.junit.jupiter.api.Test;

/**
 * A stall of the whole cluster is not a lost leader: every node's tasks stop at once for one and a half
 * election timeouts (the same GC pause in every JVM, as three replicas of the same load get it) and
 * then run again. Followers, whose own core did not run, count at most half an election timeout of
 * that gap, so they hear the leader's next heartbeat before their timers run out: nobody campaigns,
 * the term and the leader stay. (Before, a follower counted the whole gap at once and, with a
 * randomized timeout under one and a half election timeouts, campaigned: in most seeds some did.)
 */
class StarvedCoreScenarioTest {

    private static final RaftConfig CONFIG = SimOptions.smallConfigWithoutSnapshots();
    private static final long ELECTION_TIMEOUT_NANOS = CONFIG.electionTimeoutMillis() * 1_000_000L;

    @Test
    void aClusterWidePauseLongerThanTheElectionTimeoutChangesNoLeader() {
        for (long seed = 1801; seed <= 1808; seed++) {
            Simulation sim = sim(seed, 3, 0, CONFIG);
            SimNode leader = sim.node(ackedWrite(sim, "k", "v", false).target.id);
            sim.steps(400, false);
            assertThat(leader.engine().role()).isEqualTo(Role.LEADER);
            long term = leader.engine().term();

            for (SimNode node : sim.nodes()) {
                sim.pause(node.id, 3 * ELECTION_TIMEOUT_NANOS / 2);
            }
            long resumeAt = sim.now() + 3 * ELECTION_TIMEOUT_NANOS / 2;
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
