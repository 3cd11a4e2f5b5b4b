package io.ringraft.net.netty;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A 3-node RaftNode cluster over loopback TCP: elects, replicates, survives a follower and a leader restarting. */
class NettyClusterTest {

    private final TestCluster cluster = new TestCluster(3, UnaryOperator.identity());

    @AfterEach
    void close() {
        cluster.close();
    }

    @Test
    void electsReplicatesAndSurvivesRestartingAFollowerAndTheLeader() throws Exception {
        cluster.start();
        List<String> committed = new ArrayList<>();
        proposeBatch(committed, "first", 50);
        cluster.awaitConverged(committed);

        // a follower dies; the other two keep committing; it restarts over its storage and catches up
        int leader = cluster.awaitLeader();
        int follower = leader % 3 + 1;
        cluster.kill(follower);
        proposeBatch(committed, "without-follower", 30);
        cluster.restart(follower);
        proposeBatch(committed, "follower-back", 10);
        cluster.awaitConverged(committed);
        assertThat(cluster.machine(follower).applied).containsAll(committed);

        // the leader dies; the others elect a new one and commit; the old leader restarts and catches up
        int oldLeader = cluster.awaitLeader();
        cluster.kill(oldLeader);
        int newLeader = cluster.awaitLeader();
        assertThat(newLeader).isNotEqualTo(oldLeader);
        proposeBatch(committed, "new-leader", 30);
        cluster.restart(oldLeader);
        proposeBatch(committed, "all-back", 10);
        cluster.awaitConverged(committed);
        assertThat(cluster.machine(oldLeader).applied).containsAll(committed);

        for (int id = 1; id <= 3; id++) {
            TransportStats stats = cluster.transport(id).stats();
            assertThat(stats.protocolErrors()).as("protocol errors of node %d", id).isZero();
            assertThat(stats.handshakesRefused()).isZero();
        }
    }

    private void proposeBatch(List<String> committed, String prefix, int count) throws InterruptedException {
        for (int i = 0; i < count; i++) {
            String command = prefix + "-" + i;
            cluster.propose(command);
            committed.add(command);
        }
    }
}
