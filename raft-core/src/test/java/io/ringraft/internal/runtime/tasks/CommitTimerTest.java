package io.ringraft.internal.runtime.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.spi.RaftMetrics;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommitTimerTest {

    /** The (latency, count) pairs reported. */
    private final List<long[]> reported = new ArrayList<>();
    private final RaftMetrics metrics = new RaftMetrics() {
        @Override
        public void proposalsCommitted(long latencyNanos, int proposals) {
            reported.add(new long[] {latencyNanos, proposals});
        }
    };

    @Test
    void aBatchIsReportedOnceWhenTheCommitIndexPassesItsLastEntry() {
        CommitTimer timer = new CommitTimer();
        timer.placed(10, 10, 1_000);
        timer.placed(15, 5, 2_000);
        timer.committed(9, 3_000, metrics);
        assertThat(reported).isEmpty();
        timer.committed(12, 4_000, metrics);
        assertThat(reported).containsExactly(new long[] {3_000, 10});
        timer.committed(20, 9_000, metrics);
        timer.committed(25, 10_000, metrics);
        assertThat(reported).containsExactly(new long[] {3_000, 10}, new long[] {7_000, 5});
        assertThat(timer.pending()).isZero();
    }

    @Test
    void aFullTableMergesNewBatchesIntoTheNewestKeepingTheCountsExact() {
        CommitTimer timer = new CommitTimer();
        for (int i = 1; i <= CommitTimer.BATCHES + 3; i++) {
            timer.placed(i, 1, i * 100L);
        }
        assertThat(timer.pending()).isEqualTo(CommitTimer.BATCHES);
        timer.committed(CommitTimer.BATCHES + 3, 100_000, metrics);
        assertThat(reported).hasSize(CommitTimer.BATCHES);
        assertThat(reported.stream().mapToLong(r -> r[1]).sum()).isEqualTo(CommitTimer.BATCHES + 3);
        long[] newest = reported.get(reported.size() - 1);
        assertThat(newest[1]).as("the newest batch took the three that did not fit").isEqualTo(4);
        assertThat(newest[0]).as("timed from the newest batch's own placement").isEqualTo(100_000 - CommitTimer.BATCHES * 100L);
    }

    @Test
    void clearForgetsTheBatchesOfALostLeadership() {
        CommitTimer timer = new CommitTimer();
        timer.placed(5, 5, 1_000);
        timer.clear();
        timer.committed(100, 2_000, metrics);
        assertThat(reported).isEmpty();
        timer.placed(7, 1, 3_000);
        timer.committed(7, 3_500, metrics);
        assertThat(reported).containsExactly(new long[] {500, 1});
    }

    @Test
    void theTablesAreHandedBackOnlyWhileNoBatchWaits() {
        CommitTimer timer = new CommitTimer();
        assertThat(timer.releaseIdle()).as("nothing allocated yet").isFalse();
        timer.placed(10, 10, 1_000);
        assertThat(timer.releaseIdle()).as("a batch waits").isFalse();
        timer.committed(10, 3_000, metrics);
        assertThat(timer.releaseIdle()).isTrue();
        assertThat(timer.pending()).isZero();
        timer.placed(12, 2, 4_000);
        timer.committed(12, 4_500, metrics);
        assertThat(reported).hasSize(2);
        assertThat(reported.get(1)).containsExactly(500, 2);
    }
}
