package io.ringraft.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.Admission;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftNode;
import io.ringraft.api.RejectedException;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.local.LocalNetwork;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A streaming state machine that does not report is back-pressure, never memory growth (real threads,
 * one node): it is handed at most {@code maxApplyBatchesInFlight} batches, the unreported entries fill the
 * ring, then the proposal queue, and from then on proposals are refused ({@code RejectedException},
 * {@code tryPropose} {@code QUEUE_FULL}) while what the node holds stays within the ring and the queue. Once the
 * state machine reports, every accepted proposal completes with its result.
 */
class StreamingBackPressureTest {

    private static final int RING = 64;
    private static final int QUEUE_BYTES = 8 << 10;
    private static final int BATCHES = 2;
    private static final int BATCH_ENTRIES = 8;

    @Test
    void anUnreportingStateMachineMakesProposalsRefusedWithBoundedHoldings() throws Exception {
        RaftConfig config = RaftConfig.builder().tickMillis(5).heartbeatIntervalMillis(10).electionTimeoutMillis(50)
                .ringCapacityEntries(RING).ringCapacityBytes(16 << 10).maxEntryBytes(512)
                .proposalQueueBytes(QUEUE_BYTES).batchEntries(BATCH_ENTRIES).maxApplyBatchesInFlight(BATCHES)
                .build();
        HeldStreamingStateMachine machine = new HeldStreamingStateMachine();
        ProposalReports reports = new ProposalReports();
        try (RaftNode node = RaftNode.builder().nodeId(1).voters(1).config(config).streamingStateMachine(machine)
                .proposalListener(reports).logStorage(new InMemoryLogStorage()).transport(new LocalNetwork())
                .build()) {
            node.start();
            StreamingResultsTest.awaitLeader(node);

            List<CompletableFuture<Object>> accepted = new ArrayList<>();
            long refusedFutures = 0;
            long refusedListener = 0;
            long acceptedListener = 0;
            byte[] command = new byte[] {1};
            for (int i = 0; i < 200_000 && (refusedFutures < 1_000 || refusedListener < 1_000); i++) {
                CompletableFuture<Object> future = node.propose(new byte[] {1});
                if (future.isCompletedExceptionally()) {
                    assertThat(causeOf(future)).isInstanceOf(RejectedException.class);
                    refusedFutures++;
                } else {
                    accepted.add(future);
                }
                Admission admission = node.tryPropose(command, 0, 1, acceptedListener + 1);
                if (admission.accepted()) {
                    acceptedListener++;
                } else {
                    assertThat(admission).as("why tryPropose refused").isEqualTo(Admission.QUEUE_FULL);
                    refusedListener++;
                }
            }
            assertThat(refusedFutures).as("propose refused by back-pressure").isGreaterThanOrEqualTo(1_000);
            assertThat(refusedListener).as("tryPropose refused by back-pressure").isGreaterThanOrEqualTo(1_000);
            // Every accepted proposal sits in the ring or the proposal queue (a record there takes at least
            // 16 bytes: header and correlation id); the state machine holds at most the configured batches.
            assertThat(accepted.size() + acceptedListener).isLessThanOrEqualTo(RING + QUEUE_BYTES / 16);
            assertThat(machine.heldBatches()).isLessThanOrEqualTo(BATCHES);
            assertThat(machine.handedOver()).isLessThanOrEqualTo((long) BATCHES * BATCH_ENTRIES);
            assertThat(node.status().appliedIndex()).as("nothing reported, nothing applied but the no-op")
                    .isEqualTo(1);

            // The state machine catches up: every accepted proposal completes with its result, once.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (reports.appliedCount() < acceptedListener || !accepted.stream().allMatch(CompletableFuture::isDone)) {
                machine.applyAndReportAll();
                assertThat(System.nanoTime() - deadline).as("every accepted proposal completes").isNegative();
                Thread.sleep(1);
            }
            for (CompletableFuture<Object> future : accepted) {
                assertThat(future.get()).asString().startsWith("r");
            }
            assertThat(reports.failedCount()).isZero();
            for (long correlation = 1; correlation <= acceptedListener; correlation++) {
                assertThat(reports.of(correlation)).hasSize(1);
            }
            assertThat(machine.sum()).isEqualTo(accepted.size() + acceptedListener);
        }
    }

    private static Throwable causeOf(CompletableFuture<Object> future) {
        try {
            future.join();
            return null;
        } catch (java.util.concurrent.CompletionException e) {
            return e.getCause();
        }
    }
}
