package io.ringraft.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.Bytes;
import io.ringraft.api.RaftHost;
import io.ringraft.api.RaftNode;
import io.ringraft.internal.runtime.NodeRuntime;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.local.LocalNetwork;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.StateMachine;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * On a host's own threads, a quiet group hands back what it allocated while busy (ring, proposal queue, futures'
 * table, its tasks' views over the ring, its engine's read tables: {@link NodeRuntime#idleMemoryReleased()}), and
 * a group that wakes takes them again and serves as before. The deterministic simulator checks the same after
 * random runs ({@code HostScenariosTest}); this test runs the wake-ups of the real host workers and IO thread.
 */
class IdleMemoryTest {

    private static final Set<Long> HOSTS = Set.of(1L, 2L, 3L);
    private static final long GROUP = 7;

    /** Counts the commands it applied; a read answers the count. */
    static final class Counter implements StateMachine {
        private volatile long count;

        @Override
        public void apply(LogEntries commands, ApplyResults results) {
            for (int i = 0; i < commands.count(); i++) {
                results.set(i, ++count);
            }
        }

        @Override
        public Object query(Bytes query) {
            return count;
        }
    }

    private final LocalNetwork network = new LocalNetwork();
    private final List<RaftHost> hosts = new ArrayList<>();

    @AfterEach
    void closeHosts() {
        hosts.forEach(RaftHost::close);
    }

    @Test
    void aQuietGroupHandsBackItsTablesAndTakesThemAgainWhenItWakes() throws Exception {
        List<RaftNode> members = new ArrayList<>();
        for (long id = 1; id <= 3; id++) {
            RaftHost host = RaftHost.builder().nodeId(id).transport(network).logStorage(g -> new InMemoryLogStorage())
                    .workers(1).ioThreads(1).build();
            hosts.add(host);
            members.add(host.createGroup(GROUP, HOSTS, new Counter()));
        }
        for (int round = 1; round <= 2; round++) {
            RaftNode leader = leaderOf(members);
            List<CompletableFuture<Object>> writes = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                writes.add(leader.propose(new byte[] {(byte) i}));
            }
            for (CompletableFuture<Object> write : writes) {
                write.get(20, TimeUnit.SECONDS);
            }
            assertThat(leader.read(new byte[0]).get(20, TimeUnit.SECONDS)).as("round %d", round)
                    .isEqualTo(20L * round);
            await("every replica quiet and holding none of its lazy tables (round " + round + ")",
                    () -> members.stream().allMatch(m -> m.isQuiesced() && runtimeOf(m).idleMemoryReleased()));
        }
    }

    private static RaftNode leaderOf(List<RaftNode> members) throws Exception {
        members.get(0).demandLeader();
        long leader = members.get(0).awaitLeader(Duration.ofSeconds(20));
        return members.get((int) leader - 1);
    }

    private static NodeRuntime runtimeOf(RaftNode node) {
        try {
            Field field = RaftNode.class.getDeclaredField("runtime");
            field.setAccessible(true);
            return (NodeRuntime) field.get(node);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 30 s: " + what);
            }
            Thread.sleep(20);
        }
    }
}
