package io.ringraft.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftNode;
import io.ringraft.api.RaftStatus;
import io.ringraft.api.Role;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.local.LocalNetwork;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.junit.jupiter.api.Test;

/** Three nodes whose tasks all run on one application-owned thread, with a state listener. */
class SharedThreadClusterTest {

    @Test
    void nodesOnOneSharedThreadElectAndCommitAndReportStateChanges() throws Exception {
        LocalNetwork network = new LocalNetwork();
        RaftConfig config = RaftConfig.builder().tickMillis(5).heartbeatIntervalMillis(20)
                .electionTimeoutMillis(150).ringCapacityEntries(256).ringCapacityBytes(1 << 20)
                .maxEntryBytes(4096).proposalQueueBytes(1 << 16).build();
        List<RaftStatus> changes = new CopyOnWriteArrayList<>();
        List<RaftNode> nodes = new ArrayList<>();
        List<Agent> agents = new ArrayList<>();
        for (long id = 1; id <= 3; id++) {
            RaftNode node = RaftNode.builder().nodeId(id).voters(1, 2, 3).config(config)
                    .stateMachine(new LocalClusterTest.RecordingStateMachine())
                    .logStorage(new InMemoryLogStorage()).transport(network).randomSeed(id)
                    .externalScheduling().stateListener(changes::add).build();
            nodes.add(node);
            agents.addAll(node.agents());
        }
        nodes.forEach(RaftNode::start);
        AgentRunner runner = new AgentRunner(new SleepingMillisIdleStrategy(1), Throwable::printStackTrace, null,
                new CompositeAgent(agents));
        AgentRunner.startOnThread(runner);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            RaftNode leader = null;
            while (leader == null && System.nanoTime() < deadline) {
                leader = nodes.stream().filter(n -> n.status().isLeader()).findFirst().orElse(null);
                Thread.onSpinWait();
            }
            assertThat(leader).as("a leader within 20 s").isNotNull();
            assertThat(leader.propose(new byte[] {7}).get(20, TimeUnit.SECONDS)).isNotNull();
            long leaderId = leader.nodeId();
            assertThat(changes).anySatisfy(status -> {
                assertThat(status.role()).isEqualTo(Role.LEADER);
                assertThat(status.nodeId()).isEqualTo(leaderId);
            });
        } finally {
            runner.close();
            nodes.forEach(RaftNode::close);
        }
    }
}
