package io.ringraft.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftException;
import io.ringraft.api.RaftNode;
import io.ringraft.api.RaftStatus;
import io.ringraft.examples.kv.KvCluster;
import io.ringraft.examples.kv.KvCodec;
import io.ringraft.examples.kv.KvStateMachine;
import io.ringraft.net.netty.NettyTransport;
import io.ringraft.spi.LogState;
import io.ringraft.storage.FileSnapshotStore;
import io.ringraft.storage.SegmentedLogStorage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots and log compaction with the three modules together: a 3-node cluster of the KV store over
 * loopback TCP ({@link NettyTransport}) with durable logs ({@link SegmentedLogStorage}) and snapshot
 * stores ({@link FileSnapshotStore}), laid out as {@link KvCluster} lays them out. A snapshot every 200
 * entries, 20 entries of log kept below it, 4 KiB chunks: a follower stopped while the others go on
 * finds the leader's log purged past its own when it comes back, and must catch up from a snapshot
 * streamed over TCP in many chunks. Every node, restarted, restores its newest snapshot and replays
 * only the log after it; every acknowledged write is on every node.
 */
class SnapshotTcpClusterTest {

    private static final RaftConfig CONFIG = RaftConfig.builder().tickMillis(5).heartbeatIntervalMillis(20)
            .electionTimeoutMillis(200).ringCapacityEntries(1024).ringCapacityBytes(1 << 20).maxEntryBytes(4096)
            .proposalQueueBytes(1 << 16)
            .snapshotIntervalEntries(200).snapshotLogTailEntries(20).snapshotChunkBytes(4096)
            .followerRetentionEntries(0).build(); // purge past a stopped follower (it catches up by snapshot)
    private static final int CHUNK_BYTES = 4096;
    private static final int WINDOW = 100;

    @TempDir
    Path dataDir;

    private int[] ports;
    private final RaftNode[] nodes = new RaftNode[3];
    private final NettyTransport[] transports = new NettyTransport[3];
    /** Every write acknowledged so far, key to value, in order. */
    private final Map<String, String> acknowledged = new LinkedHashMap<>();

    @AfterEach
    void stopAll() {
        for (long id = 1; id <= 3; id++) {
            stop(id);
        }
    }

    @Test
    void aFollowerBehindThePurgedLogCatchesUpFromASnapshotOverTcpAndRestartsRestoreSnapshots() throws Exception {
        ports = FreePorts.pick(3);
        for (long id = 1; id <= 3; id++) {
            build(id).start();
        }
        write(0, 300);
        await("every node applied the first writes and took a snapshot", () -> running().allMatch(
                n -> n.status().appliedIndex() >= leader().status().committedIndex() && n.status().snapshotIndex() > 0));

        long followerId = running().filter(n -> !n.status().isLeader()).findFirst().orElseThrow().nodeId();
        RaftStatus atStop = node(followerId).status();
        stop(followerId);
        write(300, 1_500); // six snapshot intervals while the follower is away
        long stoppedAt = atStop.lastLogId().index();
        await("the running nodes purged their logs past the stopped follower's last entry " + stoppedAt,
                () -> running().allMatch(n -> n.status().purgedIndex() > stoppedAt));

        RaftNode follower = build(followerId);
        RaftStatus built = follower.status();
        assertThat(built.snapshotIndex()).as("the follower's own snapshot").isPositive()
                .isLessThanOrEqualTo(stoppedAt);
        assertThat(built.appliedIndex()).as("restored from its snapshot when built").isEqualTo(built.snapshotIndex());
        follower.start();
        long commit = leader().status().committedIndex();
        await("the restarted follower caught up to " + commit + " from a snapshot past " + stoppedAt,
                () -> follower.status().appliedIndex() >= commit && follower.status().snapshotIndex() > stoppedAt);
        // The leader's log starts after the follower's last entry: only a snapshot from it can have brought
        // the follower here, and one of many chunks (the follower's store holds what it received).
        long received = follower.status().snapshotIndex();
        assertThat(snapshotDataBytes(followerId, received)).as("snapshot %d on node %d", received, followerId)
                .isGreaterThan(10L * CHUNK_BYTES);

        write(1_500, 1_600); // the caught-up follower takes part again
        long finalCommit = leader().status().committedIndex();
        await("every node applied everything", () -> running().allMatch(n -> n.status().appliedIndex() >= finalCommit));
        assertEveryNodeHoldsEveryAcknowledgedWrite();
        for (RaftNode node : nodes) {
            assertThat(node.status().purgedIndex()).as("node %d purged its log", node.nodeId()).isPositive();
        }

        stopAll();
        for (long id = 1; id <= 3; id++) {
            try (SegmentedLogStorage log = SegmentedLogStorage.builder(KvCluster.logDirectory(dataDir, id)).nodeId(id)
                    .clusterId(KvCluster.STORAGE_CLUSTER_ID).build()) {
                LogState state = log.open();
                assertThat(state.base().index()).as("node %d's log directory starts after a purge", id).isPositive();
            }
        }
        for (long id = 1; id <= 3; id++) {
            RaftStatus restored = build(id).status();
            assertThat(restored.snapshotIndex()).as("node %d's snapshot", id).isPositive();
            assertThat(restored.appliedIndex()).as("node %d restored from its snapshot when built", id)
                    .isEqualTo(restored.snapshotIndex());
        }
        running().forEach(RaftNode::start);
        write(1_600, 1_610);
        assertEveryNodeHoldsEveryAcknowledgedWrite();
    }

    // ------------------------------------------------------------------ cluster

    /** Builds node {@code id} (transport, log and snapshot store in its directories, a fresh KV map). */
    private RaftNode build(long id) throws IOException {
        int i = (int) id - 1;
        NettyTransport.Builder transport = NettyTransport.builder().clusterId("snapshot-test").nodeId(id)
                .bind("127.0.0.1", ports[i]);
        for (int j = 0; j < 3; j++) {
            if (j != i) {
                transport.peer(j + 1, "127.0.0.1:" + ports[j]);
            }
        }
        transports[i] = transport.build();
        nodes[i] = RaftNode.builder().nodeId(id).voters(1, 2, 3).config(CONFIG).stateMachine(new KvStateMachine())
                .logStorage(SegmentedLogStorage.builder(KvCluster.logDirectory(dataDir, id)).nodeId(id)
                        .clusterId(KvCluster.STORAGE_CLUSTER_ID).build())
                .snapshotStore(FileSnapshotStore.open(KvCluster.snapshotDirectory(dataDir, id),
                        KvCluster.STORAGE_CLUSTER_ID, 1, id, KvCluster.SNAPSHOTS_RETAINED))
                .transport(transports[i]).randomSeed(id).build();
        return nodes[i];
    }

    private void stop(long id) {
        int i = (int) id - 1;
        if (nodes[i] != null) {
            nodes[i].close();
            nodes[i] = null;
        }
        if (transports[i] != null) {
            transports[i].close();
            transports[i] = null;
        }
    }

    private RaftNode node(long id) {
        return nodes[(int) id - 1];
    }

    private Stream<RaftNode> running() {
        return Arrays.stream(nodes).filter(n -> n != null);
    }

    private RaftNode leader() {
        RaftNode[] found = new RaftNode[1];
        await("a leader is elected", () -> {
            found[0] = running().filter(n -> n.status().isLeader()).findFirst().orElse(null);
            return found[0] != null;
        });
        return found[0];
    }

    /** Size of node {@code id}'s snapshot data file for {@code index} ({@code snapshot-<index>-<term>.data}). */
    private long snapshotDataBytes(long id, long index) throws IOException {
        try (Stream<Path> files = Files.list(KvCluster.snapshotDirectory(dataDir, id))) {
            Path data = files.filter(p -> {
                String[] name = p.getFileName().toString().split("[-.]");
                return name.length == 4 && name[0].equals("snapshot") && name[3].equals("data")
                        && Long.parseLong(name[1]) == index;
            }).findFirst().orElseThrow(() -> new AssertionError("no data file of snapshot " + index + " on node " + id));
            return Files.size(data);
        }
    }

    // ------------------------------------------------------------------ writes and reads

    private static String key(int i) {
        return "key-" + i;
    }

    private static String value(int i) {
        return String.format("value-%05d-", i) + "v".repeat(52);
    }

    /** SETs keys {@code from..to-1} at the leader, {@value #WINDOW} at a time; records them as acknowledged. */
    private void write(int from, int to) throws Exception {
        for (int start = from; start < to; start += WINDOW) {
            int end = Math.min(to, start + WINDOW);
            RaftNode leader = leader();
            List<CompletableFuture<Object>> futures = new ArrayList<>();
            for (int i = start; i < end; i++) {
                futures.add(leader.propose(set(i)));
            }
            for (int i = start; i < end; i++) {
                try {
                    assertThat(futures.get(i - start).get(30, TimeUnit.SECONDS)).isEqualTo(KvStateMachine.OK);
                } catch (ExecutionException e) {
                    writeOne(i, e); // a leader change or a full queue: SET the same value again
                }
                acknowledged.put(key(i), value(i));
            }
        }
    }

    private void writeOne(int i, ExecutionException first) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Throwable last = first.getCause();
        while (System.nanoTime() < deadline) {
            if (!(last instanceof RaftException)) {
                throw new AssertionError("SET " + key(i) + " failed", last);
            }
            try {
                assertThat(leader().propose(set(i)).get(30, TimeUnit.SECONDS)).isEqualTo(KvStateMachine.OK);
                return;
            } catch (ExecutionException e) {
                last = e.getCause();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
        }
        throw new AssertionError("SET " + key(i) + " kept failing" + statuses(), last);
    }

    private static byte[] set(int i) {
        return KvCodec.set(bytes(key(i)), bytes(value(i)), 0);
    }

    /** Linearizable reads on every node: DBSIZE and the value of every acknowledged key. */
    private void assertEveryNodeHoldsEveryAcknowledgedWrite() throws Exception {
        List<String> keys = new ArrayList<>(acknowledged.keySet());
        for (RaftNode node : nodes) {
            assertThat(read(node, KvCodec.dbsize())).as("DBSIZE on node %d", node.nodeId())
                    .isEqualTo((long) keys.size());
            for (int from = 0; from < keys.size(); from += 200) {
                List<String> chunk = keys.subList(from, Math.min(keys.size(), from + 200));
                List<?> values = (List<?>) read(node, KvCodec.mget(chunk.stream().map(SnapshotTcpClusterTest::bytes)
                        .toList()));
                for (int j = 0; j < chunk.size(); j++) {
                    assertThat(values.get(j)).as("%s on node %d", chunk.get(j), node.nodeId()).isNotNull();
                    assertThat(new String((byte[]) values.get(j), StandardCharsets.UTF_8))
                            .as("%s on node %d", chunk.get(j), node.nodeId()).isEqualTo(acknowledged.get(chunk.get(j)));
                }
            }
        }
    }

    /** A read on {@code node}, retried while no leader confirms it. */
    private Object read(RaftNode node, byte[] query) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return node.read(query).get(30, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("read on node " + node.nodeId() + " kept failing" + statuses(), e);
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ waiting

    /** Polls {@code condition} every millisecond; after 30 s fails with every node's status. */
    private void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what + statuses());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private String statuses() {
        StringBuilder out = new StringBuilder("; statuses:");
        for (int i = 0; i < nodes.length; i++) {
            out.append("\n  node ").append(i + 1).append(": ").append(nodes[i] == null ? "stopped" : nodes[i].status());
        }
        return out.toString();
    }

}
