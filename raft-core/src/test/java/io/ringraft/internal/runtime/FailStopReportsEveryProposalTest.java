package io.ringraft.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.Admission;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftNode;
import io.ringraft.api.StorageFailedException;
import io.ringraft.local.LocalNetwork;
import io.ringraft.internal.simdisk.SimDisk;
import io.ringraft.internal.simdisk.SimLogStorage;
import io.ringraft.spi.StateMachine;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.agrona.concurrent.Agent;
import org.junit.jupiter.api.Test;

/**
 * A fail-stop while the applier is inside a batch: the core notices the failure first, the applier then
 * finishes its batch. Every {@code tryPropose} proposal must still be reported exactly once: the batch's
 * as applied (by the applier), the rest as failed (once every task stopped). The core used to report
 * everything above {@code applied} at once, including the batch the applier then reported again.
 *
 * <p>Deterministic: the tasks are stepped on the test's thread ({@code externalScheduling}); the state
 * machine itself makes the storage fail and runs the core while the applier is in the middle of the batch.
 */
class FailStopReportsEveryProposalTest {

    private static final int PROPOSALS = 20;

    @Test
    void aFailStopDuringAnApplyReportsEveryProposalExactlyOnce() {
        SimDisk disk = new SimDisk();
        ProposalReports reports = new ProposalReports();
        RaftNode[] holder = new RaftNode[1];
        boolean[] failed = {false};
        byte[] command = new byte[8];
        StateMachine stateMachine = (entries, results) -> {
            if (!failed[0]) {
                failed[0] = true;
                // Mid-batch: one more proposal, whose flush fails (fail-stop), and the core sees the failure.
                RaftNode node = holder[0];
                disk.failNextFlush();
                assertThat(node.tryPropose(command, 0, 8, PROPOSALS + 1)).isEqualTo(Admission.ACCEPTED);
                step(node, role -> role.contains("core"));
                step(node, role -> role.contains("log-writer"));
                assertThat(node.status().failure()).as("the flush failed").isNotNull();
                step(node, role -> role.contains("core"));
            }
            for (int i = 0; i < entries.count(); i++) {
                results.set(i, entries.firstIndex() + i);
            }
        };
        RaftConfig config = RaftConfig.builder().tickMillis(1).heartbeatIntervalMillis(2).electionTimeoutMillis(4)
                .build();
        try (RaftNode node = RaftNode.builder().nodeId(1).voters(1).config(config).stateMachine(stateMachine)
                .proposalListener(reports).logStorage(new SimLogStorage(disk)).transport(new LocalNetwork())
                .externalScheduling().build()) {
            holder[0] = node;
            node.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!node.status().isLeader()) {
                step(node, role -> true);
                assertThat(System.nanoTime()).as("the node leads").isLessThan(deadline);
            }
            for (long id = 1; id <= PROPOSALS; id++) {
                assertThat(node.tryPropose(command, 0, 8, id)).isEqualTo(Admission.ACCEPTED);
            }
            // Everything but the applier, until every proposal is committed.
            while (node.status().committedIndex() <= PROPOSALS || node.status().committedIndex()
                    < node.status().lastLogId().index()) {
                step(node, role -> !role.contains("applier"));
                assertThat(System.nanoTime()).as("the proposals commit").isLessThan(deadline);
            }
            // The applier's batch runs the failure; then every task gets a cycle to notice the stop.
            step(node, role -> role.contains("applier"));
            assertThat(failed[0]).isTrue();
            step(node, role -> true);
            for (long id = 1; id <= PROPOSALS + 1; id++) {
                var calls = reports.of(id);
                assertThat(calls).as("listener calls for proposal %d", id).hasSize(1);
                if (calls.get(0).failure() != null) {
                    assertThat(calls.get(0).failure()).isInstanceOf(StorageFailedException.class);
                }
            }
            assertThat(reports.appliedCount()).as("the batch the applier finished").isPositive();
            assertThat(reports.failedCount()).as("proposals after the batch").isPositive();
        }
        for (long id = 1; id <= PROPOSALS + 1; id++) {
            assertThat(reports.of(id)).as("listener calls for proposal %d after close()", id).hasSize(1);
        }
    }

    private static void step(RaftNode node, Predicate<String> which) {
        try {
            stepAgents(node, which);
        } catch (Exception e) {
            throw new AssertionError("a task threw", e);
        }
    }

    private static void stepAgents(RaftNode node, Predicate<String> which) throws Exception {
        for (Agent agent : node.agents()) {
            if (which.test(agent.roleName())) {
                agent.doWork();
            }
        }
    }
}
