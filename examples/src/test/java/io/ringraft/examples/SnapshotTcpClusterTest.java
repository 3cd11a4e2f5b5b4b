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

    /** A transfer paced to 64 KiB/s in 4 KiB chunks, checkpointed every 16 KiB: it takes seconds. */
    private static final RaftConfig SLOW_TRANSFER = RaftConfig.builder().tickMillis(5).heartbeatIntervalMillis(20)
            .electionTimeoutMillis(200).ringCapacityEntries(1024).ringCapacityBytes(1 << 20).maxEntryBytes(4096)
            .proposalQueueBytes(1 << 16)
            .snapshotIntervalEntries(200).snapshotLogTailEntries(20).snapshotChunkBytes(4096)
            .snapshotSendBytesPerSecond(64 * 1024).snapshotCheckpointBytes(16 * 1024)
            .followerRetentionEntries(0).build();

    private RaftConfig config = CONFIG;
    /** Wraps each node's snapshot store as it is built (the resume test counts what a follower receives). */
    private java.util.function.UnaryOperator<io.ringraft.spi.SnapshotStore> storeWrapper = store -> store;
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

    /**
     * Issue 20, "resume a partly received snapshot": a follower restarted in the middle of a slow
     * (paced) snapshot transfer continues it from its last checkpoint instead of from the start: it
     * receives only the rest of the data, and ends with every acknowledged write.
     */
    @Test
    void aFollowerRestartedDuringASnapshotTransferResumesItFromItsLastCheckpoint() throws Exception {
        config = SLOW_TRANSFER;
        ports = FreePorts.pick(3);
        for (long id = 1; id <= 3; id++) {
            build(id).start();
        }
        write(0, 100);
        long followerId = running().filter(n -> !n.status().isLeader()).findFirst().orElseThrow().nodeId();
        long stoppedAt = node(followerId).status().lastLogId().index();
        stop(followerId);
        write(100, 2_000);
        await("the running nodes purged their logs past the stopped follower's last entry " + stoppedAt,
                () -> running().allMatch(n -> n.status().purgedIndex() > stoppedAt));

        ReceiveCounter first = new ReceiveCounter();
        storeWrapper = first;
        build(followerId).start();
        await("the follower checkpointed part of the snapshot it receives", () -> first.checkpointed.get() >= 32 * 1024);
        stop(followerId); // mid-transfer
        long kept;
        try (FileSnapshotStore store = openSnapshotStore(followerId)) {
            io.ringraft.spi.PartialSnapshot partial = store.partial().orElseThrow(
                    () -> new AssertionError("no partial snapshot kept after the follower stopped mid-transfer"));
            kept = partial.durableBytes();
            assertThat(kept).isGreaterThanOrEqualTo(32 * 1024);
        }

        ReceiveCounter second = new ReceiveCounter();
        storeWrapper = second;
        RaftNode follower = build(followerId);
        follower.start();
        long commit = leader().status().committedIndex();
        await("the restarted follower caught up to " + commit + " from a snapshot",
                () -> follower.status().appliedIndex() >= commit && follower.status().snapshotIndex() > stoppedAt);
        long size = snapshotDataBytes(followerId, follower.status().snapshotIndex());
        assertThat(second.resumedAt.get()).as("resumed at its checkpoint").isEqualTo(kept);
        assertThat(second.received.get()).as("received only the rest of the %d bytes", size).isEqualTo(size - kept);
        storeWrapper = store -> store;
        write(2_000, 2_010);
        assertEveryNodeHoldsEveryAcknowledgedWrite();
    }

    /** Counts what a node's snapshot store receives from a leader: bytes, checkpoints, a resume. */
    private static final class ReceiveCounter implements java.util.function.UnaryOperator<io.ringraft.spi.SnapshotStore> {
        final java.util.concurrent.atomic.AtomicLong received = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong checkpointed = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong resumedAt = new java.util.concurrent.atomic.AtomicLong(-1);

        @Override
        public io.ringraft.spi.SnapshotStore apply(io.ringraft.spi.SnapshotStore store) {
            return new io.ringraft.spi.SnapshotStore() {
                @Override
                public java.util.Optional<io.ringraft.spi.SnapshotInfo> latest() throws IOException {
                    return store.latest();
                }

                @Override
                public io.ringraft.spi.SnapshotSink begin(io.ringraft.api.LogId last, byte[] membership)
                        throws IOException {
                    return store.begin(last, membership);
                }

                @Override
                public io.ringraft.spi.SnapshotSink beginReceiving(io.ringraft.api.LogId last, byte[] membership,
                                                                   long leaderId, long leaderTerm) throws IOException {
                    return counting(store.beginReceiving(last, membership, leaderId, leaderTerm), 0);
                }

                @Override
                public java.util.Optional<io.ringraft.spi.PartialSnapshot> partial() throws IOException {
                    return store.partial();
                }

                @Override
                public io.ringraft.spi.SnapshotSink resume(io.ringraft.spi.PartialSnapshot partial) throws IOException {
                    io.ringraft.spi.SnapshotSink sink = store.resume(partial);
                    resumedAt.set(partial.durableBytes());
                    return counting(sink, partial.durableBytes());
                }

                @Override
                public java.io.InputStream open(io.ringraft.spi.SnapshotInfo snapshot) throws IOException {
                    return store.open(snapshot);
                }

                @Override
                public void close() throws IOException {
                    store.close();
                }
            };
        }

        private io.ringraft.spi.SnapshotSink counting(io.ringraft.spi.SnapshotSink sink, long held) {
            java.util.concurrent.atomic.AtomicLong position = new java.util.concurrent.atomic.AtomicLong(held);
            java.io.OutputStream data = new java.io.OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    sink.data().write(b);
                    received.incrementAndGet();
                    position.incrementAndGet();
                }

                @Override
                public void write(byte[] bytes, int offset, int length) throws IOException {
                    sink.data().write(bytes, offset, length);
                    received.addAndGet(length);
                    position.addAndGet(length);
                }
            };
            return new io.ringraft.spi.SnapshotSink() {
                @Override
                public java.io.OutputStream data() {
                    return data;
                }

                @Override
                public void checkpoint() throws IOException {
                    sink.checkpoint();
                    checkpointed.set(position.get());
                }

                @Override
                public io.ringraft.spi.SnapshotInfo commit() throws IOException {
                    return sink.commit();
                }

                @Override
                public void close() throws IOException {
                    sink.close();
                }
            };
        }
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
        nodes[i] = RaftNode.builder().nodeId(id).voters(1, 2, 3).config(config).stateMachine(new KvStateMachine())
                .logStorage(SegmentedLogStorage.builder(KvCluster.logDirectory(dataDir, id)).nodeId(id)
                        .clusterId(KvCluster.STORAGE_CLUSTER_ID).build())
                .snapshotStore(storeWrapper.apply(openSnapshotStore(id)))
                .transport(transports[i]).randomSeed(id).build();
        return nodes[i];
    }

    private FileSnapshotStore openSnapshotStore(long id) throws IOException {
        return FileSnapshotStore.open(KvCluster.snapshotDirectory(dataDir, id), KvCluster.STORAGE_CLUSTER_ID, 1, id,
                KvCluster.SNAPSHOTS_RETAINED);
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
