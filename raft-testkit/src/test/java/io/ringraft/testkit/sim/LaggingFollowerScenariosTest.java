package io.ringraft.testkit.sim;

import static io.ringraft.testkit.sim.ScenarioSupport.ELECTION_STEPS;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.RaftConfig;
import org.junit.jupiter.api.Test;

/**
 * Issue 20, "snapshots that finish": a follower that fell behind catches up while the leader keeps
 * writing and taking snapshots. The transfer keeps its snapshot to the end (the leader does not start
 * over with each newer one), the leader keeps its log from that snapshot's index meanwhile (within
 * {@code followerRetentionEntries}), so the follower continues from the log after one install; and a
 * short pause needs no snapshot at all.
 */
class LaggingFollowerScenariosTest {

    private static final int LOAD_STEPS = 600_000;

    /**
     * Snapshots every 16 entries with a tail of 4, 16-byte chunks (a transfer takes many round trips,
     * during which the leader takes several newer snapshots), {@code retention} entries kept for followers.
     */
    private static RaftConfig config(long retention) {
        return SimOptions.smallBuilder().snapshotIntervalEntries(16).snapshotLogTailEntries(4).snapshotChunkBytes(16)
                .followerRetentionEntries(retention).build();
    }

    /** A scripted simulation (as {@link ScenarioSupport#sim}) whose clients write {@code keys} keys. */
    private static KvSimulation sim(long seed, int clients, int keys, RaftConfig config) {
        KvSimulation sim = new KvSimulation(seed, new SimOptions(3, 0, 30_000, clients, keys, false, false, false, false,
                false, false, config));
        for (SimNode node : sim.nodes()) {
            node.slowDisk = 0;
        }
        return sim;
    }

    private static SimNode follower(KvSimulation sim, SimNode leader) {
        return sim.nodes().stream().filter(n -> n != leader).findFirst().orElseThrow();
    }

    @Test
    void aFollowerBehindTheLeadersSnapshotsCatchesUpWithOneInstallUnderSustainedWrites() {
        // 300 keys: a snapshot of a few KiB, hundreds of chunks; the leader snapshots every few milliseconds.
        KvSimulation sim = sim(2011, 6, 300, config(2_000));
        sim.network().meanExtraDelayNanos = 4_000_000; // a round trip of several ms: a transfer takes seconds
        SimNode leader = sim.awaitLeader(ELECTION_STEPS, true);
        SimNode follower = follower(sim, leader);
        sim.stepUntil("most keys written", LOAD_STEPS, true, () -> leader.status().committedIndex() > 1_500);
        sim.setIsolated(follower.id, true);
        long behind = follower.engine().lastLogId().index();
        sim.stepUntil("the leader purged past the follower's log", LOAD_STEPS, true, () -> {
            SimNode current = sim.leader();
            return current == leader && current.status().purgedIndex() > behind + 16;
        });
        long restoredBefore = sim.snapshotCounts()[1];
        long chunksBefore = sim.snapshotCounts()[2];
        long snapshotsBefore = leader.status().snapshotIndex();
        sim.setIsolated(follower.id, false);
        long target = leader.status().committedIndex();

        // Writes go on throughout: the leader takes newer snapshots while the transfer runs.
        sim.stepUntil("the follower caught up", LOAD_STEPS, true,
                () -> follower.status().appliedIndex() >= target);
        assertThat(sim.leader()).as("the same leader throughout").isSameAs(leader);
        assertThat(leader.status().snapshotIndex()).as("the leader took newer snapshots meanwhile")
                .isGreaterThan(snapshotsBefore);
        assertThat(sim.snapshotCounts()[1] - restoredBefore).as("snapshots the follower installed").isEqualTo(1);

        // And it stays caught up from the log: no second install while the writes go on.
        long later = leader.status().committedIndex() + 200;
        sim.stepUntil("the follower followed 200 more entries", LOAD_STEPS, true,
                () -> follower.status().appliedIndex() >= later);
        assertThat(sim.snapshotCounts()[1] - restoredBefore).as("snapshots the follower installed").isEqualTo(1);
    }

    @Test
    void aShortPauseOfAFollowerNeedsNoSnapshotWithinTheRetention() {
        KvSimulation sim = sim(2012, 6, 6, config(10_000));
        SimNode leader = sim.awaitLeader(ELECTION_STEPS, true);
        SimNode follower = follower(sim, leader);
        long restoredBefore = sim.snapshotCounts()[1];
        sim.setIsolated(follower.id, true);
        long behind = follower.engine().lastLogId().index();
        sim.stepUntil("the leader took snapshots well past the follower's log", LOAD_STEPS, true,
                () -> leader.status().snapshotIndex() > behind + 100);
        assertThat(leader.status().purgedIndex()).as("the log the follower needs is kept").isLessThanOrEqualTo(behind);
        sim.setIsolated(follower.id, false);
        long target = leader.status().committedIndex();
        sim.stepUntil("the follower caught up", LOAD_STEPS, true, () -> follower.status().appliedIndex() >= target);
        assertThat(sim.snapshotCounts()[1] - restoredBefore).as("snapshots installed").isZero();
    }

    /**
     * A follower paused (a GC pause, SIGSTOP) while clients keep writing and the leader keeps taking
     * snapshots (every 48 entries, 16 entries of retention: it is caught up by a snapshot) catches up
     * within twice the pause. 10 s of virtual time by default; {@code -Dringraft.sim.pauseSeconds=60}
     * runs the 60 s pause of issue 20 (about a minute of real time).
     */
    @Test
    void aPausedFollowerCatchesUpWithinTwiceThePause() {
        long pauseNanos = Long.getLong("ringraft.sim.pauseSeconds", 10) * 1_000_000_000L;
        KvSimulation sim = sim(2013, 3, 6, SimOptions.smallConfig());
        SimNode leader = sim.awaitLeader(ELECTION_STEPS, true);
        SimNode follower = follower(sim, leader);
        long restoredBefore = sim.snapshotCounts()[1];
        sim.pause(follower.id, pauseNanos);
        long resumes = sim.now() + pauseNanos;
        int maxSteps = (int) Math.min(Integer.MAX_VALUE, 8 * pauseNanos / 250_000);
        sim.stepUntil("the pause ended", maxSteps, true, () -> sim.now() >= resumes);
        SimNode current = sim.leader();
        assertThat(current).as("a leader while the follower was paused").isNotNull();
        long target = current.status().committedIndex();
        assertThat(current.status().purgedIndex()).as("the leader purged past the paused follower's log")
                .isGreaterThan(follower.engine().lastLogId().index());
        sim.stepUntil("the follower caught up", maxSteps, true, () -> follower.status().appliedIndex() >= target);
        long took = sim.now() - resumes;
        System.out.printf("paused %d s: caught up %.2f s after resuming (virtual time), %d snapshot(s) installed%n",
                pauseNanos / 1_000_000_000L, took / 1e9, sim.snapshotCounts()[1] - restoredBefore);
        assertThat(took).as("catch-up time after a pause of %d ns", pauseNanos).isLessThanOrEqualTo(2 * pauseNanos);
        assertThat(sim.snapshotCounts()[1] - restoredBefore).as("installed by snapshot").isPositive();
    }

    /**
     * {@code snapshotSendBytesPerSecond} paces a transfer: the snapshot takes at least its size over
     * the rate to arrive (virtual time, so exact), where unpaced it takes a few round trips.
     */
    @Test
    void aPacedTransferTakesAtLeastItsSizeOverTheRate() throws Exception {
        long rate = 4_000; // bytes per second
        RaftConfig paced = SimOptions.smallBuilder().snapshotIntervalEntries(16).snapshotLogTailEntries(4)
                .snapshotChunkBytes(256).followerRetentionEntries(0).snapshotSendBytesPerSecond(rate).build();
        KvSimulation sim = sim(2014, 6, 300, paced);
        SimNode leader = sim.awaitLeader(ELECTION_STEPS, true);
        SimNode follower = follower(sim, leader);
        sim.stepUntil("most keys written", LOAD_STEPS, true, () -> leader.status().committedIndex() > 1_500);
        sim.setIsolated(follower.id, true);
        long behind = follower.engine().lastLogId().index();
        sim.stepUntil("the leader purged past the follower's log", LOAD_STEPS, true,
                () -> leader.status().purgedIndex() > behind + 16);
        long restoredBefore = sim.snapshotCounts()[1];
        sim.setIsolated(follower.id, false);
        long healed = sim.now();
        sim.stepUntil("the follower installed a snapshot", 4 * LOAD_STEPS, false,
                () -> sim.snapshotCounts()[1] > restoredBefore);
        long took = sim.now() - healed;
        long size = follower.snapshots.latest().orElseThrow().sizeBytes();
        // every chunk but the first waits for the previous one's time at the rate
        long atLeast = (size - 256) * 1_000_000_000L / rate;
        assertThat(size).as("snapshot bytes").isGreaterThan(2_000);
        assertThat(took).as("transfer of %d bytes at %d B/s, ns", size, rate).isGreaterThanOrEqualTo(atLeast);
    }

    /**
     * {@code catchUpBytesPerSecond} paces the entries a leader reads back from its log for a follower
     * far behind (the ring no longer holds them): the follower still catches up, and takes much longer
     * than unpaced on the same seed (virtual time). Logs keep every entry, so it catches up from the log.
     */
    @Test
    void aPacedCatchUpFromTheLogIsSlowerButFinishes() {
        long unpaced = catchUpNanos(0);
        long paced = catchUpNanos(2_000); // bytes per second of payload
        System.out.printf("catch-up of 1,000 entries from the log: unpaced %.2f s, paced at 2,000 B/s %.2f s (virtual)%n",
                unpaced / 1e9, paced / 1e9);
        assertThat(unpaced).as("unpaced catch-up, ns").isPositive();
        assertThat(paced).as("paced at 2,000 B/s vs unpaced %d ns", unpaced)
                .isGreaterThan(Math.max(1_000_000_000L, 5 * unpaced));
    }

    /** Virtual time for an isolated follower to catch up 1,000 entries behind, from the leader's log. */
    private static long catchUpNanos(long rate) {
        RaftConfig config = SimOptions.smallBuilder().snapshotIntervalEntries(0).snapshotIntervalBytes(0)
                .catchUpBytesPerSecond(rate).build();
        KvSimulation sim = sim(2016, 3, 6, config);
        SimNode leader = sim.awaitLeader(ELECTION_STEPS, true);
        SimNode follower = follower(sim, leader);
        sim.setIsolated(follower.id, true);
        long behind = follower.engine().lastLogId().index();
        sim.stepUntil("the leader wrote 1,000 entries past the isolated follower", LOAD_STEPS, true,
                () -> leader.status().committedIndex() > behind + 1_000);
        sim.setIsolated(follower.id, false);
        long healed = sim.now();
        long target = sim.leader().status().committedIndex();
        sim.stepUntil("the follower caught up", 4 * LOAD_STEPS, true, () -> follower.status().appliedIndex() >= target);
        return sim.now() - healed;
    }

    /**
     * A learner added to a cluster whose leader purged its log starts receiving the leader's snapshot
     * within a second of the configuration entry (the transfer begins on the first probe, not after
     * timeouts). Virtual time: the network and the transport's connection set-up are not in it.
     */
    @Test
    void aNewLearnerStartsReceivingTheSnapshotWithinOneSecond() {
        KvSimulation sim = new KvSimulation(2015, new SimOptions(3, 0, 30_000, 3, 6, false, false, false, false, false,
                false, SimOptions.smallConfig(), 1));
        for (SimNode node : sim.nodes()) {
            node.slowDisk = 0;
        }
        SimNode leader = sim.awaitLeader(ELECTION_STEPS, true);
        sim.stepUntil("the leader purged its log", LOAD_STEPS, true, () -> leader.status().purgedIndex() > 100);
        SimNode learner = sim.node(4);
        java.util.concurrent.CompletableFuture<Void> added = new java.util.concurrent.CompletableFuture<>();
        assertThat(leader.runtime().tryChangeMembership(new long[] {1, 2, 3}, new long[] {4}, added)).isTrue();
        long asked = sim.now();
        sim.stepUntil("the learner installed the leader's snapshot", LOAD_STEPS, true,
                () -> learner.status().snapshotIndex() > 0);
        long took = sim.now() - asked;
        assertThat(took).as("from the change to the installed snapshot, ns").isLessThan(1_000_000_000L);
    }
}
