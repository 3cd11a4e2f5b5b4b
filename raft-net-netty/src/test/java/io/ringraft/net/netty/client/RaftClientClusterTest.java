package io.ringraft.net.netty.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.Role;
import io.ringraft.api.client.ClientException;
import io.ringraft.api.client.Consistency;
import io.ringraft.api.client.GroupBalancing;
import io.ringraft.api.client.GroupClient;
import io.ringraft.api.client.LoadBalancer;
import io.ringraft.api.client.RaftClient;
import io.ringraft.api.client.Replica;
import io.ringraft.api.client.ReplicaAnswer;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link RaftClient} against three real nodes on loopback TCP: failover, re-routing, askAll, spread. */
class RaftClientClusterTest {

    private ClientCluster cluster;
    private RaftClient client;

    @AfterEach
    void close() {
        if (client != null) {
            client.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static long number(byte[] bytes) {
        return ByteBuffer.wrap(bytes).getLong();
    }

    @Test
    void askAppliesOnceAndEveryReadLevelAnswers() throws Exception {
        cluster = new ClientCluster(3);
        client = cluster.client().build();
        GroupClient group = client.group(1);
        assertThat(number(group.ask(CountingMachine.id(42)).get(20, TimeUnit.SECONDS))).isEqualTo(1);
        assertThat(number(group.askOne(CountingMachine.id(42), Consistency.LINEARIZABLE).get(20, TimeUnit.SECONDS)))
                .isEqualTo(1);
        ClientCluster.await("every replica applied id 42", () -> {
            for (int id = 1; id <= 3; id++) {
                if (cluster.machines[id].applied.getOrDefault(42L, 0) != 1) {
                    return false;
                }
            }
            return true;
        });
        assertThat(number(group.askOne(CountingMachine.id(42), Consistency.ANY).get(20, TimeUnit.SECONDS))).isEqualTo(1);
        assertThat(number(group.askOne(CountingMachine.id(42), Consistency.boundedStaleness(10))
                .get(20, TimeUnit.SECONDS))).isEqualTo(1);
        group.tell(CountingMachine.id(43)).get(20, TimeUnit.SECONDS);
        ClientCluster.await("the told command applied", () -> cluster.machines[1].applied.containsKey(43L));
        assertThat(group.knownLeader()).isEqualTo(cluster.awaitLeader());
    }

    @Test
    void killingTheLeaderMidAskStillAppliesEveryWriteOnce() throws Exception {
        cluster = new ClientCluster(3);
        killTheLeaderMidAskAndCheckEveryWriteAppliedOnce();
    }

    @Test
    void sessionsOverAStreamingStateMachineApplyEveryWriteOnceThroughALeaderKill() throws Exception {
        cluster = ClientCluster.streaming(3);
        killTheLeaderMidAskAndCheckEveryWriteAppliedOnce();
    }

    private void killTheLeaderMidAskAndCheckEveryWriteAppliedOnce() throws Exception {
        client = cluster.client().build();
        GroupClient group = client.group(1);
        group.ask(CountingMachine.id(0)).get(20, TimeUnit.SECONDS); // session open, leader known
        int leader = cluster.awaitLeader();

        int writes = 300;
        Semaphore window = new Semaphore(16);
        AtomicInteger inFlightAtKill = new AtomicInteger(-1);
        AtomicInteger outstanding = new AtomicInteger();
        List<CompletableFuture<byte[]>> asks = new ArrayList<>();
        for (long id = 1; id <= writes; id++) {
            window.acquire();
            if (id == writes / 3) {
                inFlightAtKill.set(outstanding.get());
                cluster.kill(leader); // the asks in flight now lose their leader
            }
            outstanding.incrementAndGet();
            CompletableFuture<byte[]> ask = group.ask(CountingMachine.id(id), Duration.ofSeconds(20));
            ask.whenComplete((result, error) -> {
                outstanding.decrementAndGet();
                window.release();
            });
            asks.add(ask);
        }
        for (CompletableFuture<byte[]> ask : asks) {
            ask.get(30, TimeUnit.SECONDS); // every ask succeeds
        }
        assertThat(inFlightAtKill.get()).as("asks in flight when the leader died").isPositive();
        int survivor = leader == 1 ? 2 : 1;
        CountingMachine machine = cluster.machines[survivor];
        ClientCluster.await("the survivor applied every write", () -> machine.applied.size() == writes + 1);
        for (long id = 0; id <= writes; id++) {
            assertThat(machine.applied.get(id)).as("applications of write %d", id).isEqualTo(1);
        }
        assertThat(machine.total.get()).isEqualTo(writes + 1);
        assertThat(group.knownLeader()).isNotEqualTo(leader);
    }

    @Test
    void aReadWhoseChosenReplicaDiedIsAnsweredByAnotherWithinItsDeadline() throws Exception {
        cluster = new ClientCluster(3);
        int leader = cluster.awaitLeader();
        int victim = leader == 3 ? 2 : 3;
        LoadBalancer preferVictim = candidates -> {
            for (Replica replica : candidates) {
                if (replica.nodeId() == victim) {
                    return replica;
                }
            }
            return candidates.get(0);
        };
        client = cluster.client().balancer(preferVictim).build();
        GroupClient group = client.group(1);
        group.ask(CountingMachine.id(7)).get(20, TimeUnit.SECONDS);
        group.askOne(CountingMachine.id(7), Consistency.LINEARIZABLE).get(20, TimeUnit.SECONDS);
        assertThat(cluster.machines[victim].queries.get()).as("the victim served the warm-up read").isEqualTo(1);

        cluster.kill(victim);
        long others = cluster.machines[leader].queries.get() + cluster.machines[6 - leader - victim].queries.get();
        long start = System.nanoTime();
        byte[] answer = group.askOne(CountingMachine.id(7), Consistency.LINEARIZABLE, Duration.ofSeconds(3))
                .get(10, TimeUnit.SECONDS);
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(number(answer)).isEqualTo(1);
        assertThat(tookMillis).isLessThan(3000);
        assertThat(cluster.machines[leader].queries.get() + cluster.machines[6 - leader - victim].queries.get())
                .isEqualTo(others + 1);
    }

    @Test
    void aReadWhoseChosenReplicaHangsIsReroutedAfterTheAttemptTimeout() throws Exception {
        cluster = new ClientCluster(3);
        int leader = cluster.awaitLeader();
        int hung = leader == 3 ? 2 : 3;
        try (SilentNode silent = new SilentNode()) {
            // a follower's address leads to a replica that shakes hands and then answers nothing
            StringBuilder seeds = new StringBuilder();
            for (int id = 1; id <= 3; id++) {
                seeds.append(id == 1 ? "" : ",").append(id).append('=').append(id == hung ? silent.address()
                        : cluster.address(id));
            }
            LoadBalancer preferHung = candidates -> candidates.stream().filter(replica -> replica.nodeId() == hung)
                    .findFirst().orElse(candidates.get(0));
            client = RaftClient.builder().seeds(seeds.toString()).clusterId(ClientCluster.CLUSTER_ID)
                    .attemptTimeout(Duration.ofMillis(300)).balancer(preferHung).build();
            GroupClient group = client.group(1);
            group.ask(CountingMachine.id(11), Duration.ofSeconds(20)).get(30, TimeUnit.SECONDS);

            long start = System.nanoTime();
            byte[] answer = group.askOne(CountingMachine.id(11), Consistency.LINEARIZABLE, Duration.ofSeconds(3))
                    .get(10, TimeUnit.SECONDS);
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(number(answer)).isEqualTo(1);
            assertThat(silent.swallowed.get()).as("requests the hung replica swallowed").isPositive();
            assertThat(tookMillis).isBetween(300L, 2999L); // one attempt timed out, then another replica answered
        }
    }

    @Test
    void askAllWithOneReplicaDownGivesTwoAnswersAndOneError() throws Exception {
        cluster = new ClientCluster(3);
        client = cluster.client().build();
        GroupClient group = client.group(1);
        group.ask(CountingMachine.id(5)).get(20, TimeUnit.SECONDS);
        int leader = cluster.awaitLeader();
        int down = leader == 1 ? 2 : 1;
        cluster.kill(down);

        List<ReplicaAnswer> answers = group.askAll(CountingMachine.id(5), Duration.ofSeconds(2)).get(10, TimeUnit.SECONDS);
        assertThat(answers).extracting(ReplicaAnswer::nodeId).containsExactly(1L, 2L, 3L);
        assertThat(answers).filteredOn(ReplicaAnswer::ok).hasSize(2)
                .allSatisfy(answer -> assertThat(answer.appliedIndex()).isPositive());
        assertThat(answers).filteredOn(answer -> answer.nodeId() == leader).singleElement()
                .satisfies(answer -> assertThat(answer.role()).isEqualTo(Role.LEADER));
        assertThat(answers).filteredOn(answer -> !answer.ok()).singleElement().satisfies(answer -> {
            assertThat(answer.nodeId()).isEqualTo(down);
            assertThat(answer.error().mayHaveTakenEffect()).isFalse();
        });
    }

    @Test
    void roundRobinSpreadsReadsWithinTenPercentOfEachShare() throws Exception {
        cluster = new ClientCluster(3);
        // a long attempt timeout: on a loaded machine a re-routed read would count twice and skew the spread
        client = cluster.client().balancer(LoadBalancer.roundRobin()).attemptTimeout(Duration.ofSeconds(10)).build();
        GroupClient group = client.group(1);
        group.ask(CountingMachine.id(1)).get(20, TimeUnit.SECONDS);
        long[] before = new long[4];
        for (int id = 1; id <= 3; id++) {
            before[id] = cluster.machines[id].queries.get();
        }
        int reads = 1500;
        List<CompletableFuture<byte[]>> all = new ArrayList<>();
        for (int i = 0; i < reads; i++) {
            all.add(group.askOne(CountingMachine.id(1), Consistency.ANY));
            if (all.size() % 64 == 0) {
                all.get(all.size() - 1).get(20, TimeUnit.SECONDS);
            }
        }
        for (CompletableFuture<byte[]> read : all) {
            read.get(20, TimeUnit.SECONDS);
        }
        StringBuilder measured = new StringBuilder();
        for (int id = 1; id <= 3; id++) {
            long served = cluster.machines[id].queries.get() - before[id];
            measured.append(" node ").append(id).append('=').append(served);
            assertThat(served).as("reads served by node %d of %d", id, reads).isBetween(450L, 550L);
        }
        System.out.println("round robin spread of " + reads + " reads:" + measured);
    }

    @Test
    void theGroupsAdvertisedStrategyAndWeightsSpreadReadsUnlessTheCallerOverrides() throws Exception {
        GroupBalancing advertised = GroupBalancing.of(GroupBalancing.Strategy.ROUND_ROBIN).withWeight(1, 0)
                .withWeight(3, 3);
        cluster = new ClientCluster(3, advertised);
        client = cluster.client().attemptTimeout(Duration.ofSeconds(10)).build(); // no balancer of its own: the group's
        GroupClient group = client.group(1);
        group.ask(CountingMachine.id(1)).get(20, TimeUnit.SECONDS);
        ClientCluster.await("the advertised balancing", () -> advertised.equals(group.advertisedBalancing()));
        long[] served = readsServed(group, 1200);
        System.out.println("advertised weights 0/1/3, 1200 reads: node 1=" + served[1] + " node 2=" + served[2]
                + " node 3=" + served[3]);
        assertThat(served[1]).isZero();
        assertThat(served[2]).isBetween(270L, 330L);
        assertThat(served[3]).isBetween(810L, 990L);
        // the caller's strategy overrides the group's (it sees the weights, and may ignore them)
        long[] overridden = readsServed(group.withBalancer(candidates -> candidates.get(0)), 100);
        assertThat(overridden[1]).isEqualTo(100);
    }

    @Test
    void aReadBoundedByTimeIsServedByAFreshFollowerAndRefusedByOneCutOffForLonger() throws Exception {
        cluster = new ClientCluster(3);
        int leader = cluster.awaitLeader();
        int follower = leader % 3 + 1;
        int other = follower % 3 + 1;
        client = cluster.client().build();
        client.group(1).ask(CountingMachine.id(7)).get(20, TimeUnit.SECONDS);
        ClientCluster.await("the follower applied it", () -> cluster.machines[follower].applied.containsKey(7L));
        // a client that knows only the follower's address (the nodes advertise none): every read goes there
        try (RaftClient onlyFollower = RaftClient.builder().seeds(follower + "=" + cluster.address(follower))
                .clusterId(ClientCluster.CLUSTER_ID).attemptTimeout(Duration.ofMillis(500)).build()) {
            GroupClient group = onlyFollower.group(1);
            assertThat(number(group.askOne(CountingMachine.id(7), Consistency.boundedStaleness(Duration.ofSeconds(1)))
                    .get(20, TimeUnit.SECONDS))).isEqualTo(1);
            cluster.kill(leader);
            cluster.kill(other);
            ClientCluster.await("the follower is 300 ms stale",
                    () -> cluster.nodes[follower].appliedStalenessNanos() > TimeUnit.MILLISECONDS.toNanos(300));
            assertThat(group.askOne(CountingMachine.id(7), Consistency.boundedStaleness(Duration.ofMillis(300)),
                    Duration.ofSeconds(2))).failsWithin(Duration.ofSeconds(20))
                    .withThrowableOfType(ExecutionException.class).havingCause()
                    .isInstanceOfSatisfying(ClientException.class, e -> {
                        assertThat(e.reason()).isEqualTo(ClientException.Reason.TIMEOUT);
                        assertThat(e.mayHaveTakenEffect()).isFalse();
                        assertThat(e.getMessage()).contains("STALE").contains("ms old against its leader's commit");
                    });
            // the same replica still answers reads that ask for nothing fresher
            assertThat(number(group.askOne(CountingMachine.id(7), Consistency.ANY).get(20, TimeUnit.SECONDS)))
                    .isEqualTo(1);
        }
    }

    /** Sends {@code reads} ANY reads through {@code group}; {@return how many each node served} */
    private long[] readsServed(GroupClient group, int reads) throws Exception {
        long[] before = new long[4];
        for (int id = 1; id <= 3; id++) {
            before[id] = cluster.machines[id].queries.get();
        }
        List<CompletableFuture<byte[]>> all = new ArrayList<>();
        for (int i = 0; i < reads; i++) {
            all.add(group.askOne(CountingMachine.id(1), Consistency.ANY));
            if (all.size() % 64 == 0) {
                all.get(all.size() - 1).get(20, TimeUnit.SECONDS);
            }
        }
        for (CompletableFuture<byte[]> read : all) {
            read.get(20, TimeUnit.SECONDS);
        }
        long[] served = new long[4];
        for (int id = 1; id <= 3; id++) {
            served[id] = cluster.machines[id].queries.get() - before[id];
        }
        return served;
    }

    @Test
    void manyMoreWritesInFlightThanTheSessionKeepsAnswersWaitForTheWindow() throws Exception {
        cluster = new ClientCluster(3, 8); // each session keeps 8 answers
        client = cluster.client().sessionWindow(8).build();
        GroupClient group = client.group(1);
        List<CompletableFuture<byte[]>> asks = new ArrayList<>();
        for (long id = 1; id <= 200; id++) {
            asks.add(group.ask(CountingMachine.id(id), Duration.ofSeconds(20)));
        }
        for (CompletableFuture<byte[]> ask : asks) {
            ask.get(30, TimeUnit.SECONDS);
        }
        CountingMachine machine = cluster.machines[cluster.awaitLeader()];
        assertThat(machine.applied).hasSize(200).allSatisfy((id, count) -> assertThat(count).isEqualTo(1));
    }

    @Test
    void aWriteAfterTheSessionExpiredWhileIdleOpensANewSessionAndAppliesOnce() throws Exception {
        cluster = new ClientCluster(3, 128, Duration.ofMillis(500));
        client = cluster.client().build();
        GroupClient idle = client.group(1);
        idle.ask(CountingMachine.id(1)).get(20, TimeUnit.SECONDS);
        int leader = cluster.awaitLeader();
        assertThat(cluster.sessions[leader].sessionCount()).isEqualTo(1);
        // another client's writes move the log time on until the idle session expires
        try (RaftClient other = cluster.client().build()) {
            long id = 1_000;
            while (cluster.sessions[leader].sessionCount() != 1 || cluster.machines[leader].applied.size() < 3) {
                other.group(1).ask(CountingMachine.id(id++)).get(20, TimeUnit.SECONDS);
                assertThat(id).as("writes until the idle session expired").isLessThan(100_000);
            }
        }
        byte[] answer = idle.ask(CountingMachine.id(2)).get(20, TimeUnit.SECONDS);
        assertThat(answer).isNotNull();
        assertThat(cluster.machines[leader].applied).containsEntry(1L, 1).containsEntry(2L, 1);
    }

    @Test
    void callsBeyondMaxInFlightFailAtOnceWithoutEffect() throws Exception {
        cluster = new ClientCluster(3);
        client = cluster.client().maxInFlight(1).build();
        GroupClient group = client.group(1);
        group.ask(CountingMachine.id(1)).get(20, TimeUnit.SECONDS);
        CompletableFuture<byte[]> first = group.ask(CountingMachine.id(2));
        CompletableFuture<byte[]> second = group.ask(CountingMachine.id(3));
        assertThat(second).isCompletedExceptionally();
        ExecutionException failure = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, second::get);
        assertThat(failure.getCause()).isInstanceOfSatisfying(ClientException.class, e -> {
            assertThat(e.reason()).isEqualTo(ClientException.Reason.BUSY);
            assertThat(e.mayHaveTakenEffect()).isFalse();
        });
        first.get(20, TimeUnit.SECONDS);
    }
}
