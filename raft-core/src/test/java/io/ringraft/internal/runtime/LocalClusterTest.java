package io.ringraft.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.NotLeaderException;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftNode;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.local.LocalNetwork;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.StateMachine;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A 3-node cluster on real threads over the in-process network. */
class LocalClusterTest {

    /** Records every applied command, returns its index. */
    static final class RecordingStateMachine implements StateMachine {
        final List<String> applied = new CopyOnWriteArrayList<>();

        @Override
        public void apply(LogEntries entries, ApplyResults results) {
            for (int i = 0; i < entries.count(); i++) {
                byte[] bytes = entries.payloadAt(i).toByteArray();
                applied.add(new String(bytes, StandardCharsets.UTF_8));
                results.set(i, entries.firstIndex() + i);
            }
        }

        /** Answers how many commands were applied. */
        @Override
        public Object query(io.ringraft.api.Bytes query) {
            return applied.size();
        }
    }

    private final LocalNetwork network = new LocalNetwork();
    private final List<RaftNode> nodes = new ArrayList<>();
    private final List<RecordingStateMachine> machines = new ArrayList<>();

    @AfterEach
    void closeAll() {
        nodes.forEach(RaftNode::close);
    }

    private void startCluster() {
        RaftConfig config = RaftConfig.builder().tickMillis(5).heartbeatIntervalMillis(20)
                .electionTimeoutMillis(150).ringCapacityEntries(1024).ringCapacityBytes(1 << 20)
                .maxEntryBytes(4096).proposalQueueBytes(1 << 16).build();
        for (long id = 1; id <= 3; id++) {
            RecordingStateMachine machine = new RecordingStateMachine();
            RaftNode node = RaftNode.builder().nodeId(id).voters(1, 2, 3).config(config).stateMachine(machine)
                    .logStorage(new InMemoryLogStorage()).transport(network).randomSeed(id).build();
            machines.add(machine);
            nodes.add(node);
        }
        nodes.forEach(RaftNode::start);
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    private RaftNode awaitLeader() {
        RaftNode[] leader = new RaftNode[1];
        await("a leader is elected", () -> {
            for (RaftNode node : nodes) {
                if (node.isLeader()) { // leads, has committed its no-op (it serves), not closed
                    leader[0] = node;
                    return true;
                }
            }
            return false;
        });
        return leader[0];
    }

    @Test
    void replicatesAndAppliesProposalsInTheSameOrderEverywhere() throws Exception {
        startCluster();
        RaftNode leader = awaitLeader();
        List<CompletableFuture<Object>> futures = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            futures.add(leader.propose(("cmd-" + i).getBytes(StandardCharsets.UTF_8)));
        }
        long previous = 0;
        for (CompletableFuture<Object> future : futures) {
            long index = (Long) future.get(20, TimeUnit.SECONDS);
            assertThat(index).isGreaterThan(previous);
            previous = index;
        }
        await("all nodes applied 500 commands", () -> machines.stream().allMatch(m -> m.applied.size() == 500));
        for (RecordingStateMachine machine : machines) {
            assertThat(machine.applied).isEqualTo(machines.get(0).applied);
        }
        assertThat(machines.get(0).applied.get(499)).isEqualTo("cmd-499");
    }

    @Test
    void followerRefusesProposalsWithTheLeaderAsHint() throws Exception {
        startCluster();
        RaftNode leader = awaitLeader();
        leader.propose("x".getBytes(StandardCharsets.UTF_8)).get(20, TimeUnit.SECONDS);
        RaftNode follower = nodes.stream().filter(n -> n != leader).findFirst().orElseThrow();
        await("the follower knows the leader", () -> follower.status().leaderId() == leader.nodeId());
        CompletableFuture<Object> refused = follower.propose("y".getBytes(StandardCharsets.UTF_8));
        assertThat(refused).failsWithin(Duration.ofSeconds(20)).withThrowableOfType(Exception.class)
                .havingCause().isInstanceOfSatisfying(NotLeaderException.class,
                        e -> assertThat(e.leaderHint()).isEqualTo(leader.nodeId()));
    }

    @Test
    void linearizableReadsOnLeaderAndFollowerSeeEveryAcknowledgedWrite() throws Exception {
        startCluster();
        RaftNode leader = awaitLeader();
        for (int i = 0; i < 20; i++) {
            leader.propose(("w" + i).getBytes(StandardCharsets.UTF_8)).get(20, TimeUnit.SECONDS);
        }
        assertThat(leader.read(new byte[0]).get(20, TimeUnit.SECONDS)).isEqualTo(20);
        for (RaftNode node : nodes) {
            await("node " + node.nodeId() + " knows the leader", () -> node.status().leaderId() == leader.nodeId());
            // Acknowledged before the read began, so a linearizable read anywhere must see all 20.
            assertThat(node.read(new byte[0]).get(20, TimeUnit.SECONDS)).isEqualTo(20);
        }
    }

    @Test
    void leadershipIsHandedToTheChosenFollowerWithoutLosingWrites() throws Exception {
        startCluster();
        RaftNode leader = awaitLeader();
        List<CompletableFuture<Object>> writes = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            writes.add(leader.propose(("t" + i).getBytes(StandardCharsets.UTF_8)));
        }
        RaftNode target = nodes.stream().filter(n -> n != leader).findFirst().orElseThrow();
        leader.transferLeadership(target.nodeId()).get(20, TimeUnit.SECONDS);
        assertThat(target.status().isLeader()).isTrue();
        int acknowledged = 0;
        for (CompletableFuture<Object> write : writes) {
            try {
                write.get(20, TimeUnit.SECONDS);
                acknowledged++;
            } catch (java.util.concurrent.ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(io.ringraft.api.RaftException.class);
            }
        }
        int expected = acknowledged;
        target.propose("after".getBytes(StandardCharsets.UTF_8)).get(20, TimeUnit.SECONDS);
        for (RecordingStateMachine machine : machines) {
            await("every node applied the acknowledged writes", () -> machine.applied.contains("after"));
            assertThat(machine.applied.stream().filter(c -> c.startsWith("t")).count())
                    .isGreaterThanOrEqualTo(expected);
        }
    }

    @Test
    void aNewLeaderTakesOverWhenTheLeaderStops() throws Exception {
        startCluster();
        RaftNode first = awaitLeader();
        first.propose("before".getBytes(StandardCharsets.UTF_8)).get(20, TimeUnit.SECONDS);
        first.close();
        RaftNode second = awaitLeader();
        assertThat(second).isNotSameAs(first);
        // Two nodes left and a busy machine: the new leader may still lose an election right after it won
        // (NotLeaderException: the command certainly did not enter the log), so follow the leader.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try {
                second.propose("after".getBytes(StandardCharsets.UTF_8)).get(20, TimeUnit.SECONDS);
                break;
            } catch (java.util.concurrent.ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(NotLeaderException.class);
                assertThat(System.nanoTime() - deadline).as("a leader takes the command").isNegative();
                second = awaitLeader();
            }
        }
        for (int i = 0; i < 3; i++) {
            if (nodes.get(i) != first) {
                RecordingStateMachine machine = machines.get(i);
                await("node applied both commands", () -> machine.applied.size() == 2);
                assertThat(machine.applied).containsExactly("before", "after");
            }
        }
    }
}
