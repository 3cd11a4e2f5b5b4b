package io.ringraft.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.EntryKind;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftNode;
import io.ringraft.api.Vote;
import io.ringraft.local.LocalNetwork;
import io.ringraft.message.HeapLogEntries;
import io.ringraft.internal.simdisk.SimDisk;
import io.ringraft.internal.simdisk.SimLogStorage;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.Agent;
import org.junit.jupiter.api.Test;

/**
 * A node restarted on a log it still has to re-apply commits a new proposal before its applier got
 * there. The applier reads the old entries from storage; it must take the new one from the ring, the
 * only place that knows whose proposal it is, or the proposer's future never completes (found by
 * DurableTcpClusterTest under load).
 */
class RestartProposalTest {

    @Test
    void aProposalCommittedWhileTheApplierStillReplaysTheLogCompletes() throws Exception {
        SimDisk disk = new SimDisk();
        try (SimLogStorage before = new SimLogStorage(disk)) {
            before.open();
            before.saveVote(new Vote(1, 1));
            HeapLogEntries.Builder entries = HeapLogEntries.builder(1);
            for (int i = 0; i < 100; i++) {
                entries.add(1, EntryKind.COMMAND, new byte[] {(byte) i});
            }
            before.append(entries.build());
            before.flush();
        }
        RaftConfig config = RaftConfig.builder().tickMillis(1).heartbeatIntervalMillis(2).electionTimeoutMillis(4)
                .build();
        try (RaftNode node = RaftNode.builder().nodeId(1).voters(1).config(config)
                .stateMachine((batch, results) -> {
                    for (int i = 0; i < batch.count(); i++) {
                        results.set(i, batch.firstIndex() + i);
                    }
                })
                .logStorage(new SimLogStorage(disk)).transport(new LocalNetwork()).externalScheduling().build()) {
            node.start();
            // Run everything but the applier until the node leads and committed a new proposal.
            CompletableFuture<Object> proposal = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (proposal == null || node.status().committedIndex() < 102) {
                for (Agent agent : node.agents()) {
                    if (!agent.roleName().contains("applier")) {
                        agent.doWork();
                    }
                }
                if (proposal == null && node.status().isLeader()) {
                    proposal = node.propose(new byte[] {42});
                }
                assertThat(System.nanoTime()).as("the node leads and commits").isLessThan(deadline);
            }
            assertThat(node.status().appliedIndex()).as("nothing applied yet").isZero();
            // Now the applier catches up: old entries from storage, the new one from the ring.
            while (!proposal.isDone()) {
                for (Agent agent : node.agents()) {
                    agent.doWork();
                }
                assertThat(System.nanoTime()).as("the proposal completes").isLessThan(deadline);
            }
            assertThat(proposal.get()).isEqualTo(102L);
        }
    }
}
