package io.ringraft.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftNode;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.local.LocalNetwork;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link RaftNode#appliedStalenessNanos()} on real threads: a follower that hears its leader's heartbeats
 * stays within a few heartbeats; one cut off from the leader while the leader goes on committing grows
 * stale with the time of the cut, and is fresh again once it caught up after the heal.
 */
class AppliedStalenessTest {

    private static final int HEARTBEAT_MILLIS = 20;
    private final LocalNetwork network = new LocalNetwork();
    private final List<RaftNode> nodes = new ArrayList<>();

    @AfterEach
    void closeAll() {
        nodes.forEach(RaftNode::close);
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    @Test
    void aFollowerCutOffFromItsLeaderGrowsStaleWithTheCutAndFreshAfterTheHeal() throws Exception {
        RaftConfig config = RaftConfig.builder().tickMillis(5).heartbeatIntervalMillis(HEARTBEAT_MILLIS)
                .electionTimeoutMillis(150).ringCapacityEntries(1024).ringCapacityBytes(1 << 20)
                .maxEntryBytes(4096).proposalQueueBytes(1 << 16).build();
        for (long id = 1; id <= 3; id++) {
            nodes.add(RaftNode.builder().nodeId(id).voters(1, 2, 3).config(config)
                    .stateMachine(new LocalClusterTest.RecordingStateMachine())
                    .logStorage(new InMemoryLogStorage()).transport(network).randomSeed(id).build());
        }
        nodes.forEach(RaftNode::start);
        await("a leader serves", () -> nodes.stream().anyMatch(RaftNode::isLeader));
        RaftNode leader = nodes.stream().filter(RaftNode::isLeader).findFirst().orElseThrow();
        RaftNode follower = nodes.stream().filter(node -> node != leader).findFirst().orElseThrow();
        leader.propose(bytes("a")).get(20, TimeUnit.SECONDS);
        await("the leader applied its commit index", () -> leader.appliedStalenessNanos() == 0);
        // heartbeats every 20 ms: the follower's state is dated by the last one (200 ms leaves room for a loaded machine)
        await("the follower is fresh", () -> follower.appliedStalenessNanos() < TimeUnit.MILLISECONDS.toNanos(200));

        network.isolate(follower.groupId(), follower.nodeId());
        long cut = System.nanoTime();
        RaftNode stillLeading = leader;
        stillLeading.propose(bytes("b")).get(20, TimeUnit.SECONDS); // committed without the follower
        long committedAfterCut = stillLeading.status().committedIndex();
        await("the follower is 300 ms stale", () -> follower.appliedStalenessNanos() > TimeUnit.MILLISECONDS.toNanos(300));
        // it grew with the cut, never more than the time since the cut plus one heartbeat's age
        long staleness = follower.appliedStalenessNanos();
        assertThat(staleness).isLessThanOrEqualTo(System.nanoTime() - cut + TimeUnit.MILLISECONDS.toNanos(200));
        assertThat(follower.status().appliedIndex()).isLessThan(committedAfterCut);

        network.heal(follower.groupId(), follower.nodeId());
        await("the follower caught up", () -> follower.status().appliedIndex() >= committedAfterCut);
        await("the follower is fresh again", () -> follower.appliedStalenessNanos() < TimeUnit.MILLISECONDS.toNanos(200));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
