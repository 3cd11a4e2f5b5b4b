package io.ringraft.readme;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.RaftNode;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.local.LocalNetwork;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.StateMachine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Keeps the embedding example of README.md true: the same code, using only public API. */
class ReadmeEmbeddingExampleTest {

    // --- README state machine starts
    /** Counts the commands it applied; each command's result is the new count. */
    static final class Counter implements StateMachine {
        private long count;

        @Override
        public void apply(LogEntries commands, ApplyResults results) {
            for (int i = 0; i < commands.count(); i++) {
                results.set(i, ++count);
            }
        }
    }
    // --- README state machine ends

    @Test
    void threeNodesAgreeOnACounter() throws Exception {
        // --- README example starts
        LocalNetwork network = new LocalNetwork();          // in-process; Netty TCP comes in raft-net-netty
        List<RaftNode> nodes = new ArrayList<>();
        for (long id = 1; id <= 3; id++) {
            RaftNode node = RaftNode.builder()
                    .nodeId(id).voters(1, 2, 3)
                    .stateMachine(new Counter())
                    .logStorage(new InMemoryLogStorage())   // or a durable LogStorage
                    .transport(network)
                    .build();
            node.start();
            nodes.add(node);
        }
        long leaderId = nodes.get(0).awaitLeader(Duration.ofSeconds(10)); // parks until a leader serves
        RaftNode leader = nodes.get((int) leaderId - 1);    // ids 1..3 at positions 0..2
        Object count = leader.propose(new byte[] {1}).get(10, TimeUnit.SECONDS);
        // --- README example ends

        assertThat(count).isEqualTo(1L);
        assertThat(leader.isLeader()).isTrue();
        nodes.forEach(RaftNode::close);
    }
}
