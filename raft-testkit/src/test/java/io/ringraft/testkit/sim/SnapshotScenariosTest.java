package io.ringraft.testkit.sim;

import static io.ringraft.testkit.sim.ScenarioSupport.ELECTION_STEPS;
import static io.ringraft.testkit.sim.ScenarioSupport.ackedWrite;
import static io.ringraft.testkit.sim.ScenarioSupport.converge;
import static io.ringraft.testkit.sim.ScenarioSupport.randomMode;
import static io.ringraft.testkit.sim.ScenarioSupport.read;
import static io.ringraft.testkit.sim.ScenarioSupport.restartChecked;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.LogId;
import io.ringraft.api.RaftConfig;
import io.ringraft.spi.SnapshotInfo;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Snapshots and log compaction on the simulator (catalogue D40, E42-E48): the real runtime with its
 * snapshot task and installer, virtual time, simulated disks and network, and in-memory snapshot stores
 * that keep committed snapshots across crashes. {@link SafetyChecker} checks after every step that a
 * snapshot taken or restored at index {@code i} holds exactly the state every node had after applying
 * {@code i}, that applied indexes never go back, and that {@code purged <= snapshot <= applied}.
 */
class SnapshotScenariosTest {

    /** Snapshot every 48 entries, keep a tail of 8, 64-byte chunks (so transfers take many chunks). */
    private static final RaftConfig CONFIG = SimOptions.smallConfig();
    private static final int LOAD_STEPS = 400_000;

    // ------------------------------------------------------------------ D40

    @Test
    void d40_restartFromSnapshotPlusLogTail() {
        KvSimulation sim = ScenarioSupport.sim(4001, 3, 2, CONFIG);
        SplittableRandom random = new SplittableRandom(4001);
        loadUntilCommitted(sim, 150);
        ackedWrite(sim, "d40", "before", false);
        sim.stepUntil("a snapshot on every node", LOAD_STEPS, false,
                () -> sim.nodes().stream().allMatch(n -> n.status().snapshotIndex() > 0));
        for (int round = 0; round < 2; round++) {
            for (SimNode node : sim.nodes()) {
                sim.crash(node.id, randomMode(random), random);
            }
            sim.steps(50, false);
            for (SimNode node : sim.nodes()) {
                restartChecked(sim, node.id);
                long snapshot = node.status().snapshotIndex();
                assertThat(snapshot).as("node %d restarts with its snapshot", node.id).isPositive();
                assertThat(node.status().appliedIndex())
                        .as("node %d's state machine is restored before the log tail is replayed", node.id)
                        .isEqualTo(snapshot);
            }
            ackedWrite(sim, "d40", "after" + round, false);
        }
        assertThat(read(sim, "d40")).isEqualTo("after1");
        converge(sim);
    }

    // ------------------------------------------------------------------ E42

    @Test
    void e42_laggingFollowerCatchesUpBySnapshot_disconnected() {
        laggingFollower(4201, false, false);
    }

    @Test
    void e42_laggingFollowerCatchesUpBySnapshot_crashed() {
        laggingFollower(4202, true, false);
    }

    @Test
    void e42_laggingFollowerCatchesUpBySnapshot_unreliable() {
        laggingFollower(4203, false, true);
    }

    @Test
    void e42_laggingFollowerCatchesUpBySnapshot_unreliableAndCrashed() {
        laggingFollower(4204, true, true);
    }

    private static void laggingFollower(long seed, boolean crash, boolean lossy) {
        KvSimulation sim = new KvSimulation(seed, new SimOptions(3, 0, 60_000, 2, 6, false, false, false, lossy, false,
                false, CONFIG));
        sim.nodes().forEach(n -> n.slowDisk = 0);
        SplittableRandom random = new SplittableRandom(seed);
        SimNode leader = sim.awaitLeader(ELECTION_STEPS, false);
        SimNode follower = sim.nodes().stream().filter(n -> n != leader).findFirst().orElseThrow();
        if (crash) {
            sim.crash(follower.id, randomMode(random), random);
        } else {
            sim.setIsolated(follower.id, true);
        }
        long behind = follower.disk.durableLast().index();
        sim.stepUntil("the leader's log compacted past the follower's", LOAD_STEPS, true, () -> {
            SimNode l = sim.leader();
            return l != null && l.status().purgedIndex() > behind + 20;
        });
        long chunksBefore = sim.checker().snapshotCounts()[2];
        if (crash) {
            restartChecked(sim, follower.id);
        } else {
            sim.setIsolated(follower.id, false);
        }
        converge(sim);
        assertThat(sim.checker().snapshotCounts()[2]).as("snapshot chunks sent").isGreaterThan(chunksBefore);
        assertThat(follower.status().snapshotIndex()).as("the follower holds the snapshot it was sent")
                .isGreaterThan(behind);
        for (SimNode node : sim.nodes()) {
            // Bounded: at most a snapshot interval plus the tail (and what arrived since), never everything.
            assertThat(node.disk.durableEntries().count()).as("entries in node %d's log", node.id)
                    .isLessThan(3 * 48);
        }
    }

    // ------------------------------------------------------------------ E43

    @Test
    void e43_snapshotAtTheLeadersLastIndexNeedsNoNewEntry() {
        // Snapshots only when asked, purging the whole log up to them.
        RaftConfig config = SimOptions.smallBuilder().snapshotIntervalEntries(0).snapshotIntervalBytes(0)
                .snapshotLogTailEntries(0).snapshotChunkBytes(64).followerRetentionEntries(0).build();
        KvSimulation sim = ScenarioSupport.sim(4301, 3, 0, config);
        SimNode leader = sim.awaitLeader(ELECTION_STEPS, false);
        SimNode follower = sim.nodes().stream().filter(n -> n != leader).findFirst().orElseThrow();
        sim.setIsolated(follower.id, true);
        for (int i = 0; i < 12; i++) {
            ackedWrite(sim, "e43", "v" + i, false);
        }
        SimNode writer = sim.leader();
        sim.stepUntil("everything applied on the leader", ELECTION_STEPS, false,
                () -> writer.status().appliedIndex() == writer.engine().lastLogId().index());
        CompletableFuture<LogId> snapshot = new CompletableFuture<>();
        assertThat(writer.runtime().tryTakeSnapshot(snapshot)).isTrue();
        sim.stepUntil("the snapshot and the purge", ELECTION_STEPS, false,
                () -> snapshot.isDone() && writer.status().purgedIndex() == snapshot.join().index());
        LogId last = writer.engine().lastLogId();
        assertThat(snapshot.join()).as("the snapshot ends at the leader's last entry").isEqualTo(last);

        sim.setIsolated(follower.id, false);
        sim.stepUntil("the follower caught up without a new entry", ELECTION_STEPS, false,
                () -> follower.isServing() && follower.status().appliedIndex() == last.index()
                        && writer.engine().matchIndexOf(follower.id) == last.index());
        assertThat(writer.engine().lastLogId()).as("no entry was needed to finish").isEqualTo(last);
        assertThat(read(sim, "e43")).isEqualTo("v11");
        converge(sim);
    }

    // ------------------------------------------------------------------ E44

    @Test
    void e44_slowFollowerOvertakenByCompactionGetsASnapshot() {
        KvSimulation sim = ScenarioSupport.sim(4401, 3, 2, CONFIG);
        SimNode leader = sim.awaitLeader(ELECTION_STEPS, false);
        SimNode follower = sim.nodes().stream().filter(n -> n != leader).findFirst().orElseThrow();
        loadUntilCommitted(sim, 20);
        // The follower keeps receiving appends but cannot make them durable, so cannot acknowledge them.
        follower.writerHeld = true;
        long stuck = follower.disk.durableLast().index();
        sim.stepUntil("compaction passed the follower's match", LOAD_STEPS, true, () -> {
            SimNode l = sim.leader();
            return l != null && l.status().purgedIndex() > stuck + 8;
        });
        follower.writerHeld = false;
        converge(sim);
        assertThat(follower.status().snapshotIndex()).isGreaterThan(stuck);
    }

    // ------------------------------------------------------------------ E46

    @Test
    void e46_installRacesWithAppendsAndALeaderChangeMidTransfer() {
        for (long seed = 4601; seed <= 4606; seed++) {
            KvSimulation sim = ScenarioSupport.sim(seed, 3, 2, CONFIG);
            SplittableRandom random = new SplittableRandom(seed);
            SimNode leader = sim.awaitLeader(ELECTION_STEPS, false);
            SimNode follower = sim.nodes().stream().filter(n -> n != leader).findFirst().orElseThrow();
            sim.setIsolated(follower.id, true);
            long behind = follower.disk.durableLast().index();
            sim.stepUntil("compaction past the follower", LOAD_STEPS, true, () -> {
                SimNode l = sim.leader();
                return l != null && l.status().purgedIndex() > behind + 40;
            });
            long chunks = sim.checker().snapshotCounts()[2];
            sim.setIsolated(follower.id, false);
            // Clients keep writing: AppendEntries for later indexes race with the chunks.
            sim.stepUntil("a transfer in progress", LOAD_STEPS, true,
                    () -> sim.checker().snapshotCounts()[2] >= chunks + 2);
            SimNode old = sim.leader();
            if (seed % 3 == 0) {
                sim.crash(follower.id, randomMode(random), random); // a partial snapshot must vanish
                sim.steps(200, true);
                restartChecked(sim, follower.id);
            } else if (old != null) {
                sim.crash(old.id, randomMode(random), random); // the leader changes mid-transfer
                sim.steps(800, true);
                restartChecked(sim, old.id);
            }
            converge(sim);
            assertThat(follower.status().snapshotIndex()).as("seed %d", seed).isGreaterThan(behind);
        }
    }

    // ------------------------------------------------------------------ E48

    /**
     * A node is crashed after each of the first tasks that run once it has a new snapshot committed:
     * between the commit, the core learning of it, the log writer purging and flushing. Every restart
     * must succeed with the log starting at or before the snapshot and the state restored from it.
     */
    @Test
    void e48_crashAtEveryStepOfCompaction() throws Exception {
        for (int crashAfter = 0; crashAfter < 24; crashAfter++) {
            long seed = 4800 + crashAfter;
            KvSimulation sim = ScenarioSupport.sim(seed, 3, 2, CONFIG);
            SplittableRandom random = new SplittableRandom(seed);
            loadUntilCommitted(sim, 30);
            SimNode victim = sim.nodes().get((int) (seed % 3));
            long before = victim.status().snapshotIndex();
            int[] countdown = {crashAfter};
            boolean[] crashed = {false};
            sim.afterEachTask = () -> {
                if (!crashed[0] && victim.isUp() && victim.status().snapshotIndex() > before && countdown[0]-- == 0) {
                    crashed[0] = true;
                    sim.crash(victim.id, randomMode(random), random);
                }
            };
            sim.stepUntil("the victim crashed during compaction", LOAD_STEPS, true, () -> crashed[0]);
            sim.afterEachTask = null;
            restartChecked(sim, victim.id);
            SnapshotInfo snapshot = victim.snapshots.latest().orElseThrow();
            LogId base = victim.disk.durableBase();
            assertThat(base.index()).as("the log starts at or before the snapshot (crash after %d tasks)", crashAfter)
                    .isLessThanOrEqualTo(snapshot.last().index());
            assertThat(victim.status().appliedIndex()).isGreaterThanOrEqualTo(snapshot.last().index());
            converge(sim);
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Client load until the leader has committed {@code index}. */
    private static void loadUntilCommitted(KvSimulation sim, long index) {
        sim.stepUntil("commit index " + index, LOAD_STEPS, true, () -> {
            SimNode leader = sim.leader();
            return leader != null && leader.engine().commitIndex() >= index;
        });
    }
}
