package io.ringraft.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.RaftConfig;
import io.ringraft.api.Role;
import io.ringraft.internal.runtime.tasks.CoreTask;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.local.InMemorySnapshotStore;
import io.ringraft.local.LocalNetwork;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.StateMachine;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.concurrent.Agent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The core parks until its next tick that may act instead of waking every tick (but less than half an
 * election timeout: a longer gap is a stall), and a core that slept follows on when heartbeats wait for
 * it ({@code CoreTask.parkNanos}, {@code RaftEngine.idleTicks}). Three nodes stepped by hand on a virtual clock (default timing: 10 ms
 * tick, 50 ms heartbeat, 300 ms election timeout).
 */
final class CoreParkingTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long LONG_PARK = TimeUnit.SECONDS.toNanos(10);

    private final AtomicLong clock = new AtomicLong(TimeUnit.SECONDS.toNanos(1));
    private final List<NodeRuntime> nodes = new ArrayList<>();
    private final RaftConfig config = RaftConfig.builder().build();

    /** Applies nothing of interest: the test watches roles and terms. */
    private static final class Nothing implements StateMachine {
        @Override
        public void apply(LogEntries entries, ApplyResults results) {
            // no state
        }

        @Override
        public Object query(io.ringraft.api.Bytes query) {
            return null;
        }
    }

    @BeforeEach
    void start() {
        LocalNetwork network = new LocalNetwork();
        long[] voters = {1, 2, 3};
        for (long id : voters) {
            NodeRuntime node = new NodeRuntime(1, id, voters, config, new Nothing(), new InMemoryLogStorage(),
                    new InMemorySnapshotStore(), network, null, null, NodeRuntime.Threading.MANUAL, clock::get,
                    new SplittableRandom(id));
            nodes.add(node);
        }
        nodes.forEach(NodeRuntime::start);
    }

    @AfterEach
    void close() {
        nodes.forEach(NodeRuntime::close);
    }

    private static void step(NodeRuntime node) {
        for (int round = 0; round < 100; round++) {
            int work = 0;
            for (Agent agent : node.agents()) {
                try {
                    work += agent.doWork();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }
            if (work == 0) {
                return;
            }
        }
    }

    /** Lets {@code millis} of virtual time pass a millisecond at a time, stepping {@code running}. */
    private void run(long millis, List<NodeRuntime> running) {
        for (long i = 0; i < millis; i++) {
            clock.addAndGet(MS);
            running.forEach(CoreParkingTest::step);
        }
    }

    private NodeRuntime electLeader() {
        run(3_000, nodes);
        List<NodeRuntime> leaders = nodes.stream().filter(n -> n.status().role() == Role.LEADER).toList();
        assertThat(leaders).as("one leader after 3 s").hasSize(1);
        return leaders.get(0);
    }

    private static CoreTask core(NodeRuntime node) {
        return (CoreTask) node.agents().get(0);
    }

    @Test
    void anIdleCoreParksUntilItsNextTimerNotForATick() {
        NodeRuntime leader = electLeader();
        long tick = config.tickMillis() * MS;
        long halfElection = config.electionTimeoutMillis() * MS / 2;
        long leaderPark = core(leader).parkNanos(LONG_PARK);
        assertThat(leaderPark).as("the leader parks until its next heartbeat")
                .isGreaterThan(tick).isLessThanOrEqualTo(config.heartbeatIntervalMillis() * MS);
        for (NodeRuntime node : nodes) {
            if (node != leader) {
                // its timer runs out an election timeout or more after the last heartbeat, within the last
                // heartbeat interval; it parks until then, but never half an election timeout (a stall)
                assertThat(core(node).parkNanos(LONG_PARK)).as("follower %d parks until its election timer", node.selfId())
                        .isGreaterThan(config.heartbeatIntervalMillis() * MS).isLessThanOrEqualTo(halfElection);
            }
        }
        assertThat(core(leader).parkNanos(tick / 2)).as("never longer than asked").isEqualTo(tick / 2);
    }

    @Test
    void aFollowerThatSleptWithHeartbeatsWaitingFollowsOn() {
        NodeRuntime leader = electLeader();
        long term = leader.status().term();
        NodeRuntime sleeper = nodes.stream().filter(n -> n != leader).findFirst().orElseThrow();
        List<NodeRuntime> others = nodes.stream().filter(n -> n != sleeper).toList();
        for (int round = 0; round < 10; round++) {
            // The sleeper's thread does not run for as long as it may park, while the leader heartbeats it.
            run(core(sleeper).parkNanos(LONG_PARK) / MS, others);
            step(sleeper);
            assertThat(sleeper.status().role()).as("round %d: woken with heartbeats waiting, it follows", round)
                    .isEqualTo(Role.FOLLOWER);
        }
        run(1_000, nodes);
        assertThat(nodes).allSatisfy(node -> assertThat(node.status().term()).as("term of node %d", node.selfId())
                .isEqualTo(term));
        assertThat(leader.status().role()).isEqualTo(Role.LEADER);
    }
}
