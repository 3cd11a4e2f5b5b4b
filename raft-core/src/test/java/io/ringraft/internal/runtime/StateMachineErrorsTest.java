package io.ringraft.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.api.Admission;
import io.ringraft.api.NodeStoppedException;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftException;
import io.ringraft.api.RaftNode;
import io.ringraft.api.RejectedByStateMachineException;
import io.ringraft.api.StateMachineFailedException;
import io.ringraft.api.StorageFailedException;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.local.InMemorySnapshotStore;
import io.ringraft.local.LocalNetwork;
import io.ringraft.internal.simdisk.SimDisk;
import io.ringraft.internal.simdisk.SimLogStorage;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.StateMachine;
import io.ringraft.spi.StreamingStateMachine;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A state machine that rejects a command (a deterministic error result: the proposer gets a
 * {@link RejectedByStateMachineException}, every replica rejects it, the node goes on) versus one that
 * throws (fail-stop with a {@link StateMachineFailedException}, not a storage failure), for the
 * synchronous and the streaming state machine, reads, snapshots and restores.
 */
class StateMachineErrorsTest {

    private static final RaftConfig CONFIG = RaftConfig.builder().tickMillis(5).heartbeatIntervalMillis(20)
            .electionTimeoutMillis(150).ringCapacityEntries(1024).ringCapacityBytes(1 << 20).maxEntryBytes(4096)
            .proposalQueueBytes(1 << 16).build();

    /**
     * Commands are text: {@code "reject:<code>"} is rejected with that code, {@code "boom"} throws, anything
     * else is applied (recorded) and answered with its index. Records what it rejected, by index.
     */
    static class Ledger implements StateMachine {
        final List<String> applied = new CopyOnWriteArrayList<>();
        final List<Long> rejected = new CopyOnWriteArrayList<>();

        @Override
        public void apply(LogEntries entries, ApplyResults results) {
            for (int i = 0; i < entries.count(); i++) {
                String command = text(entries, i);
                long index = entries.firstIndex() + i;
                if (command.startsWith("reject:")) {
                    results.set(i, "overwritten by the rejection");
                    results.reject(i, Integer.parseInt(command.substring(7)), "refused " + command);
                    rejected.add(index);
                } else if (command.equals("boom")) {
                    throw new IllegalStateException("boom at " + index);
                } else {
                    applied.add(command);
                    results.set(i, index);
                }
            }
        }

        @Override
        public Object query(io.ringraft.api.Bytes query) {
            if (query.length() > 0) {
                throw new IllegalArgumentException("bad query");
            }
            return applied.size();
        }
    }

    private final LocalNetwork network = new LocalNetwork();
    private final List<RaftNode> nodes = new ArrayList<>();

    @AfterEach
    void closeAll() {
        nodes.forEach(RaftNode::close);
    }

    @Test
    void aRejectedCommandFailsOnlyItsProposerEveryReplicaRejectsItAndTheClusterGoesOn() throws Exception {
        ProposalReports reports = new ProposalReports();
        List<Ledger> ledgers = new ArrayList<>();
        for (long id = 1; id <= 3; id++) {
            Ledger ledger = new Ledger();
            ledgers.add(ledger);
            nodes.add(RaftNode.builder().nodeId(id).voters(1, 2, 3).config(CONFIG).stateMachine(ledger)
                    .proposalListener(reports).logStorage(new InMemoryLogStorage()).transport(network)
                    .randomSeed(id).build());
        }
        nodes.forEach(RaftNode::start);
        RaftNode leader = awaitLeader();
        RaftNode follower = nodes.stream().filter(node -> node != leader).findFirst().orElseThrow();

        CompletableFuture<Object> before = leader.propose(bytes("a"));
        CompletableFuture<Object> rejected = leader.propose(bytes("reject:7"));
        CompletableFuture<Object> after = leader.propose(bytes("b"));
        long beforeIndex = (Long) before.get(20, TimeUnit.SECONDS);
        RejectedByStateMachineException rejection = failure(rejected, RejectedByStateMachineException.class);
        assertThat(rejection.code()).isEqualTo(7);
        assertThat(rejection.reason()).isEqualTo("refused reject:7");
        assertThat(rejection.index()).isEqualTo(beforeIndex + 1);
        assertThat(rejection.mayHaveTakenEffect()).isFalse();
        assertThat(rejection).hasMessageContaining("index " + (beforeIndex + 1)).hasMessageContaining("code 7");
        assertThat((Long) after.get(20, TimeUnit.SECONDS)).isEqualTo(beforeIndex + 2);

        // The allocation-free form: the listener is told, once.
        byte[] command = bytes("reject:8");
        assertThat(leader.tryPropose(command, 0, command.length, 42)).isEqualTo(Admission.ACCEPTED);
        await("the listener hears of the rejection", () -> !reports.of(42).isEmpty());
        assertThat(reports.of(42)).hasSize(1);
        assertThat(reports.of(42).get(0).failure()).isInstanceOf(RejectedByStateMachineException.class)
                .satisfies(failure -> assertThat(((RejectedByStateMachineException) failure).code()).isEqualTo(8));

        // Forwarded from a follower: the follower's own state machine rejected it too.
        RejectedByStateMachineException forwarded = failure(follower.forward(bytes("reject:9")),
                RejectedByStateMachineException.class);
        assertThat(forwarded.code()).isEqualTo(9);

        await("every replica rejected the same three commands", () -> ledgers.stream()
                .allMatch(ledger -> ledger.rejected.size() == 3));
        for (Ledger ledger : ledgers) {
            assertThat(ledger.rejected).isEqualTo(ledgers.get(0).rejected);
            assertThat(ledger.applied).containsExactly("a", "b");
        }
        assertThat(ledgers.get(0).rejected.get(0)).isEqualTo(beforeIndex + 1);
        assertThat(leader.propose(bytes("c")).get(20, TimeUnit.SECONDS)).as("the cluster goes on").isNotNull();
        for (RaftNode node : nodes) {
            assertThat(node.status().failure()).isNull();
        }
    }

    @Test
    void aThrowingApplyStopsTheNodeWithStateMachineFailedExceptionAndIsReplayedAfterARestart() throws Exception {
        SimDisk disk = new SimDisk();
        RaftNode node = single(new Ledger(), new SimLogStorage(disk), null);
        awaitLeader();
        assertThat(node.propose(bytes("a")).get(20, TimeUnit.SECONDS)).isNotNull();

        StateMachineFailedException failure = failure(node.propose(bytes("boom")), StateMachineFailedException.class);
        assertThat(failure).isNotInstanceOf(StorageFailedException.class).hasMessageContaining("node 1")
                .hasRootCauseInstanceOf(IllegalStateException.class).hasRootCauseMessage("boom at 3");
        assertThat(failure.mayHaveTakenEffect()).isTrue();
        await("the node stopped", () -> node.status().failure() != null);
        assertThat(node.status().failure()).startsWith(StateMachineFailedException.class.getName())
                .contains("applying entry 3");
        failure(node.propose(bytes("c")), NodeStoppedException.class);
        node.close();

        // The entry is committed: the same bug stops the restarted node again, on the same entry ...
        RaftNode again = single(new Ledger(), new SimLogStorage(disk), null);
        await("the restarted node stops on the replayed entry", () -> again.status().failure() != null);
        assertThat(again.status().failure()).contains("StateMachineFailedException").contains("boom at 3");
        again.close();

        // ... and a fixed state machine applies it and goes on.
        Ledger fixed = new Ledger() {
            @Override
            public void apply(LogEntries entries, ApplyResults results) {
                for (int i = 0; i < entries.count(); i++) {
                    applied.add(text(entries, i));
                    results.set(i, entries.firstIndex() + i);
                }
            }
        };
        RaftNode repaired = single(fixed, new SimLogStorage(disk), null);
        awaitLeader();
        assertThat(repaired.propose(bytes("d")).get(20, TimeUnit.SECONDS)).isNotNull();
        assertThat(fixed.applied).containsExactly("a", "boom", "d");
        assertThat(repaired.status().failure()).isNull();
    }

    @Test
    void aThrowingQueryFailsOnlyItsRead() throws Exception {
        RaftNode node = single(new Ledger(), new InMemoryLogStorage(), null);
        awaitLeader();
        assertThat(node.propose(bytes("a")).get(20, TimeUnit.SECONDS)).isNotNull();
        StateMachineFailedException failure = failure(node.read(new byte[] {1}), StateMachineFailedException.class);
        assertThat(failure).hasRootCauseMessage("bad query").hasMessageContaining("answering a read");
        assertThat(node.read(new byte[0]).get(20, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(node.status().failure()).as("the node goes on").isNull();
    }

    @Test
    void aStreamingStateMachineRejectsThroughItsProgress() throws Exception {
        HeldStreamingStateMachine machine = new HeldStreamingStateMachine();
        RaftNode node = singleStreaming(machine);
        awaitLeader();
        CompletableFuture<Object> first = node.propose(new byte[] {1});
        CompletableFuture<Object> second = node.propose(new byte[] {2});
        machine.awaitHandedOver(2);
        long index = machine.firstHeldIndex();
        machine.rejecting = i -> i == index + 1;
        machine.applyAndReportAll();
        machine.rejecting = i -> false;
        assertThat(first.get(20, TimeUnit.SECONDS)).isEqualTo("r" + index);
        RejectedByStateMachineException rejection = failure(second, RejectedByStateMachineException.class);
        assertThat(rejection.index()).isEqualTo(index + 1);
        assertThat(rejection.code()).isEqualTo(3);
        assertThat(rejection.reason()).isEqualTo("no");

        CompletableFuture<Object> third = node.propose(new byte[] {3});
        machine.awaitHandedOver(3);
        machine.applyAndReportAll();
        assertThat(third.get(20, TimeUnit.SECONDS)).as("the node goes on").isEqualTo("r" + (index + 2));
        assertThatThrownBy(() -> machine.progress().reject(index + 2, 1, "late"))
                .as("a rejection after progress passed the command").isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aStreamingStateMachineThatThrowsFromAcceptStopsTheNode() throws Exception {
        StreamingStateMachine throwing = (commands, progress) -> {
            throw new IllegalStateException("cannot take " + commands.firstIndex());
        };
        RaftNode node = singleStreaming(throwing);
        awaitLeader();
        StateMachineFailedException failure = failure(node.propose(new byte[] {1}), StateMachineFailedException.class);
        assertThat(failure).hasRootCauseInstanceOf(IllegalStateException.class);
        await("the node stopped", () -> node.status().failure() != null);
        assertThat(node.status().failure()).startsWith(StateMachineFailedException.class.getName())
                .contains("accepting entries 2..2");
    }

    @Test
    void aStreamingStateMachineFailingOnItsOwnThreadStopsTheNodeThroughItsProgress() throws Exception {
        HeldStreamingStateMachine machine = new HeldStreamingStateMachine();
        RaftNode node = singleStreaming(machine);
        awaitLeader();
        CompletableFuture<Object> pending = node.propose(new byte[] {1});
        machine.awaitHandedOver(1);
        machine.progress().fail(new IOException("the state machine's database is gone"));
        StateMachineFailedException failure = failure(pending, StateMachineFailedException.class);
        assertThat(failure).hasRootCauseMessage("the state machine's database is gone");
        await("the node stopped", () -> node.status().failure() != null);
        assertThat(node.status().failure()).contains("StateMachineFailedException").contains("ApplyProgress.fail");
        machine.progress().fail(new IOException("a second failure is ignored"));
        assertThat(node.status().failure()).doesNotContain("second failure");
    }

    @Test
    void aSnapshotWriteThatThrowsStopsTheNodeWithStateMachineFailedException() throws Exception {
        Ledger ledger = new Ledger() {
            @Override
            public Snapshot snapshot() {
                return out -> {
                    out.write(1); // the store took it: the failure below is the state machine's own
                    throw new IllegalStateException("cannot serialize");
                };
            }
        };
        RaftNode node = single(ledger, new InMemoryLogStorage(), new InMemorySnapshotStore());
        awaitLeader();
        assertThat(node.propose(bytes("a")).get(20, TimeUnit.SECONDS)).isNotNull();
        CompletableFuture<?> snapshot = node.takeSnapshot();
        assertThatThrownBy(() -> snapshot.get(20, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        await("the node stopped", () -> node.status().failure() != null);
        assertThat(node.status().failure()).startsWith(StateMachineFailedException.class.getName())
                .contains("writing snapshot").contains("cannot serialize");
    }

    @Test
    void aRestoreThatThrowsAtStartupFailsTheBuildWithStateMachineFailedException() throws Exception {
        SimDisk disk = new SimDisk();
        InMemorySnapshotStore store = new InMemorySnapshotStore();
        Ledger ledger = new Ledger() {
            @Override
            public Snapshot snapshot() {
                return out -> out.write(applied.size());
            }
        };
        RaftNode node = single(ledger, new SimLogStorage(disk), store);
        awaitLeader();
        assertThat(node.propose(bytes("a")).get(20, TimeUnit.SECONDS)).isNotNull();
        node.takeSnapshot().get(20, TimeUnit.SECONDS);
        node.close();

        Ledger broken = new Ledger() {
            @Override
            public void restore(InputStream data) {
                throw new IllegalStateException("unknown snapshot format");
            }
        };
        assertThatThrownBy(() -> RaftNode.builder().nodeId(1).voters(1).config(CONFIG).stateMachine(broken)
                .logStorage(new SimLogStorage(disk)).snapshotStore(store.reopen()).transport(network).build())
                .isInstanceOf(StateMachineFailedException.class).hasMessageContaining("restoring snapshot")
                .hasRootCauseMessage("unknown snapshot format");
    }

    @Test
    void aFailingSnapshotStreamIsAStorageFailureWhateverTheStateMachineThrowsAboutIt() {
        InputStream failing = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("EIO");
            }
        };
        StateMachine wrapping = new Ledger() {
            @Override
            public void restore(InputStream data) {
                try {
                    data.read();
                } catch (IOException e) {
                    throw new IllegalStateException("could not read", e);
                }
            }
        };
        assertThatThrownBy(() -> StateMachineCalls.restore(wrapping, failing, 1, "snapshot 1-5"))
                .isExactlyInstanceOf(IOException.class).hasMessage("EIO");
        OutputStream failingOut = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("ENOSPC");
            }
        };
        StateMachine.Snapshot swallowing = out -> {
            try {
                out.write(1);
            } catch (IOException e) {
                throw new IllegalStateException("could not write", e);
            }
        };
        assertThatThrownBy(() -> StateMachineCalls.writeSnapshot(swallowing, failingOut, 1, "snapshot 1-5"))
                .isExactlyInstanceOf(IOException.class).hasMessage("ENOSPC");
        assertThatThrownBy(() -> StateMachineCalls.restore(new Ledger() {
            @Override
            public void restore(InputStream data) throws IOException {
                throw new IOException("corrupt by the state machine's own reading");
            }
        }, new ByteArrayInputStream(new byte[3]), 1, "snapshot 1-5")).isInstanceOf(StateMachineFailedException.class);
    }

    // ------------------------------------------------------------------ helpers

    private RaftNode single(StateMachine machine, io.ringraft.spi.LogStorage storage, InMemorySnapshotStore store) {
        RaftNode.Builder builder = RaftNode.builder().nodeId(1).voters(1).config(CONFIG).stateMachine(machine)
                .logStorage(storage).transport(network);
        if (store != null) {
            builder.snapshotStore(store.reopen());
        }
        return started(builder.build());
    }

    private RaftNode singleStreaming(StreamingStateMachine machine) {
        return started(RaftNode.builder().nodeId(1).voters(1).config(CONFIG).streamingStateMachine(machine)
                .logStorage(new InMemoryLogStorage()).transport(network).build());
    }

    private RaftNode started(RaftNode node) {
        nodes.add(node);
        node.start();
        return node;
    }

    private RaftNode awaitLeader() {
        RaftNode[] leader = new RaftNode[1];
        await("a leader is elected", () -> {
            for (RaftNode node : nodes) {
                if (node.isLeader()) { // leads and serves (its no-op committed)
                    leader[0] = node;
                    return true;
                }
            }
            return false;
        });
        return leader[0];
    }

    private static <T extends RaftException> T failure(CompletableFuture<?> future, Class<T> type) {
        try {
            future.get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(type);
            return type.cast(e.getCause());
        } catch (Exception e) {
            throw new AssertionError("the future did not fail in time", e);
        }
        throw new AssertionError("expected a " + type.getSimpleName() + ", the future succeeded");
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(LogEntries entries, int i) {
        var payload = entries.payloadAt(i);
        byte[] bytes = payload.toByteArray();
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
