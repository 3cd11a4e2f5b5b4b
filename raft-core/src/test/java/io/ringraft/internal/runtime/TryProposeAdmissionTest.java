package io.ringraft.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.Admission;
import io.ringraft.api.NodeStoppedException;
import io.ringraft.api.NotLeaderException;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftNode;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.local.LocalNetwork;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.Agent;
import org.junit.jupiter.api.Test;

/**
 * {@code tryPropose} says why it refused a proposal ({@link Admission}), and the listener hears only of
 * the proposals it accepted. Deterministic: the node's tasks run only when the test steps them
 * ({@code externalScheduling}), so the queue fills because nothing drains it.
 */
class TryProposeAdmissionTest {

    private static final int MAX_ENTRY = 1024;
    private static final RaftConfig CONFIG = RaftConfig.builder().tickMillis(1).heartbeatIntervalMillis(2)
            .electionTimeoutMillis(4).maxEntryBytes(MAX_ENTRY).proposalQueueBytes(16 << 10).build();

    @Test
    void eachRefusalSaysWhyAndOnlyAcceptedProposalsAreReported() throws Exception {
        ProposalReports reports = new ProposalReports();
        byte[] command = new byte[MAX_ENTRY + 1];
        RaftNode node = RaftNode.builder().nodeId(1).voters(1).config(CONFIG)
                .stateMachine((entries, results) -> { }).proposalListener(reports)
                .logStorage(new InMemoryLogStorage()).transport(new LocalNetwork()).externalScheduling().build();
        long id = 0;
        try {
            node.start();
            assertThat(node.tryPropose(command, 0, MAX_ENTRY + 1, ++id)).isEqualTo(Admission.TOO_LARGE);
            assertThat(node.tryPropose(command, 0, 8, ++id)).as("before it was elected")
                    .isEqualTo(Admission.NOT_LEADER);
            CompletableFuture<Object> notLeader = node.propose(new byte[8]);
            assertThat(notLeader).isCompletedExceptionally();
            assertThat(cause(notLeader)).isInstanceOf(NotLeaderException.class);

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!node.status().isLeader()) {
                stepAll(node);
                assertThat(System.nanoTime() - deadline).as("the node leads").isNegative();
            }
            long firstAccepted = id + 1;
            Admission admission;
            while ((admission = node.tryPropose(command, 0, MAX_ENTRY, ++id)) == Admission.ACCEPTED) {
                assertThat(id - firstAccepted).as("the queue fills: nothing drains it").isLessThan(100);
            }
            assertThat(admission).isEqualTo(Admission.QUEUE_FULL);
            long lastAccepted = id - 1;
            assertThat(lastAccepted).isGreaterThanOrEqualTo(firstAccepted);
        } finally {
            node.close();
        }
        assertThat(node.tryPropose(command, 0, 8, ++id)).isEqualTo(Admission.STOPPED);
        assertThat(cause(node.propose(new byte[8]))).isInstanceOf(NodeStoppedException.class);
        for (long refused : new long[] {1, 2, id - 1, id}) {
            assertThat(reports.of(refused)).as("listener calls for refused proposal %d", refused).isEmpty();
        }
        for (long accepted = 3; accepted < id - 1; accepted++) {
            assertThat(reports.of(accepted)).as("listener calls for accepted proposal %d", accepted).hasSize(1);
        }
    }

    private static Throwable cause(CompletableFuture<Object> future) throws InterruptedException {
        try {
            future.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the future did not complete", e);
        }
        throw new AssertionError("the future succeeded");
    }

    private static void stepAll(RaftNode node) throws Exception {
        for (Agent agent : node.agents()) {
            agent.doWork();
        }
    }
}
