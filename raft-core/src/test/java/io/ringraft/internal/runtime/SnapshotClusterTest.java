package io.ringraft.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.Bytes;
import io.ringraft.api.LogId;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftException;
import io.ringraft.api.RaftNode;
import io.ringraft.api.RaftStatus;
import io.ringraft.api.RejectedException;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.local.InMemorySnapshotStore;
import io.ringraft.local.LocalNetwork;
import io.ringraft.spi.LogEntries;
import io.ringraft.internal.simdisk.SimDisk;
import io.ringraft.internal.simdisk.SimLogStorage;
import io.ringraft.spi.LogStorage;
import io.ringraft.spi.StateMachine;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Snapshots and log compaction on real threads over the in-process network, with in-memory logs and
 * snapshot stores: a follower that falls behind a leader whose log is purged past it catches up from
 * the leader's snapshot (partitioned, or closed and rebuilt from its storage), a rebuilt node holds
 * its snapshot's state before it starts, and {@link RaftNode#takeSnapshot()} completes with the
 * applied entry and lets the log be purged below it less the tail, or fails when the node has no
 * store or the state machine takes no snapshots.
 *
 * <p>Tests that rebuild a node keep its log on a {@link SimDisk} (the simulator's storage, which
 * survives a close as a real disk does): {@link InMemoryLogStorage} drops its content when closed.
 */
class SnapshotClusterTest {

    /** The commands it applied, in order; snapshots are the list. Answers reads with a copy of it. */
    static final class ListStateMachine implements StateMachine {
        private final List<String> applied = new ArrayList<>();
        final AtomicInteger restores = new AtomicInteger();
        /** Index of the first entry applied (after any restore at build), 0 before. */
        volatile long firstApplied;

        @Override
        public void apply(LogEntries entries, ApplyResults results) {
            if (firstApplied == 0) {
                firstApplied = entries.firstIndex();
            }
            for (int i = 0; i < entries.count(); i++) {
                byte[] bytes = entries.payloadAt(i).toByteArray();
                applied.add(new String(bytes, StandardCharsets.UTF_8));
                results.set(i, entries.firstIndex() + i);
            }
        }

        @Override
        public Object query(Bytes query) {
            return List.copyOf(applied);
        }

        @Override
        public Snapshot snapshot() {
            List<String> view = List.copyOf(applied);
            return out -> {
                DataOutputStream data = new DataOutputStream(out);
                data.writeInt(view.size());
                for (String command : view) {
                    data.writeUTF(command);
                }
                data.flush();
            };
        }

        @Override
        public void restore(InputStream in) throws IOException {
            DataInputStream data = new DataInputStream(in);
            int count = data.readInt();
            List<String> restored = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                restored.add(data.readUTF());
            }
            if (data.read() != -1) {
                throw new IOException("data after " + count + " commands");
            }
            applied.clear();
            applied.addAll(restored);
            restores.incrementAndGet();
        }
    }

    /** Applies commands and takes no snapshots (the default {@code snapshot()}). */
    static final class NoSnapshots implements StateMachine {
        @Override
        public void apply(LogEntries entries, ApplyResults results) {
        }
    }

    /** A snapshot every 50 entries, 10 kept below it, sent in 256-byte chunks. */
    private static final RaftConfig COMPACTING = base().snapshotIntervalEntries(50).snapshotLogTailEntries(10)
            .snapshotChunkBytes(256).build();
    /** Snapshots only when asked for. */
    private static final RaftConfig MANUAL = base().snapshotIntervalEntries(0).snapshotIntervalBytes(0)
            .snapshotLogTailEntries(5).build();

    private static RaftConfig.Builder base() {
        // No log kept for lagging followers: these tests purge past a follower on purpose.
        return RaftConfig.builder().tickMillis(5).heartbeatIntervalMillis(20).electionTimeoutMillis(150)
                .ringCapacityEntries(1024).ringCapacityBytes(1 << 20).maxEntryBytes(4096).proposalQueueBytes(1 << 16)
                .followerRetentionEntries(0);
    }

    private final LocalNetwork network = new LocalNetwork();
    private final RaftNode[] nodes = new RaftNode[3];
    private final ListStateMachine[] machines = new ListStateMachine[3];
    private final InMemorySnapshotStore[] stores = new InMemorySnapshotStore[3];
    /** The nodes' logs, if they must survive a rebuild ({@link #keepLogsOnDisks()}); else in memory. */
    private final SimDisk[] disks = new SimDisk[3];
    private final List<String> acknowledged = new ArrayList<>();

    @AfterEach
    void closeAll() {
        for (RaftNode node : nodes) {
            if (node != null) {
                node.close();
            }
        }
    }

    private void keepLogsOnDisks() {
        for (int i = 0; i < disks.length; i++) {
            disks[i] = new SimDisk();
        }
    }

    /** Builds node {@code id} on its storage (its snapshot store again if it had one), a new state machine. */
    private RaftNode build(long id, RaftConfig config) {
        int i = (int) id - 1;
        if (stores[i] == null) {
            stores[i] = new InMemorySnapshotStore();
        }
        LogStorage log = disks[i] == null ? new InMemoryLogStorage() : new SimLogStorage(disks[i]);
        machines[i] = new ListStateMachine();
        nodes[i] = RaftNode.builder().nodeId(id).voters(1, 2, 3).config(config).stateMachine(machines[i])
                .logStorage(log).snapshotStore(stores[i].reopen()).transport(network).randomSeed(id).build();
        return nodes[i];
    }

    private RaftNode start(long id, RaftConfig config) {
        RaftNode node = build(id, config);
        node.start();
        return node;
    }

    @Test
    void aPartitionedFollowerCatchesUpFromTheLeadersSnapshot() throws Exception {
        for (long id = 1; id <= 3; id++) {
            start(id, COMPACTING);
        }
        propose(0, 20);
        awaitAllApplied();
        RaftNode follower = follower();
        int f = (int) follower.nodeId() - 1;
        long isolatedAt = follower.status().lastLogId().index();
        network.isolate(1, follower.nodeId());

        propose(20, 320); // six snapshot intervals
        await("the others purged their logs past entry " + isolatedAt, () -> others(follower).stream()
                .allMatch(n -> n.status().purgedIndex() > isolatedAt && n.status().snapshotIndex() > isolatedAt));
        assertThat(follower.status().appliedIndex()).isLessThanOrEqualTo(isolatedAt);

        network.heal(1, follower.nodeId());
        long commit = leader().status().committedIndex();
        await("the follower caught up to " + commit + " from a snapshot",
                () -> follower.status().appliedIndex() >= commit && follower.status().snapshotIndex() > isolatedAt);
        assertThat(machines[f].restores).as("restores on the follower").hasPositiveValue();
        propose(320, 330);
        assertEveryNodeAppliedEveryCommandInOrder();
    }

    @Test
    void aFollowerClosedWhileTheLogIsPurgedPastItRestoresItsSnapshotThenCatchesUpFromTheLeaders() throws Exception {
        keepLogsOnDisks();
        for (long id = 1; id <= 3; id++) {
            start(id, COMPACTING);
        }
        propose(0, 120);
        awaitAllApplied();
        RaftNode follower = follower();
        long id = follower.nodeId();
        await("the follower took a snapshot", () -> follower.status().snapshotIndex() > 0);
        long stoppedAt = follower.status().lastLogId().index();
        follower.close();

        propose(120, 420);
        await("the others purged their logs past entry " + stoppedAt, () -> others(follower).stream()
                .allMatch(n -> n.status().purgedIndex() > stoppedAt));

        RaftNode rebuilt = build(id, COMPACTING); // same log disk and snapshot store
        ListStateMachine machine = machines[(int) id - 1];
        RaftStatus built = rebuilt.status();
        assertThat(built.snapshotIndex()).as("its own snapshot").isPositive().isLessThanOrEqualTo(stoppedAt);
        assertThat(built.appliedIndex()).as("restored when built").isEqualTo(built.snapshotIndex());
        assertThat(machine.restores).hasValue(1);
        rebuilt.start();
        long commit = leader().status().committedIndex();
        await("the rebuilt follower caught up to " + commit + " from a snapshot past " + stoppedAt,
                () -> rebuilt.status().appliedIndex() >= commit && rebuilt.status().snapshotIndex() > stoppedAt);
        assertThat(machine.restores).as("its own snapshot when built, then the leader's")
                .hasValueGreaterThanOrEqualTo(2);
        propose(420, 430);
        assertEveryNodeAppliedEveryCommandInOrder();
    }

    @Test
    void aRestartedNodeHoldsItsSnapshotsStateBeforeItStartsAndReplaysOnlyTheLogAfterIt() throws Exception {
        keepLogsOnDisks();
        for (long id = 1; id <= 3; id++) {
            start(id, COMPACTING);
        }
        propose(0, 60);
        awaitAllApplied();
        RaftNode follower = follower();
        int f = (int) follower.nodeId() - 1;
        long applied = follower.status().appliedIndex();
        LogId snapshot = follower.takeSnapshot().get(20, TimeUnit.SECONDS);
        assertThat(snapshot.index()).isEqualTo(applied);
        follower.close();

        RaftNode rebuilt = build(follower.nodeId(), COMPACTING);
        RaftStatus built = rebuilt.status();
        assertThat(built.snapshotIndex()).isEqualTo(snapshot.index());
        assertThat(built.appliedIndex()).isEqualTo(snapshot.index());
        assertThat(machines[f].restores).hasValue(1);
        rebuilt.start();
        propose(60, 70);
        assertEveryNodeAppliedEveryCommandInOrder();
        assertThat(machines[f].firstApplied).as("the first entry applied after the restore")
                .isGreaterThan(snapshot.index());
        assertThat(machines[f].restores).hasValue(1);
    }

    @Test
    void takeSnapshotCompletesWithTheAppliedEntryAndThePurgeFollowsLessTheTail() throws Exception {
        for (long id = 1; id <= 3; id++) {
            start(id, MANUAL);
        }
        propose(0, 40);
        // Every follower holds every entry before the leader compacts: a follower still behind the purge
        // would be sent the leader's snapshot instead, and its log reset rather than purged less the tail.
        awaitAllApplied();
        RaftNode leader = leader();
        RaftStatus before = leader.status();
        assertThat(before.snapshotIndex()).isZero();
        assertThat(before.purgedIndex()).isZero();

        LogId taken = leader.takeSnapshot().get(20, TimeUnit.SECONDS);
        assertThat(taken).isEqualTo(new LogId(before.term(), before.appliedIndex())); // nothing was applied since
        await("the leader's log is purged up to " + (taken.index() - 5), () -> leader.status().snapshotIndex()
                == taken.index() && leader.status().purgedIndex() == taken.index() - 5);
        assertThat(leader.takeSnapshot().get(20, TimeUnit.SECONDS)).as("nothing new to capture").isEqualTo(taken);
        assertThat(stores[(int) leader.nodeId() - 1].latest()).hasValueSatisfying(s -> assertThat(s.last())
                .isEqualTo(taken));

        awaitAllApplied();
        RaftNode follower = follower();
        LogId onFollower = follower.takeSnapshot().get(20, TimeUnit.SECONDS); // works on any node
        assertThat(onFollower).isEqualTo(taken);
        await("the follower's log is purged too", () -> follower.status().purgedIndex() == taken.index() - 5);

        propose(40, 50);
        assertEveryNodeAppliedEveryCommandInOrder();
        assertThat(leader.status().snapshotIndex()).as("no policy: no snapshot unless asked").isEqualTo(taken.index());
    }

    @Test
    void takeSnapshotOnANodeWithoutAStoreIsRejected() throws Exception {
        nodes[0] = RaftNode.builder().nodeId(1).voters(1).config(COMPACTING).stateMachine(new ListStateMachine())
                .logStorage(new InMemoryLogStorage()).transport(network).build();
        nodes[0].start();
        leader();
        nodes[0].propose("x".getBytes(StandardCharsets.UTF_8)).get(20, TimeUnit.SECONDS);
        assertThat(nodes[0].takeSnapshot()).failsWithin(Duration.ofSeconds(20))
                .withThrowableOfType(ExecutionException.class).havingCause().isInstanceOf(RejectedException.class)
                .withMessageContaining("no snapshot store");
        assertThat(nodes[0].status().snapshotIndex()).isZero();
    }

    @Test
    void takeSnapshotWithAStateMachineThatTakesNoneFailsWithItsUnsupportedOperationException() throws Exception {
        nodes[0] = RaftNode.builder().nodeId(1).voters(1).config(MANUAL).stateMachine(new NoSnapshots())
                .logStorage(new InMemoryLogStorage()).snapshotStore(new InMemorySnapshotStore()).transport(network)
                .build();
        nodes[0].start();
        leader();
        nodes[0].propose("x".getBytes(StandardCharsets.UTF_8)).get(20, TimeUnit.SECONDS);
        assertThat(nodes[0].takeSnapshot()).failsWithin(Duration.ofSeconds(20))
                .withThrowableOfType(ExecutionException.class).havingCause()
                .isInstanceOf(UnsupportedOperationException.class).withMessageContaining("does not take snapshots");
        RaftStatus status = nodes[0].status();
        assertThat(status.snapshotIndex()).isZero();
        assertThat(status.purgedIndex()).isZero();
        assertThat(status.failure()).isNull(); // the node goes on, keeping its whole log
        nodes[0].propose("y".getBytes(StandardCharsets.UTF_8)).get(20, TimeUnit.SECONDS);
        assertThat(nodes[0].takeSnapshot()).as("asking again fails the same way, and does not hang")
                .failsWithin(Duration.ofSeconds(20))
                .withThrowableOfType(ExecutionException.class).havingCause()
                .isInstanceOf(UnsupportedOperationException.class);
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Proposes commands {@code c<from>..c<to-1>} at the leader, 50 at a time. One that fails (a leader
     * change under a loaded machine) is proposed again, so it may be applied twice.
     */
    private void propose(int from, int to) throws Exception {
        for (int start = from; start < to; start += 50) {
            int end = Math.min(to, start + 50);
            RaftNode leader = leader();
            List<CompletableFuture<Object>> futures = new ArrayList<>();
            for (int i = start; i < end; i++) {
                futures.add(leader.propose(command(i)));
            }
            for (int i = start; i < end; i++) {
                try {
                    futures.get(i - start).get(20, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    proposeAgain(i, e);
                }
                acknowledged.add("c" + i);
            }
        }
    }

    private void proposeAgain(int i, ExecutionException first) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        Throwable last = first.getCause();
        while (last instanceof RaftException && System.nanoTime() < deadline) {
            try {
                leader().propose(command(i)).get(20, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException e) {
                last = e.getCause();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
        }
        throw new AssertionError("command " + i + " kept failing" + statuses(), last);
    }

    private static byte[] command(int i) {
        return ("c" + i).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Every running node applied the leader's commit index and holds the same commands, every
     * acknowledged one among them (exactly those, in order, unless one had to be proposed again).
     */
    private void assertEveryNodeAppliedEveryCommandInOrder() throws Exception {
        awaitAllApplied();
        List<Object> first = null;
        for (RaftNode node : running()) {
            @SuppressWarnings("unchecked")
            List<Object> commands = (List<Object>) node.read(new byte[0]).get(20, TimeUnit.SECONDS);
            assertThat(commands).as("commands on node %d", node.nodeId()).containsAll(new ArrayList<Object>(acknowledged));
            if (first == null) {
                first = commands;
            } else {
                assertThat(commands).as("commands on node %d", node.nodeId()).isEqualTo(first);
            }
        }
    }

    private void awaitAllApplied() {
        long commit = leader().status().committedIndex();
        await("every node applied up to " + commit, () -> running().stream()
                .allMatch(n -> n.status().appliedIndex() >= commit));
    }

    private List<RaftNode> running() {
        List<RaftNode> running = new ArrayList<>();
        for (RaftNode node : nodes) {
            if (node != null && !node.status().closed()) {
                running.add(node);
            }
        }
        return running;
    }

    private List<RaftNode> others(RaftNode node) {
        return running().stream().filter(n -> n != node).toList();
    }

    private RaftNode leader() {
        RaftNode[] found = new RaftNode[1];
        await("a leader is elected", () -> {
            found[0] = running().stream().filter(n -> n.status().isLeader()).findFirst().orElse(null);
            return found[0] != null;
        });
        return found[0];
    }

    private RaftNode follower() {
        RaftNode leader = leader();
        return others(leader).get(0);
    }

    /** Polls {@code condition} every millisecond; after 20 s fails with every node's status. */
    private void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
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
            out.append("\n  node ").append(i + 1).append(": ").append(nodes[i] == null ? "none" : nodes[i].status());
        }
        return out.toString();
    }
}
