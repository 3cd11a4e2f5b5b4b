package io.ringraft.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftNode;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.local.LocalNetwork;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code RaftNode.Builder.sendersOnCoreThread(true)}: the peer senders run on the core's thread (no
 * thread per peer), and a cluster of such nodes elects, replicates, commits the same entries
 * everywhere, and elects again after its leader stops.
 */
class CompactThreadingTest {

    /** A group id no other test uses, so that the thread names checked are this test's. */
    private static final long GROUP = 4242;

    private final LocalNetwork network = new LocalNetwork();
    private final List<RaftNode> nodes = new ArrayList<>();
    private final List<LocalClusterTest.RecordingStateMachine> machines = new ArrayList<>();

    @AfterEach
    void closeAll() {
        nodes.forEach(RaftNode::close);
    }

    @Test
    void nodesWithTheirSendersOnTheCoreThreadReplicateAndFailOver() throws Exception {
        RaftConfig config = RaftConfig.builder().tickMillis(5).heartbeatIntervalMillis(20)
                .electionTimeoutMillis(150).ringCapacityEntries(1024).ringCapacityBytes(1 << 20)
                .maxEntryBytes(4096).proposalQueueBytes(1 << 16).build();
        for (long id = 1; id <= 3; id++) {
            LocalClusterTest.RecordingStateMachine machine = new LocalClusterTest.RecordingStateMachine();
            machines.add(machine);
            nodes.add(RaftNode.builder().groupId(GROUP).nodeId(id).voters(1, 2, 3).config(config).stateMachine(machine)
                    .logStorage(new InMemoryLogStorage()).transport(network).randomSeed(id)
                    .sendersOnCoreThread(true).build());
        }
        nodes.forEach(RaftNode::start);

        List<String> mine = threadNames().stream().filter(name -> name.contains("-" + GROUP + "-")).toList();
        assertThat(mine).as("no thread per peer sender; the core's thread runs them")
                .noneMatch(name -> name.startsWith("ringraft-peer-sender-"))
                .filteredOn(name -> name.endsWith("-and-senders")).hasSize(3);

        RaftNode leader = awaitLeader(nodes);
        proposeAll(leader, "a", 500);
        awaitApplied(machines, 500);

        leader.close();
        List<RaftNode> rest = nodes.stream().filter(n -> n != leader).toList();
        RaftNode next = awaitLeader(rest);
        proposeAll(next, "b", 500);
        List<LocalClusterTest.RecordingStateMachine> live = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i) != leader) {
                live.add(machines.get(i));
            }
        }
        awaitApplied(live, 1000);
        assertThat(live.get(0).applied).as("both survivors applied the same commands in the same order")
                .isEqualTo(live.get(1).applied);
    }

    private static void proposeAll(RaftNode leader, String prefix, int count) throws Exception {
        List<CompletableFuture<Object>> futures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            futures.add(leader.propose((prefix + i).getBytes(StandardCharsets.UTF_8)));
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
    }

    private static RaftNode awaitLeader(List<RaftNode> candidates) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            for (RaftNode node : candidates) {
                if (node.isLeader()) {
                    return node;
                }
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("no leader within 20 s");
    }

    private static void awaitApplied(List<LocalClusterTest.RecordingStateMachine> machines, int count) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (machines.stream().allMatch(m -> m.applied.size() >= count)) {
                return;
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("not every node applied " + count + " commands within 20 s: "
                + machines.stream().map(m -> m.applied.size()).toList());
    }

    private static List<String> threadNames() {
        Thread[] threads = new Thread[Thread.activeCount() * 2 + 16];
        int n = Thread.enumerate(threads);
        return Arrays.stream(threads, 0, n).map(Thread::getName).toList();
    }
}
