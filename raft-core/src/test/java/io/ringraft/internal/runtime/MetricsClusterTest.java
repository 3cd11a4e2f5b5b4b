package io.ringraft.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.api.FollowerStatus;
import io.ringraft.api.NodeStoppedException;
import io.ringraft.api.NotLeaderException;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftNode;
import io.ringraft.api.RaftStatus;
import io.ringraft.api.RejectedException;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.local.InMemorySnapshotStore;
import io.ringraft.local.LocalNetwork;
import io.ringraft.spi.RaftMetrics;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link RaftMetrics} hooks on real threads, 3 nodes over the in-process network: every task reports
 * its measurements (commit, fsync and apply batches, messages, rejections by reason, snapshots taken and
 * installed), the leader's status shows each follower's match index and lag, and a leader that steps down
 * reports why (transfer, lost quorum, higher term, removed).
 */
class MetricsClusterTest {

    private static final RaftConfig.Builder BASE = RaftConfig.builder().tickMillis(5).heartbeatIntervalMillis(20)
            .electionTimeoutMillis(150).ringCapacityEntries(1024).ringCapacityBytes(1 << 20).maxEntryBytes(4096)
            .proposalQueueBytes(1 << 16).followerRetentionEntries(0); // purges past lagging followers
    private static final RaftConfig CONFIG = BASE.build();

    private final LocalNetwork network = new LocalNetwork();
    private final RaftNode[] nodes = new RaftNode[3];
    private final RecordingMetrics[] metrics = new RecordingMetrics[3];

    @AfterEach
    void closeAll() {
        for (RaftNode node : nodes) {
            if (node != null) {
                node.close();
            }
        }
    }

    private void startCluster(RaftConfig config, boolean snapshots) {
        for (int i = 0; i < 3; i++) {
            metrics[i] = new RecordingMetrics();
            RaftNode.Builder builder = RaftNode.builder().nodeId(i + 1).voters(1, 2, 3).config(config)
                    .stateMachine(new SnapshotClusterTest.ListStateMachine()).logStorage(new InMemoryLogStorage())
                    .transport(network).randomSeed(i + 1).metrics(metrics[i]);
            if (snapshots) {
                builder.snapshotStore(new InMemorySnapshotStore());
            }
            nodes[i] = builder.build();
        }
        for (RaftNode node : nodes) {
            node.start();
        }
    }

    @Test
    void everyTaskReportsItsMeasurements() throws Exception {
        startCluster(CONFIG, false);
        RaftNode leader = leader();
        RecordingMetrics lm = metricsOf(leader);
        propose(leader, 0, 100);
        long last = leader.status().lastLogId().index();
        await("every node applied up to " + last, () -> allMatch(n -> n.status().appliedIndex() >= last));

        for (RaftNode node : nodes) {
            RecordingMetrics m = metricsOf(node);
            assertThat(m.boundGroup).isEqualTo(1);
            assertThat(m.boundNode).isEqualTo(node.nodeId());
            assertThat(m.status.get().nodeId()).isEqualTo(node.nodeId());
            assertThat(Set.copyOf(m.peers)).as("peers of node %d", node.nodeId())
                    .isEqualTo(otherIds(node.nodeId()));
            assertThat(m.flushes.sum()).as("flushes on node %d", node.nodeId()).isPositive();
            assertThat(m.flushedEntries.sum()).as("entries flushed on node %d", node.nodeId())
                    .isGreaterThanOrEqualTo(last);
            assertThat(m.minFlushNanos.get()).isNotNegative();
            await("node " + node.nodeId() + " reported every entry applied",
                    () -> m.appliedEntries.sum() >= last);
            assertThat(m.applyBatches.sum()).isPositive();
            assertThat(m.minApplyNanos.get()).isNotNegative();
            assertThat(m.received.sum()).as("messages received by node %d", node.nodeId()).isPositive();
        }
        assertThat(lm.leaderTerms).contains(leader.status().term());
        assertThat(lm.committedProposals.sum()).as("the leader's own proposals committed").isEqualTo(100);
        assertThat(lm.commitBatches.sum()).isBetween(1L, 100L);
        assertThat(lm.minCommitNanos.get()).isPositive();
        for (long peer : otherIds(leader.nodeId())) {
            assertThat(lm.sentTo(peer)).as("messages to node %d", peer).isPositive();
        }
        for (RaftNode follower : others(leader)) {
            assertThat(metricsOf(follower).committedProposals.sum()).as("followers proposed nothing").isZero();
        }
    }

    @Test
    void theLeadersStatusShowsEachFollowersMatchIndexAndLag() throws Exception {
        startCluster(CONFIG, false);
        RaftNode leader = leader();
        propose(leader, 0, 20);
        RaftNode behind = others(leader).get(0);
        RaftNode upToDate = others(leader).get(1);
        await("both followers acknowledged everything", () -> {
            RaftStatus status = leader.status();
            long lastIndex = status.lastLogId().index();
            return status.followers().size() == 2 && status.followers().stream()
                    .allMatch(f -> f.matchIndex() == lastIndex && f.lag() == 0);
        });
        for (RaftNode follower : others(leader)) {
            assertThat(follower.status().followers()).as("a follower's status lists no followers").isEmpty();
            assertThat(follower.status().follower(leader.nodeId())).isNull();
        }

        network.isolate(1, behind.nodeId());
        long matchBefore = leader.status().follower(behind.nodeId()).matchIndex();
        propose(leader, 20, 50);
        long lastIndex = leader.status().lastLogId().index();
        await("the connected follower caught up", () -> leader.status().follower(upToDate.nodeId()).lag() == 0);
        FollowerStatus lagging = leader.status().follower(behind.nodeId());
        assertThat(lagging.matchIndex()).isEqualTo(matchBefore);
        assertThat(lagging.lag()).isEqualTo(lastIndex - matchBefore).isGreaterThanOrEqualTo(30);

        network.heal(1, behind.nodeId());
        await("the isolated follower caught up after the partition healed",
                () -> leader.status().follower(behind.nodeId()).lag() == 0);
    }

    @Test
    void rejectionsAreReportedByReason() throws Exception {
        startCluster(CONFIG, false);
        RaftNode leader = leader();
        RaftNode follower = others(leader).get(0);
        RecordingMetrics fm = metricsOf(follower);
        RecordingMetrics lm = metricsOf(leader);

        assertThatThrownBy(() -> follower.propose(bytes("x")).get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(NotLeaderException.class);
        assertThat(fm.rejected(RaftMetrics.Rejection.NOT_LEADER)).isEqualTo(1);
        assertThatThrownBy(() -> leader.propose(new byte[CONFIG.maxEntryBytes() + 1]).get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(RejectedException.class);
        assertThat(lm.rejected(RaftMetrics.Rejection.TOO_LARGE)).isEqualTo(1);

        follower.close();
        assertThat(fm.closes).as("close() reaches the metrics once").hasValue(1);
        assertThatThrownBy(() -> follower.propose(bytes("y")).get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(NodeStoppedException.class);
        assertThat(fm.rejected(RaftMetrics.Rejection.STOPPED)).isEqualTo(1);
        follower.close();
        assertThat(fm.closes).as("closing again does not").hasValue(1);
        assertThat(lm.rejectionCounts()).containsOnlyKeys(RaftMetrics.Rejection.TOO_LARGE);
    }

    @Test
    void snapshotsTakenAndInstalledAreReportedWithTheirSizes() throws Exception {
        RaftConfig compacting = BASE.snapshotIntervalEntries(50).snapshotLogTailEntries(10).snapshotChunkBytes(256)
                .build();
        startCluster(compacting, true);
        RaftNode leader = leader();
        propose(leader, 0, 20);
        RaftNode follower = others(leader).get(0);
        await("the follower applied the first entries", () -> follower.status().appliedIndex() >= 20);
        long isolatedAt = follower.status().lastLogId().index();
        network.isolate(1, follower.nodeId());
        propose(leader, 20, 200);
        await("the leader purged its log past entry " + isolatedAt,
                () -> leader.status().purgedIndex() > isolatedAt);
        assertThat(metricsOf(leader).snapshotsTaken).as("the leader's snapshots").isNotEmpty()
                .allSatisfy(s -> assertThat(s[1]).as("bytes").isPositive());

        network.heal(1, follower.nodeId());
        RecordingMetrics fm = metricsOf(follower);
        await("the follower installed the leader's snapshot", () -> !fm.snapshotsInstalled.isEmpty());
        assertThat(fm.snapshotsInstalled.get(0)[0]).as("nanos").isNotNegative();
        assertThat(fm.snapshotsInstalled.get(0)[1]).as("bytes").isPositive();
    }

    @Test
    void aTransferReportsTheStepDownAsATransfer() throws Exception {
        startCluster(CONFIG, false);
        RaftNode leader = leader();
        long term = leader.status().term();
        RaftNode target = others(leader).get(0);
        leader.transferLeadership(target.nodeId()).get(20, TimeUnit.SECONDS);
        assertThat(metricsOf(leader).stepDownsSoFar())
                .containsExactly(new RecordingMetrics.StepDownEvent(term, RaftMetrics.StepDown.TRANSFER));
        await("the target reported its leadership", () -> !metricsOf(target).leaderTerms.isEmpty());
        assertThat(metricsOf(target).leaderTerms).contains(target.status().term());
    }

    @Test
    void anIsolatedLeaderReportsTheLostQuorum() throws Exception {
        startCluster(CONFIG, false);
        RaftNode leader = leader();
        long term = leader.status().term();
        network.isolate(1, leader.nodeId());
        await("the isolated leader stepped down", () -> !metricsOf(leader).stepDowns.isEmpty());
        assertThat(metricsOf(leader).stepDownsSoFar())
                .containsExactly(new RecordingMetrics.StepDownEvent(term, RaftMetrics.StepDown.LOST_QUORUM));
    }

    @Test
    void aLeaderWithoutCheckQuorumLearnsOfTheNewTermWhenThePartitionHeals() throws Exception {
        startCluster(BASE.checkQuorum(false).build(), false);
        RaftNode old = leader();
        long term = old.status().term();
        network.isolate(1, old.nodeId());
        await("the others elected a new leader", () -> others(old).stream().anyMatch(n -> n.status().isLeader()));
        assertThat(metricsOf(old).stepDowns).as("without check-quorum it still leads").isEmpty();
        network.heal(1, old.nodeId());
        await("the old leader stepped down", () -> !metricsOf(old).stepDowns.isEmpty());
        assertThat(metricsOf(old).stepDownsSoFar())
                .containsExactly(new RecordingMetrics.StepDownEvent(term, RaftMetrics.StepDown.HIGHER_TERM));
    }

    @Test
    void aLeaderRemovedFromTheVotersReportsIt() throws Exception {
        startCluster(CONFIG, false);
        RaftNode leader = leader();
        long term = leader.status().term();
        propose(leader, 0, 1); // a change needs an entry of the leader's term committed first
        Set<Long> rest = otherIds(leader.nodeId());
        leader.changeMembership(rest, Set.of()).get(20, TimeUnit.SECONDS);
        await("the removed leader stepped down", () -> !metricsOf(leader).stepDowns.isEmpty());
        assertThat(metricsOf(leader).stepDownsSoFar())
                .containsExactly(new RecordingMetrics.StepDownEvent(term, RaftMetrics.StepDown.REMOVED));
    }

    // ------------------------------------------------------------------ helpers

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void propose(RaftNode leader, int from, int to) throws InterruptedException, ExecutionException,
            java.util.concurrent.TimeoutException {
        List<CompletableFuture<Object>> futures = new ArrayList<>();
        for (int i = from; i < to; i++) {
            futures.add(leader.propose(bytes("c" + i)));
        }
        for (CompletableFuture<Object> future : futures) {
            future.get(20, TimeUnit.SECONDS);
        }
    }

    private RecordingMetrics metricsOf(RaftNode node) {
        return metrics[(int) node.nodeId() - 1];
    }

    private static Set<Long> otherIds(long id) {
        Set<Long> ids = new java.util.TreeSet<>(Set.of(1L, 2L, 3L));
        ids.remove(id);
        return ids;
    }

    private boolean allMatch(java.util.function.Predicate<RaftNode> condition) {
        for (RaftNode node : nodes) {
            if (!condition.test(node)) {
                return false;
            }
        }
        return true;
    }

    private RaftNode leader() {
        RaftNode[] found = new RaftNode[1];
        await("a leader is elected", () -> {
            for (RaftNode node : nodes) {
                if (node.status().isLeader()) {
                    found[0] = node;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private List<RaftNode> others(RaftNode node) {
        List<RaftNode> others = new ArrayList<>();
        for (RaftNode other : nodes) {
            if (other != node) {
                others.add(other);
            }
        }
        return others;
    }

    private void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                StringBuilder statuses = new StringBuilder();
                for (RaftNode node : nodes) {
                    statuses.append("\n  ").append(node.status());
                }
                throw new AssertionError("timed out waiting until " + what + statuses);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }
}
