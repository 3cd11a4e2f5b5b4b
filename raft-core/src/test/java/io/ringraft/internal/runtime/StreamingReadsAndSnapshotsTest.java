package io.ringraft.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.api.LogId;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftNode;
import io.ringraft.api.RejectedException;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.local.InMemorySnapshotStore;
import io.ringraft.local.LocalNetwork;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.agrona.concurrent.Agent;
import org.junit.jupiter.api.Test;

/**
 * Linearizable reads and snapshots of a streaming state machine wait for its reported progress, not for
 * what it was handed: a read whose index the state machine never reports gives up (and one it reports
 * is answered from the reported state); a snapshot asked for while commands are unreported is taken
 * only once they are reported, holds exactly them, and nothing more is handed over meanwhile.
 */
class StreamingReadsAndSnapshotsTest {

    @Test
    void aReadIsAnsweredOnlyOnceReportedProgressReachesItsIndex() throws Exception {
        HeldStreamingStateMachine machine = new HeldStreamingStateMachine();
        try (RaftNode node = StreamingResultsTest.singleNode(machine, null)) {
            StreamingResultsTest.awaitLeader(node);
            CompletableFuture<Object> write = node.propose(new byte[] {5});
            machine.awaitHandedOver(1);

            // Its read index is the committed write, which the state machine was handed but never reports:
            // the node refuses the read once it waited ten election timeouts for the progress.
            CompletableFuture<Object> unreported = node.read(new byte[0]);
            assertThatThrownBy(() -> unreported.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(RejectedException.class);
            assertThat(write).isNotDone();

            CompletableFuture<Object> read = node.read(new byte[0]);
            machine.applyAndReportAll();
            assertThat(read.get(10, TimeUnit.SECONDS)).as("the state with the write").isEqualTo(5L);
            assertThat(write.get(10, TimeUnit.SECONDS)).isNotNull();
        }
    }

    @Test
    void aSnapshotWaitsForReportedProgressAndHoldsExactlyIt() throws Exception {
        RaftConfig config = RaftConfig.builder().tickMillis(5).heartbeatIntervalMillis(10).electionTimeoutMillis(50)
                .snapshotIntervalEntries(0).snapshotIntervalBytes(0).build();
        HeldStreamingStateMachine machine = new HeldStreamingStateMachine();
        // Scheduled by this test, one duty cycle of every task at a time: "not yet" below is exact.
        try (RaftNode node = RaftNode.builder().nodeId(1).voters(1).config(config).streamingStateMachine(machine)
                .logStorage(new InMemoryLogStorage()).snapshotStore(new InMemorySnapshotStore(2))
                .transport(new LocalNetwork()).externalScheduling().build()) {
            node.start();
            stepUntil(node, "node 1 leads", () -> node.status().isLeader());
            CompletableFuture<Object> first = node.propose(new byte[] {3});
            stepUntil(node, "the command is handed over", () -> machine.handedOver() == 1);
            long index = machine.firstHeldIndex();

            CompletableFuture<LogId> snapshot = node.takeSnapshot();
            CompletableFuture<Object> second = node.propose(new byte[] {4});
            stepUntil(node, "the second command is committed", () -> node.status().committedIndex() == index + 1);
            steps(node, 100);
            assertThat(machine.heldAtSnapshot).as("the state machine was not asked for a snapshot").isEqualTo(-1);
            assertThat(snapshot).isNotDone();
            assertThat(machine.handedOver()).as("nothing more handed over while the snapshot waits").isEqualTo(1);

            machine.applyAndReportAll();
            stepUntil(node, "the snapshot is taken", snapshot::isDone);
            assertThat(snapshot.get().index()).isEqualTo(index);
            assertThat(machine.heldAtSnapshot).as("batches held when the node asked for the snapshot").isZero();
            assertThat(first.get()).isEqualTo("r" + index);

            stepUntil(node, "the second command is handed over", () -> machine.handedOver() == 2);
            machine.applyAndReportAll();
            stepUntil(node, "the second command completes", second::isDone);
            assertThat(second.get()).isEqualTo("r" + (index + 1));
        }
    }

    private static void steps(RaftNode node, int cycles) throws Exception {
        for (int i = 0; i < cycles; i++) {
            for (Agent agent : node.agents()) {
                agent.doWork();
            }
        }
    }

    private static void stepUntil(RaftNode node, String what, BooleanSupplier done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as(what).isNegative();
            steps(node, 1);
        }
    }
}
