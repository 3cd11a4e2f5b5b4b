package io.ringraft.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.api.Admission;
import io.ringraft.api.IndeterminateException;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftNode;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.local.LocalNetwork;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A streaming state machine on real threads (one node, its own quorum): a proposal's result reaches its
 * proposer only once the state machine's reported progress passes the proposal's entry, and a state
 * machine that reports after the node closed never causes a second completion.
 */
class StreamingResultsTest {

    static final RaftConfig CONFIG = RaftConfig.builder().tickMillis(5).heartbeatIntervalMillis(10)
            .electionTimeoutMillis(50).build();

    static RaftNode singleNode(HeldStreamingStateMachine machine, ProposalReports listener) {
        RaftNode.Builder builder = RaftNode.builder().nodeId(1).voters(1).config(CONFIG)
                .streamingStateMachine(machine).logStorage(new InMemoryLogStorage()).transport(new LocalNetwork());
        if (listener != null) {
            builder.proposalListener(listener);
        }
        RaftNode node = builder.build();
        node.start();
        return node;
    }

    static void awaitLeader(RaftNode node) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!node.status().isLeader()) {
            assertThat(System.nanoTime() - deadline).as("node 1 leads").isNegative();
            Thread.sleep(1);
        }
    }

    @Test
    void resultsReachProposersOnlyAsReportedProgressPassesThem() throws Exception {
        HeldStreamingStateMachine machine = new HeldStreamingStateMachine();
        try (RaftNode node = singleNode(machine, null)) {
            awaitLeader(node);
            CompletableFuture<Object> first = node.propose(new byte[] {1});
            CompletableFuture<Object> second = node.propose(new byte[] {2});
            CompletableFuture<Object> third = node.propose(new byte[] {3});
            machine.awaitHandedOver(3);
            long firstIndex = machine.firstHeldIndex();
            assertThat(node.status().appliedIndex()).as("applied follows reported progress, not hand-over")
                    .isLessThan(firstIndex);

            machine.progress().result(firstIndex, "one");
            machine.progress().applied(firstIndex);
            assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("one");
            // Completed in order on the applier thread: had the others completed without progress, they
            // would have completed before the first.
            assertThat(second).isNotDone();
            assertThat(third).isNotDone();
            // The applier publishes applied right after completing the proposals up to it: wait for that.
            CloseReportsEveryProposalTest.await("applied reaches the reported entry",
                    () -> node.status().appliedIndex() >= firstIndex);
            assertThat(node.status().appliedIndex()).isEqualTo(firstIndex);
            assertThat(second).isNotDone();

            machine.progress().result(firstIndex + 1, "two");
            machine.progress().result(firstIndex + 2, "three");
            machine.progress().applied(firstIndex + 2); // one report for many
            assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo("two");
            assertThat(third.get(10, TimeUnit.SECONDS)).isEqualTo("three");
        }
    }

    @Test
    void theStateMachineCannotReportBeyondWhatItWasHanded() throws Exception {
        HeldStreamingStateMachine machine = new HeldStreamingStateMachine();
        try (RaftNode node = singleNode(machine, null)) {
            awaitLeader(node);
            CompletableFuture<Object> proposal = node.propose(new byte[] {1});
            machine.awaitHandedOver(1);
            long index = machine.firstHeldIndex();
            assertThatThrownBy(() -> machine.progress().applied(index + 1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> machine.progress().result(index + 1, "x"))
                    .isInstanceOf(IllegalArgumentException.class);
            machine.applyAndReportAll();
            assertThat(proposal.get(10, TimeUnit.SECONDS)).isEqualTo("r" + index);
            assertThatThrownBy(() -> machine.progress().result(index, "late"))
                    .as("a result after progress passed its entry").isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void progressReportedAfterCloseCompletesNothingTwice() throws Exception {
        HeldStreamingStateMachine machine = new HeldStreamingStateMachine();
        ProposalReports reports = new ProposalReports();
        RaftNode node = singleNode(machine, reports);
        CompletableFuture<Object> future;
        try {
            awaitLeader(node);
            future = node.propose(new byte[] {1});
            byte[] command = new byte[] {2};
            for (long correlation = 1; correlation <= 3; correlation++) {
                assertThat(node.tryPropose(command, 0, 1, correlation)).isEqualTo(Admission.ACCEPTED);
            }
            machine.awaitHandedOver(4);
        } finally {
            node.close();
        }
        // Handed over, never reported: the close reported each as possibly taken effect, once.
        assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IndeterminateException.class);
        for (long correlation = 1; correlation <= 3; correlation++) {
            assertThat(reports.of(correlation)).hasSize(1);
            assertThat(reports.of(correlation).get(0).failure()).isInstanceOf(IndeterminateException.class);
        }
        // The state machine catches up late: every task of the node has stopped, so nothing may complete
        // now, on this thread or any other.
        machine.applyAndReportAll();
        for (long correlation = 1; correlation <= 3; correlation++) {
            assertThat(reports.of(correlation)).as("reports for correlation %s", correlation).hasSize(1);
        }
        assertThat(node.status().appliedIndex()).as("applied stays where the node stopped").isLessThan(2);
    }
}
