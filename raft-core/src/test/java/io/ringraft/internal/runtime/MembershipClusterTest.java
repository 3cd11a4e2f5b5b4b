package io.ringraft.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.Membership;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftNode;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.local.LocalNetwork;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Membership changes on real threads: a learner joins, is promoted, and the leader removes itself. */
class MembershipClusterTest {

    private final LocalNetwork network = new LocalNetwork();
    private final List<RaftNode> nodes = new ArrayList<>();
    private final List<LocalClusterTest.RecordingStateMachine> machines = new ArrayList<>();

    @AfterEach
    void closeAll() {
        nodes.forEach(RaftNode::close);
    }

    private RaftNode start(long id) {
        RaftConfig config = RaftConfig.builder().tickMillis(5).heartbeatIntervalMillis(20)
                .electionTimeoutMillis(150).ringCapacityEntries(1024).ringCapacityBytes(1 << 20)
                .maxEntryBytes(4096).proposalQueueBytes(1 << 16).build();
        LocalClusterTest.RecordingStateMachine machine = new LocalClusterTest.RecordingStateMachine();
        RaftNode node = RaftNode.builder().nodeId(id).voters(1, 2, 3).joining(id > 3).config(config)
                .stateMachine(machine).logStorage(new InMemoryLogStorage()).transport(network).randomSeed(id).build();
        node.start();
        nodes.add(node);
        machines.add(machine);
        return node;
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

    private RaftNode leader() {
        RaftNode[] found = new RaftNode[1];
        await("a leader", () -> {
            for (RaftNode node : nodes) {
                if (node.status().isLeader() && !node.status().closed()) {
                    found[0] = node;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    @Test
    void aLearnerJoinsIsPromotedAndTheLeaderRemovesItself() throws Exception {
        for (long id = 1; id <= 3; id++) {
            start(id);
        }
        RaftNode leader = leader();
        leader.propose("a".getBytes(StandardCharsets.UTF_8)).get(20, TimeUnit.SECONDS);
        RaftNode joiner = start(4); // lists the current voters; not a member yet

        leader.addLearner(4).get(20, TimeUnit.SECONDS);
        assertThat(leader.status().membership()).isEqualTo(new Membership(Set.of(1L, 2L, 3L), Set.of(4L), false));
        LocalClusterTest.RecordingStateMachine joinerMachine = machines.get(3);
        await("the learner received the log", () -> joinerMachine.applied.contains("a"));
        assertThat(joiner.status().isLeader()).isFalse();

        leader.changeMembership(Set.of(1L, 2L, 3L, 4L), Set.of()).get(20, TimeUnit.SECONDS);
        assertThat(leader.status().membership().voters()).containsExactlyInAnyOrder(1L, 2L, 3L, 4L);

        Set<Long> withoutLeader = new java.util.TreeSet<>(Set.of(1L, 2L, 3L, 4L));
        withoutLeader.remove(leader.nodeId());
        leader.changeMembership(withoutLeader, Set.of()).get(20, TimeUnit.SECONDS);
        RaftNode old = leader;
        await("the removed leader stepped down", () -> !old.status().isLeader());
        RaftNode successor = leader();
        assertThat(successor).isNotSameAs(old);
        successor.propose("b".getBytes(StandardCharsets.UTF_8)).get(20, TimeUnit.SECONDS);
        await("the promoted node applied the new write", () -> joinerMachine.applied.contains("b"));
        assertThat(successor.status().membership().voters()).isEqualTo(withoutLeader);
    }

    @Test
    void aChangeBeyondMaxMembersIsRefusedBeforeItEntersTheLog() throws Exception {
        for (long id = 1; id <= 3; id++) {
            start(id);
        }
        RaftNode leader = leader();
        Set<Long> learners = new java.util.TreeSet<>();
        for (long id = 10; id < 10 + 16; id++) { // 2 other voters + 16 learners > maxMembers (16)
            learners.add(id);
        }
        assertThat(leader.changeMembership(Set.of(1L, 2L, 3L), learners))
                .failsWithin(java.time.Duration.ofSeconds(20))
                .withThrowableOfType(java.util.concurrent.ExecutionException.class).havingCause()
                .isInstanceOf(io.ringraft.api.RejectedException.class).withMessageContaining("maxMembers");
        assertThat(leader.status().membership().learners()).isEmpty();
    }
}
