package io.ringraft.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.api.NodeStoppedException;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftNode;
import io.ringraft.api.RejectedException;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.local.LocalNetwork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.agrona.concurrent.Agent;
import org.junit.jupiter.api.Test;

/**
 * {@code RaftNode.isLeader()} (a leader that serves: its term's first entry committed) and
 * {@code awaitLeader} (parks until a ready leader is known, the node stops, or the timeout passes).
 */
class LeaderReadinessTest {

    private static final RaftConfig CONFIG = RaftConfig.builder().tickMillis(1).heartbeatIntervalMillis(2)
            .electionTimeoutMillis(4).build();

    @Test
    void aNewLeaderIsReadyOnlyOnceItsNoOpCommitsAndWakesItsWaiters() throws Exception {
        RaftNode node = RaftNode.builder().nodeId(1).voters(1).config(CONFIG).stateMachine((entries, results) -> { })
                .logStorage(new InMemoryLogStorage()).transport(new LocalNetwork()).externalScheduling().build();
        try {
            node.start();
            assertThat(node.isLeader()).isFalse();
            assertThatThrownBy(() -> node.awaitLeader(Duration.ofMillis(20))).isInstanceOf(TimeoutException.class)
                    .hasMessageContaining("node 1");
            CompletableFuture<Long> waiter = new CompletableFuture<>();
            Thread thread = waitingThread(() -> await(node, Duration.ofSeconds(20)), waiter);
            awaitCondition("the thread parks", () -> thread.getState() == Thread.State.TIMED_WAITING);

            // Step the core alone right after the others: the cycle that makes it leader appends the
            // no-op, which the log writer has not stored yet, so it cannot have committed.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (true) {
                step(node, role -> role.contains("core"));
                if (node.status().isLeader()) {
                    break;
                }
                step(node, role -> !role.contains("core"));
                assertThat(System.nanoTime() - deadline).as("the node is elected").isNegative();
            }
            assertThat(node.isLeader()).as("elected, its no-op not committed").isFalse();
            assertThat(waiter).isNotDone();

            while (!node.isLeader()) {
                step(node, role -> true);
                assertThat(System.nanoTime() - deadline).as("the no-op commits").isNegative();
            }
            assertThat(node.status().committedIndex()).isPositive();
            assertThat(waiter.get(20, TimeUnit.SECONDS)).as("the waiter was woken").isEqualTo(1L);
            assertThat(node.awaitLeader(Duration.ZERO)).as("known: at once").isEqualTo(1L);
        } finally {
            node.close();
        }
        assertThat(node.isLeader()).as("closed").isFalse();
        assertThatThrownBy(() -> node.awaitLeader(Duration.ofSeconds(20))).isInstanceOf(NodeStoppedException.class);
    }

    @Test
    void waitersFailWhenTheNodeStops() throws Exception {
        RaftNode node = RaftNode.builder().nodeId(1).voters(1).config(CONFIG).stateMachine((entries, results) -> { })
                .logStorage(new InMemoryLogStorage()).transport(new LocalNetwork()).externalScheduling().build();
        node.start();
        CompletableFuture<Long> waiter = new CompletableFuture<>();
        Thread thread = waitingThread(() -> await(node, Duration.ofMinutes(5)), waiter);
        awaitCondition("the thread parks", () -> thread.getState() == Thread.State.TIMED_WAITING);
        node.close(); // never stepped: no leader ever
        assertThatThrownBy(() -> waiter.get(20, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(NodeStoppedException.class);
    }

    @Test
    void everyNodeOfAClusterAgreesOnTheReadyLeaderAndOnlyItIsLeader() throws Exception {
        LocalNetwork network = new LocalNetwork();
        RaftConfig config = RaftConfig.builder().tickMillis(5).heartbeatIntervalMillis(20).electionTimeoutMillis(150)
                .build();
        List<RaftNode> nodes = new ArrayList<>();
        try {
            for (long id = 1; id <= 3; id++) {
                RaftNode node = RaftNode.builder().nodeId(id).voters(1, 2, 3).config(config)
                        .stateMachine((entries, results) -> { }).logStorage(new InMemoryLogStorage())
                        .transport(network).randomSeed(id).build();
                nodes.add(node);
                node.start();
            }
            long leader = nodes.get(2).awaitLeader(Duration.ofSeconds(20));
            for (RaftNode node : nodes) {
                assertThat(node.awaitLeader(Duration.ofSeconds(20))).as("node %d's leader", node.nodeId())
                        .isEqualTo(leader);
            }
            RaftNode theLeader = nodes.get((int) leader - 1);
            assertThat(theLeader.isLeader()).isTrue();
            assertThat(theLeader.propose(new byte[] {1}).get(20, TimeUnit.SECONDS)).as("it serves").isNull();
            nodes.stream().filter(node -> node != theLeader)
                    .forEach(follower -> assertThat(follower.isLeader()).isFalse());
        } finally {
            nodes.forEach(RaftNode::close);
        }
    }

    @Test
    void waitersAreBounded() throws Exception {
        LeaderWatch watch = new LeaderWatch(2);
        List<CompletableFuture<Long>> waiters = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            CompletableFuture<Long> waiter = new CompletableFuture<>();
            waitingThread(() -> {
                try {
                    return watch.await(TimeUnit.MINUTES.toNanos(5), 1, () -> false);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }, waiter);
            waiters.add(waiter);
        }
        awaitCondition("two threads wait", () -> watch.waiters() == 2);
        assertThatThrownBy(() -> watch.await(TimeUnit.MINUTES.toNanos(5), 1, () -> false))
                .isInstanceOf(RejectedException.class).hasMessageContaining("2 threads");
        watch.publish(3);
        for (CompletableFuture<Long> waiter : waiters) {
            assertThat(waiter.get(20, TimeUnit.SECONDS)).isEqualTo(3L);
        }
        assertThat(watch.waiters()).isZero();
        assertThat(watch.await(0, 1, () -> false)).as("ready: no wait, no slot").isEqualTo(3L);
    }

    private static long await(RaftNode node, Duration timeout) {
        try {
            return node.awaitLeader(timeout);
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError(e);
        }
    }

    /** Runs {@code call} on a new daemon thread that completes {@code outcome}; returns the thread. */
    private static Thread waitingThread(java.util.function.Supplier<Long> call, CompletableFuture<Long> outcome) {
        Thread thread = new Thread(() -> {
            try {
                outcome.complete(call.get());
            } catch (Throwable e) {
                outcome.completeExceptionally(e);
            }
        }, "awaiting-leader");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void step(RaftNode node, Predicate<String> which) throws Exception {
        for (Agent agent : node.agents()) {
            if (which.test(agent.roleName())) {
                agent.doWork();
            }
        }
    }

    private static void awaitCondition(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as(what).isNegative();
            Thread.sleep(1); // polling a condition with a deadline, not waiting for time to pass
        }
    }
}
