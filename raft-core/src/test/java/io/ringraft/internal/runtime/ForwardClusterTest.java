package io.ringraft.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.IndeterminateException;
import io.ringraft.api.NotLeaderException;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftNode;
import io.ringraft.api.RejectedException;
import io.ringraft.api.Role;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.local.LocalNetwork;
import io.ringraft.internal.runtime.LocalClusterTest.RecordingStateMachine;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link RaftNode#forward}: commands proposed on followers through the leader, on real threads. */
class ForwardClusterTest {

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
            nodes.add(RaftNode.builder().nodeId(id).voters(1, 2, 3).config(config).stateMachine(machine)
                    .logStorage(new InMemoryLogStorage()).transport(network).randomSeed(id).build());
            machines.add(machine);
        }
        nodes.forEach(RaftNode::start);
    }

    private RaftNode awaitLeader() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            for (RaftNode node : nodes) {
                if (node.status().role() == Role.LEADER) {
                    RaftNode leader = node;
                    await("every node knows the leader", () -> nodes.stream()
                            .allMatch(n -> n.status().leaderId() == leader.nodeId()));
                    return node;
                }
            }
            Thread.yield();
        }
        throw new AssertionError("no leader");
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.yield();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aFollowersForwardedCommandIsAppliedEverywhereAndItsResultComesFromItsOwnApply() throws Exception {
        startCluster();
        RaftNode leader = awaitLeader();
        RaftNode follower = nodes.stream().filter(n -> n != leader).findFirst().orElseThrow();
        int followerIndex = nodes.indexOf(follower);

        List<CompletableFuture<Object>> results = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            results.add(follower.forward(bytes("f" + i)));
        }
        long previous = 0;
        for (int i = 0; i < results.size(); i++) {
            long index = (Long) results.get(i).get(20, TimeUnit.SECONDS);
            assertThat(index).as("in order, each once").isGreaterThan(previous);
            previous = index;
            // The result is this node's own apply: by then its state machine holds the write.
            assertThat(machines.get(followerIndex).applied).contains("f" + i);
        }
        await("every node applied the 50 commands", () -> machines.stream().allMatch(m -> m.applied.size() == 50));
        for (RecordingStateMachine machine : machines) {
            assertThat(machine.applied).isEqualTo(machines.get(followerIndex).applied);
        }
        assertThat(machines.get(followerIndex).applied).startsWith("f0", "f1", "f2");
        // On the leader, forward is propose.
        assertThat(leader.forward(bytes("on-leader")).get(20, TimeUnit.SECONDS)).isInstanceOf(Long.class);
    }

    @Test
    void aFollowerWithoutALeaderRefusesAtOnceAndTooLargeCommandsAreRejected() throws Exception {
        startCluster();
        RaftNode leader = awaitLeader();
        RaftNode follower = nodes.stream().filter(n -> n != leader).findFirst().orElseThrow();
        assertThat(follower.forward(new byte[5000])).failsWithin(Duration.ofSeconds(5))
                .withThrowableOfType(ExecutionException.class).havingCause().isInstanceOf(RejectedException.class);

        network.isolate(1, follower.nodeId());
        await("the isolated follower lost its leader", () -> follower.status().leaderId() == 0);
        assertThat(follower.forward(bytes("x"))).failsWithin(Duration.ofSeconds(5))
                .withThrowableOfType(ExecutionException.class).havingCause().isInstanceOf(NotLeaderException.class);
    }

    @Test
    void aForwardTheLeaderNeverAnswersEndsIndeterminate() throws Exception {
        startCluster();
        RaftNode leader = awaitLeader();
        RaftNode follower = nodes.stream().filter(n -> n != leader).findFirst().orElseThrow();
        network.isolate(1, leader.nodeId()); // the request is lost; the follower still believes in the leader
        CompletableFuture<Object> lost = follower.forward(bytes("lost"));
        assertThat(lost).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(ExecutionException.class)
                .havingCause().satisfiesAnyOf(
                        e -> assertThat(e).isInstanceOf(IndeterminateException.class),
                        e -> assertThat(e).isInstanceOf(NotLeaderException.class)); // a new leader came first
    }
}
