package io.ringraft.metrics.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftNode;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.local.InMemorySnapshotStore;
import io.ringraft.local.LocalNetwork;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Micrometer binder on a real 3-node in-process cluster ({@link LocalNetwork}, {@link InMemoryLogStorage}),
 * all nodes in one {@link SimpleMeterRegistry}: after proposals the leader's commit timer and every node's
 * flush and apply timers have counts (with bucket counts), the role and pointer gauges read each node's
 * status, the leader has a lag gauge per follower, rejections count by reason, and closing a node removes
 * its meters.
 */
class MicrometerRaftMetricsTest {

    private static final RaftConfig CONFIG = RaftConfig.builder().tickMillis(5).heartbeatIntervalMillis(20)
            .electionTimeoutMillis(150).ringCapacityEntries(1024).ringCapacityBytes(1 << 20).maxEntryBytes(4096)
            .proposalQueueBytes(1 << 16).build();

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final LocalNetwork network = new LocalNetwork();
    private final List<RaftNode> nodes = new ArrayList<>();

    @AfterEach
    void closeAll() {
        nodes.forEach(RaftNode::close);
    }

    private void startCluster() {
        for (long id = 1; id <= 3; id++) {
            nodes.add(RaftNode.builder().nodeId(id).voters(1, 2, 3).config(CONFIG).stateMachine(new Counter())
                    .logStorage(new InMemoryLogStorage()).snapshotStore(new InMemorySnapshotStore()).transport(network)
                    .randomSeed(id).metrics(new MicrometerRaftMetrics(registry, Tags.of("cluster", "test")))
                    .build());
        }
        nodes.forEach(RaftNode::start);
    }

    @Test
    void aClusterUnderProposalsFillsTimersCountersAndGauges() throws Exception {
        startCluster();
        RaftNode leader = leader();
        List<CompletableFuture<Object>> futures = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            futures.add(leader.propose(("c" + i).getBytes(StandardCharsets.UTF_8)));
        }
        for (CompletableFuture<Object> future : futures) {
            future.get(20, TimeUnit.SECONDS);
        }
        long last = leader.status().lastLogId().index();
        await("every node applied everything", () -> nodes.stream().allMatch(n -> n.status().appliedIndex() >= last));
        await("the leader sees both followers up to date", () -> leader.status().followers().stream()
                .allMatch(f -> f.lag() == 0) && leader.status().followers().size() == 2);
        // No gauge was read yet: the first read of each node's gauges polls its status now (then reuses it).

        String l = id(leader);
        Timer commit = registry.get("ringraft.commit.latency").tags("node.id", l).timer();
        assertThat(commit.count()).isPositive();
        assertThat(commit.totalTime(TimeUnit.NANOSECONDS)).isPositive();
        assertThat(bucketTotal(commit.takeSnapshot().histogramCounts())).as("histogram buckets")
                .isEqualTo(commit.count());
        assertThat(registry.get("ringraft.proposals.committed").tags("node.id", l).counter().count()).isEqualTo(200);
        assertThat(registry.get("ringraft.leader.elected").tags("node.id", l).counter().count()).isPositive();
        for (RaftNode node : nodes) {
            String n = id(node);
            assertThat(registry.get("ringraft.log.flush").tags("node.id", n, "group.id", "1", "cluster", "test")
                    .timer().count()).as("flushes of node %s", n).isPositive();
            assertThat(registry.get("ringraft.log.flush.entries").tags("node.id", n).summary().totalAmount())
                    .isGreaterThanOrEqualTo(last);
            assertThat(registry.get("ringraft.apply").tags("node.id", n).timer().count()).isPositive();
            assertThat(registry.get("ringraft.apply.entries").tags("node.id", n).summary().totalAmount())
                    .isGreaterThanOrEqualTo(last);
            assertThat(registry.get("ringraft.messages.received").tags("node.id", n).counter().count()).isPositive();
            assertThat(gauge("ringraft.log.index", n, "pointer", "applied")).isEqualTo(node.status().appliedIndex());
            assertThat(gauge("ringraft.log.index", n, "pointer", "committed")).isGreaterThanOrEqualTo(last);
            assertThat(gauge("ringraft.term", n)).isEqualTo(leader.status().term());
            assertThat(gauge("ringraft.leader.id", n)).isEqualTo(leader.nodeId());
            assertThat(gauge("ringraft.role", n, "role", node == leader ? "leader" : "follower")).isEqualTo(1);
            assertThat(gauge("ringraft.role", n, "role", "failed")).isZero();
            assertThat(gauge("ringraft.ring.fill", n)).isBetween(0.0, 1.0);
        }
        for (RaftNode follower : nodes) {
            if (follower == leader) {
                continue;
            }
            String f = id(follower);
            Gauge lag = registry.get("ringraft.follower.lag").tags("node.id", l, "peer.id", f).gauge();
            assertThat(lag.value()).as("lag of follower %s", f).isZero();
            assertThat(registry.get("ringraft.follower.match.index").tags("node.id", l, "peer.id", f).gauge().value())
                    .isEqualTo(last);
            assertThat(registry.get("ringraft.messages.sent").tags("node.id", l, "peer.id", f).counter().count())
                    .isPositive();
            assertThat(registry.get("ringraft.follower.lag").tags("node.id", f, "peer.id", l).gauge().value())
                    .as("a follower leads nobody").isNaN();
        }
    }

    @Test
    void rejectionsSnapshotsAndCloseAreRecorded() throws Exception {
        startCluster();
        RaftNode leader = leader();
        leader.propose(new byte[] {1}).get(20, TimeUnit.SECONDS);
        RaftNode follower = nodes.stream().filter(n -> n != leader).findFirst().orElseThrow();
        assertThat(follower.propose(new byte[] {2})).failsWithin(20, TimeUnit.SECONDS);
        assertThat(leader.propose(new byte[CONFIG.maxEntryBytes() + 1])).failsWithin(20, TimeUnit.SECONDS);
        assertThat(rejected(follower, "not_leader")).isEqualTo(1);
        assertThat(rejected(leader, "too_large")).isEqualTo(1);
        assertThat(rejected(leader, "queue_full")).isZero();

        leader.takeSnapshot().get(20, TimeUnit.SECONDS);
        assertThat(registry.get("ringraft.snapshot.take").tags("node.id", id(leader)).timer().count()).isEqualTo(1);
        assertThat(registry.get("ringraft.snapshot.take.size").tags("node.id", id(leader)).summary().totalAmount())
                .isEqualTo(Long.BYTES);

        String f = id(follower);
        assertThat(registry.find("ringraft.apply").tags("node.id", f).timer()).isNotNull();
        follower.close();
        List<Meter> left = registry.getMeters().stream().filter(m -> f.equals(m.getId().getTag("node.id"))).toList();
        assertThat(left).as("meters of the closed node").isEmpty();
        assertThat(registry.find("ringraft.apply").tags("node.id", id(leader)).timer()).isNotNull();
    }

    @Test
    void aProposalRefusedBeforeTheNodeStartedIsNotReported() {
        try (RaftNode node = RaftNode.builder().nodeId(1).voters(1).config(CONFIG).stateMachine(new Counter())
                .logStorage(new InMemoryLogStorage()).transport(network)
                .metrics(new MicrometerRaftMetrics(registry)).build()) {
            // Not bound yet: no meters to count in, and the proposer gets its refusal, not an exception of ours.
            assertThat(node.propose(new byte[CONFIG.maxEntryBytes() + 1])).failsWithin(1, TimeUnit.SECONDS)
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .withCauseInstanceOf(io.ringraft.api.RejectedException.class);
            assertThat(registry.getMeters()).isEmpty();
            node.start();
            assertThat(node.propose(new byte[CONFIG.maxEntryBytes() + 1])).failsWithin(1, TimeUnit.SECONDS);
            assertThat(registry.get("ringraft.proposals.rejected").tags("reason", "too_large").counter().count())
                    .isEqualTo(1);
        }
    }

    @Test
    void oneInstanceServesOneNode() {
        MicrometerRaftMetrics metrics = new MicrometerRaftMetrics(registry);
        metrics.bind(1, 1, CONFIG, () -> null);
        assertThatThrownBy(() -> metrics.bind(1, 2, CONFIG, () -> null)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already serve node 1 of group 1");
        metrics.close();
    }

    // ------------------------------------------------------------------ helpers

    /** Counts; snapshots are the count as 8 bytes. */
    static final class Counter implements io.ringraft.spi.StateMachine {
        private long count;

        @Override
        public void apply(io.ringraft.spi.LogEntries commands, ApplyResults results) {
            for (int i = 0; i < commands.count(); i++) {
                results.set(i, ++count);
            }
        }

        @Override
        public Snapshot snapshot() {
            long value = count;
            return out -> new java.io.DataOutputStream(out).writeLong(value);
        }

        @Override
        public void restore(InputStream in) throws IOException {
            count = new java.io.DataInputStream(in).readLong();
        }
    }

    private double rejected(RaftNode node, String reason) {
        io.micrometer.core.instrument.Counter counter = registry.get("ringraft.proposals.rejected")
                .tags("node.id", id(node), "reason", reason).counter();
        return counter.count();
    }

    private double gauge(String name, String node, String... tags) {
        return registry.get(name).tags("node.id", node).tags(tags).gauge().value();
    }

    private static long bucketTotal(CountAtBucket[] buckets) {
        // Cumulative counts: the last bucket (10 s) holds every sample of a healthy run.
        return (long) buckets[buckets.length - 1].count();
    }

    private static String id(RaftNode node) {
        return Long.toString(node.nodeId());
    }

    private RaftNode leader() {
        RaftNode[] found = new RaftNode[1];
        await("a leader is elected", () -> (found[0] = nodes.stream().filter(n -> n.status().isLeader()).findFirst()
                .orElse(null)) != null);
        return found[0];
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }
}
