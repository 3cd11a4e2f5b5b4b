package io.ringraft.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.api.HostStatus;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftHost;
import io.ringraft.api.RaftNode;
import io.ringraft.api.RejectedException;
import io.ringraft.internal.host.LeaderBalancer;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.local.LocalNetwork;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.LogStorage;
import io.ringraft.spi.LogStorageFactory;
import io.ringraft.spi.StateMachine;
import io.ringraft.internal.simdisk.SimDisk;
import io.ringraft.internal.simdisk.SimLogStorage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Many groups on three hosts in one JVM: they elect, commit, come and go, and share a fixed set of threads. */
class RaftHostTest {

    private static final Set<Long> HOSTS = Set.of(1L, 2L, 3L);

    /** Counts the commands it applied; each command's result is the new count. */
    static final class Counter implements StateMachine {
        private long count;

        @Override
        public void apply(LogEntries commands, ApplyResults results) {
            for (int i = 0; i < commands.count(); i++) {
                results.set(i, ++count);
            }
        }
    }

    /** Simulated disks that outlive their groups, so that a re-created group recovers its log. */
    static final class KeptLogs implements LogStorageFactory {
        final Map<Long, SimDisk> logs = new ConcurrentHashMap<>();

        @Override
        public LogStorage create(long groupId) {
            return new SimLogStorage(logs.computeIfAbsent(groupId, id -> new SimDisk()));
        }

        @Override
        public void delete(long groupId) {
            logs.remove(groupId);
        }

        @Override
        public Set<Long> groupsFound() {
            return Set.copyOf(logs.keySet());
        }
    }

    private final LocalNetwork network = new LocalNetwork();
    private final List<RaftHost> hosts = new ArrayList<>();
    private final Map<Long, KeptLogs> logsByHost = new ConcurrentHashMap<>();

    private RaftHost host(long nodeId, int workers) {
        KeptLogs logs = logsByHost.computeIfAbsent(nodeId, id -> new KeptLogs());
        RaftHost host = RaftHost.builder().nodeId(nodeId).transport(network).logStorage(logs)
                .workers(workers).ioThreads(1).build();
        hosts.add(host);
        return host;
    }

    @AfterEach
    void closeHosts() {
        hosts.forEach(RaftHost::close);
    }

    private static RaftNode leaderOf(List<RaftHost> hosts, long groupId) throws Exception {
        RaftNode any = hosts.get(0).group(groupId).orElseThrow();
        long leader = any.awaitLeader(Duration.ofSeconds(20));
        for (RaftHost host : hosts) {
            if (host.nodeId() == leader) {
                return host.group(groupId).orElseThrow();
            }
        }
        throw new AssertionError("leader " + leader + " of group " + groupId + " is not one of the hosts");
    }

    @Test
    void manyGroupsElectAndCommitOnAFixedSetOfThreads() throws Exception {
        int groups = 40;
        for (long id = 1; id <= 3; id++) {
            host(id, 2);
        }
        int threadsBefore = Thread.activeCount();
        for (long g = 1; g <= groups; g++) {
            for (RaftHost host : hosts) {
                host.createGroup(g, HOSTS, new Counter());
            }
        }
        // Groups add no threads: only the hosts' workers and IO threads run them.
        assertThat(Thread.activeCount()).isLessThanOrEqualTo(threadsBefore);
        List<CompletableFuture<Object>> commits = new ArrayList<>();
        for (long g = 1; g <= groups; g++) {
            RaftNode leader = leaderOf(hosts, g);
            commits.add(leader.propose(new byte[] {1}));
            commits.add(leader.propose(new byte[] {2}));
        }
        for (int i = 0; i < commits.size(); i++) {
            assertThat(commits.get(i).get(20, TimeUnit.SECONDS)).isEqualTo((long) (i % 2 + 1));
        }
        int leaders = 0;
        for (RaftHost host : hosts) {
            HostStatus status = host.status();
            assertThat(status.groups()).isEqualTo(groups);
            assertThat(status.workers()).isEqualTo(2);
            assertThat(status.ioThreads()).isEqualTo(1);
            leaders += status.leaders();
        }
        assertThat(leaders).isEqualTo(groups);
    }

    @Test
    void theBalancerSpreadsLeadersThatAllStartOnOneHost() throws Exception {
        int groups = 24;
        for (long id = 1; id <= 3; id++) {
            host(id, 1);
        }
        for (long g = 1; g <= groups; g++) {
            for (RaftHost host : hosts) {
                host.createGroup(g, HOSTS, new Counter());
            }
        }
        RaftHost first = hosts.get(0);
        for (long g = 1; g <= groups; g++) {
            RaftNode leader = leaderOf(hosts, g);
            if (leader.nodeId() != 1) {
                leader.transferLeadership(1).get(20, TimeUnit.SECONDS);
            }
        }
        // On a loaded machine a group may elect again (a starved leader misses its followers' timeout) after
        // its transfer: hand any such group back to host 1 until host 1 leads them all at once.
        waitUntil(() -> {
            for (long g = 1; g <= groups; g++) {
                RaftNode replica = first.group(g).orElseThrow();
                long known = replica.status().leaderId();
                if (known != 1 && known != 0) {
                    hosts.get((int) known - 1).group(g).orElseThrow().transferLeadership(1);
                }
            }
            return first.status().leaders() == groups;
        });
        // Host 1's balancer (run here by hand, as the host's worker would) hands groups to hosts 2 and 3
        // until it leads at most its share: 24 groups / 3 members, plus one.
        LeaderBalancer balancer = new LeaderBalancer(1, first::groups);
        waitUntil(() -> {
            balancer.run();
            return first.status().leaders() <= groups / 3 + 1
                    && hosts.stream().mapToInt(h -> h.status().leaders()).sum() == groups;
        });
        assertThat(balancer.transfers()).isGreaterThanOrEqualTo(groups - (groups / 3 + 1));
        assertThat(hosts.get(1).status().leaders() + hosts.get(2).status().leaders())
                .isGreaterThanOrEqualTo(groups - (groups / 3 + 1));
        assertThatThrownBy(() -> RaftHost.builder().balanceLeaders(Duration.ofMillis(5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 10 ms");
    }

    @Test
    void aRemovedGroupStopsAndARecreatedOneRecoversItsLog() throws Exception {
        for (long id = 1; id <= 3; id++) {
            host(id, 1);
        }
        for (RaftHost host : hosts) {
            host.createGroup(7, HOSTS, new Counter());
        }
        RaftNode leader = leaderOf(hosts, 7);
        assertThat(leader.propose(new byte[] {1}).get(20, TimeUnit.SECONDS)).isEqualTo(1L);
        long reserved = hosts.get(0).status().reservedBytes();

        assertThat(hosts.get(0).removeGroup(7)).isTrue();
        assertThat(hosts.get(0).group(7)).isEmpty();
        assertThat(hosts.get(0).removeGroup(7)).isFalse();
        assertThat(hosts.get(0).status().reservedBytes()).isEqualTo(reserved - RaftConfig.hostDefaults().reservedBytes());
        assertThat(logsByHost.get(1L).groupsFound()).containsExactly(7L);

        // Re-created from its kept log: it has the entry, and the group goes on.
        RaftNode again = hosts.get(0).createGroup(7, HOSTS, new Counter());
        RaftNode leaderNow = leaderOf(hosts, 7);
        assertThat(leaderNow.propose(new byte[] {2}).get(20, TimeUnit.SECONDS)).isEqualTo(2L);
        waitUntil(() -> again.status().appliedIndex() >= leaderNow.status().committedIndex());
    }

    /** A log whose flushes wait until {@link #release} opens (a stuck disk), once {@link #stuck} is set. */
    static final class StuckDisk implements LogStorage {
        final InMemoryLogStorage log = new InMemoryLogStorage();
        final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.CountDownLatch flushing = new java.util.concurrent.CountDownLatch(1);
        volatile boolean stuck;

        @Override public io.ringraft.spi.LogState open() throws java.io.IOException { return log.open(); }
        @Override public void saveVote(io.ringraft.api.Vote vote) throws java.io.IOException { log.saveVote(vote); }
        @Override public void append(LogEntries entries) throws java.io.IOException { log.append(entries); }
        @Override public void truncateSuffix(long from) throws java.io.IOException { log.truncateSuffix(from); }
        @Override public void purgePrefix(long upTo) throws java.io.IOException { log.purgePrefix(upTo); }
        @Override public void resetTo(io.ringraft.api.LogId base) throws java.io.IOException { log.resetTo(base); }
        @Override public LogEntries read(long from, int count, int bytes) throws java.io.IOException {
            return log.read(from, count, bytes);
        }
        @Override public long termAt(long index) throws java.io.IOException { return log.termAt(index); }
        @Override public void close() { release.countDown(); log.close(); }

        @Override
        public void flush() throws java.io.IOException {
            if (stuck) {
                flushing.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            log.flush();
        }
    }

    @Test
    void aStuckFsyncDoesNotStallAnotherGroupOnTheSameWorker() throws Exception {
        StuckDisk stuckDisk = new StuckDisk();
        RaftHost host = RaftHost.builder().nodeId(1).transport(network)
                .logStorage(id -> id == 1 ? stuckDisk : new InMemoryLogStorage())
                .workers(1).ioThreads(2).build();
        hosts.add(host);
        RaftNode stuck = host.createGroup(1, Set.of(1L), new Counter());   // worker 0, IO thread 0
        RaftNode healthy = host.createGroup(2, Set.of(1L), new Counter()); // worker 0, IO thread 1
        stuck.awaitLeader(Duration.ofSeconds(10));
        healthy.awaitLeader(Duration.ofSeconds(10));
        stuckDisk.stuck = true;
        CompletableFuture<Object> waiting = stuck.propose(new byte[] {1});
        assertThat(stuckDisk.flushing.await(10, TimeUnit.SECONDS)).isTrue();
        // Group 1's log writer waits on its disk; group 2, on the same worker, commits on.
        for (int i = 1; i <= 20; i++) {
            assertThat(healthy.propose(new byte[] {1}).get(10, TimeUnit.SECONDS)).isEqualTo((long) i);
        }
        assertThat(waiting).isNotDone();
        stuckDisk.release.countDown();
        assertThat(waiting.get(10, TimeUnit.SECONDS)).isEqualTo(1L);
    }

    @Test
    void removeWithDataDeletesTheLog() {
        RaftHost host = host(1, 1);
        host.createGroup(5, Set.of(1L), new Counter());
        assertThat(host.removeGroup(5, true)).isTrue();
        assertThat(logsByHost.get(1L).groupsFound()).isEmpty();
    }

    @Test
    void aGroupBeyondTheBudgetIsRefusedAndTheHostGoesOn() throws Exception {
        long perGroup = RaftConfig.hostDefaults().reservedBytes();
        RaftHost host = RaftHost.builder().nodeId(1).transport(network).logStorage(id -> new InMemoryLogStorage())
                .workers(1).memoryBudgetBytes(2 * perGroup + perGroup / 2).build();
        hosts.add(host);
        host.createGroup(1, Set.of(1L), new Counter());
        host.createGroup(2, Set.of(1L), new Counter());
        assertThatThrownBy(() -> host.createGroup(3, Set.of(1L), new Counter()))
                .isInstanceOf(RejectedException.class)
                .hasMessageContaining("does not fit host 1's memory budget");
        assertThat(host.groupIds()).containsExactly(1L, 2L);
        assertThat(host.status().reservedBytes()).isEqualTo(2 * perGroup);
        // The refused id is free again once there is room.
        host.removeGroup(1);
        RaftNode three = host.createGroup(3, Set.of(1L), new Counter());
        three.awaitLeader(Duration.ofSeconds(10));
        assertThat(three.propose(new byte[] {1}).get(10, TimeUnit.SECONDS)).isEqualTo(1L);
    }

    @Test
    void groupsBeyondMaxGroupsAreRefused() throws Exception {
        for (int max : new int[] {1, 2, 3, 8, 1000}) {
            RaftHost host = RaftHost.builder().nodeId(1).transport(network).logStorage(id -> new InMemoryLogStorage())
                    .workers(2).maxGroups(max).build();
            hosts.add(host);
            for (long g = 1; g <= Math.min(max, 8); g++) {
                host.createGroup(g, Set.of(1L), new Counter());
            }
            if (max <= 8) {
                assertThatThrownBy(() -> host.createGroup(99, Set.of(1L), new Counter()))
                        .isInstanceOf(RejectedException.class).hasMessageContaining("maximum of " + max + " groups");
                assertThat(host.groupIds()).hasSize(max);
            }
            RaftNode first = host.group(1).orElseThrow();
            first.awaitLeader(Duration.ofSeconds(10));
            assertThat(first.propose(new byte[] {1}).get(10, TimeUnit.SECONDS)).isEqualTo(1L);
            host.close(); // the next host is node 1 on the same network again
            hosts.remove(host);
        }
    }

    @Test
    void aTakenIdAndABadSettingAreRefused() {
        RaftHost host = host(1, 1);
        host.createGroup(1, Set.of(1L), new Counter());
        assertThatThrownBy(() -> host.createGroup(1, Set.of(1L), new Counter()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already holds group 1");
        assertThatThrownBy(() -> host.createGroup(-1, Set.of(1L), new Counter()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> host.createGroup(2, Set.of(1L), new Counter(),
                RaftConfig.hostBuilder().tickMillis(5).heartbeatIntervalMillis(50).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("host's timer");
        assertThatThrownBy(() -> host.createGroup(3, Set.of(2L), new Counter()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a member");
        // Refusals leave nothing behind.
        assertThat(host.groupIds()).containsExactly(1L);
        assertThat(host.status().reservedBytes()).isEqualTo(RaftConfig.hostDefaults().reservedBytes());
        assertThatThrownBy(() -> RaftHost.builder().nodeId(1).transport(network).build())
                .isInstanceOf(NullPointerException.class).hasMessageContaining("logStorage");
        // A second host with the same node id on the same network is refused before it starts a thread.
        int threads = Thread.activeCount();
        assertThatThrownBy(() -> RaftHost.builder().nodeId(1).transport(network)
                .logStorage(id -> new InMemoryLogStorage()).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("host node id 1 is already connected");
        assertThat(Thread.activeCount()).isLessThanOrEqualTo(threads);
    }

    @Test
    void closingAGroupFromItsOwnCallbackIsRefused() throws Exception {
        RaftHost host = host(1, 1);
        RaftNode[] self = new RaftNode[1];
        CompletableFuture<Throwable> seen = new CompletableFuture<>();
        // The state machine runs on the group's worker: closing the group from there would wait for itself.
        StateMachine closer = (commands, results) -> {
            for (int i = 0; i < commands.count(); i++) {
                try {
                    self[0].close();
                    seen.complete(null);
                } catch (Throwable t) {
                    seen.complete(t);
                }
                results.set(i, 0L);
            }
        };
        self[0] = host.createGroup(1, Set.of(1L), closer);
        self[0].awaitLeader(Duration.ofSeconds(10));
        self[0].propose(new byte[] {1}).get(10, TimeUnit.SECONDS);
        assertThat(seen.get(10, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("its own tasks");
        assertThat(host.group(1)).isPresent();
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 20 s");
            }
            Thread.sleep(5);
        }
    }
}
