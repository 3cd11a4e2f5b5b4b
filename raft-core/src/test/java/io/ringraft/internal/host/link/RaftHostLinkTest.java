package io.ringraft.internal.host.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftHost;
import io.ringraft.api.RaftNode;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.StateMachine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Hosts coalesce their groups' heartbeats into one batch per peer and move leadership off a lost host. */
class RaftHostLinkTest {

    private static final Set<Long> HOSTS = Set.of(1L, 2L, 3L);
    private static final int GROUPS = 60;

    /** Applies nothing of interest: each command's result is its index. */
    static final class Noop implements StateMachine {
        @Override
        public void apply(LogEntries commands, ApplyResults results) {
            for (int i = 0; i < commands.count(); i++) {
                results.set(i, commands.firstIndex() + i);
            }
        }
    }

    private final CountingNetwork network = new CountingNetwork();
    private final List<RaftHost> hosts = new ArrayList<>();

    @AfterEach
    void close() {
        hosts.forEach(RaftHost::close);
    }

    private void startHosts(boolean coalesce, RaftConfig config) {
        for (long id = 1; id <= 3; id++) {
            RaftHost host = RaftHost.builder().nodeId(id).transport(network)
                    .logStorage(groupId -> new InMemoryLogStorage()).workers(2).groupConfig(config)
                    .coalesceHeartbeats(coalesce).build();
            hosts.add(host);
        }
        for (long g = 1; g <= GROUPS; g++) {
            for (RaftHost host : hosts) {
                host.createGroup(g, HOSTS, new Noop());
            }
        }
    }

    private long leaderOf(long groupId) throws Exception {
        return hosts.get(0).group(groupId).orElseThrow().awaitLeader(Duration.ofSeconds(20));
    }

    /** Messages per heartbeat interval while every group idles (but none quiesces). */
    private double idleMessagesPerInterval(boolean coalesce) throws Exception {
        RaftConfig config = RaftConfig.hostBuilder().quiesceAfterMillis(0).build();
        startHosts(coalesce, config);
        for (long g = 1; g <= GROUPS; g++) {
            leaderOf(g);
        }
        Thread.sleep(500); // settle: elections' votes and no-ops replicated
        long before = network.total();
        long started = System.nanoTime();
        Thread.sleep(1_000); // a measurement window, not a wait for a condition
        long messages = network.total() - before;
        double intervals = (System.nanoTime() - started) / (config.heartbeatIntervalMillis() * 1e6);
        return messages / intervals;
    }

    @Test
    void idleGroupsHeartbeatInBatchesPerPeerNotPerGroup() throws Exception {
        double perInterval = idleMessagesPerInterval(true);
        // Uncoalesced, 60 leaders send 120 heartbeats and get 120 answers per interval. Batched, a host's
        // workers flush after the rounds that ran groups, so heartbeats leave at most once per worker per tick
        // to each peer: the count depends on ticks and workers, not on groups (measured: about 50).
        assertThat(perInterval).isLessThan(2 * GROUPS * 2 / 2.0);
        assertThat(network.count("HeartbeatBatch")).isGreaterThan(0);
    }

    @Test
    void withoutCoalescingEveryGroupSendsItsOwn() throws Exception {
        idleMessagesPerInterval(false);
        assertThat(network.count("Heartbeat")).isGreaterThanOrEqualTo(2 * GROUPS);
        assertThat(network.count("HeartbeatBatch") + network.count("HeartbeatBatchResponse")).isZero();
    }

    @Test
    void quietGroupsSendNothingButTheHostsKeepAliveAndAProposalWakesAGroup() throws Exception {
        startHosts(true, RaftConfig.hostBuilder().quiesceAfterMillis(1_000).build());
        for (long g = 1; g <= GROUPS; g++) {
            leaderOf(g);
        }
        waitUntil(() -> hosts.stream().allMatch(h -> h.groups().stream().allMatch(RaftNode::isQuiesced)));
        long groupMessages = network.total() - network.count("HeartbeatBatch") - network.count("HeartbeatBatchResponse");
        long batches = network.count("HeartbeatBatch");
        // While every group is quiet, the wire carries only the hosts' keep-alives (empty batches); no group
        // sends a message. Wait until some keep-alives went by, then check nothing else did.
        waitUntil(() -> network.count("HeartbeatBatch") > batches + 3 * 2 * 4);
        long groupMessagesAfter = network.total() - network.count("HeartbeatBatch") - network.count("HeartbeatBatchResponse");
        assertThat(groupMessagesAfter - groupMessages).isZero();
        // A proposal wakes its group, commits, and the group goes quiet again.
        RaftNode leader = hosts.get((int) leaderOf(7) - 1).group(7).orElseThrow();
        assertThat(leader.propose(new byte[] {1}).get(20, TimeUnit.SECONDS)).isNotNull();
        waitUntil(() -> hosts.stream().allMatch(h -> h.group(7).orElseThrow().isQuiesced()));
    }

    @Test
    void theGroupsOfALostHostElectOnTheOthers() throws Exception {
        startHosts(true, RaftConfig.hostDefaults());
        for (long g = 1; g <= GROUPS; g++) {
            RaftNode leader = hosts.get((int) leaderOf(g) - 1).group(g).orElseThrow();
            leader.propose(new byte[] {1}).get(20, TimeUnit.SECONDS);
        }
        network.cut(3);
        waitUntil(() -> {
            for (long g = 1; g <= GROUPS; g++) {
                RaftNode one = hosts.get(0).group(g).orElseThrow();
                RaftNode two = hosts.get(1).group(g).orElseThrow();
                if (!one.isLeader() && !two.isLeader()) {
                    return false;
                }
            }
            return true;
        });
        for (long g = 1; g <= GROUPS; g++) {
            proposeOnHostOneOrTwo(g);
        }
    }

    /** Proposes at group {@code g}'s leader, which must be host 1 or 2; retries while leadership settles. */
    private void proposeOnHostOneOrTwo(long g) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            long leader = hosts.get(0).group(g).orElseThrow().awaitLeader(Duration.ofSeconds(20));
            assertThat(leader).isIn(1L, 2L);
            try {
                hosts.get((int) leader - 1).group(g).orElseThrow().propose(new byte[] {2}).get(20, TimeUnit.SECONDS);
                return;
            } catch (java.util.concurrent.ExecutionException e) {
                if (!(e.getCause() instanceof io.ringraft.api.NotLeaderException) || System.nanoTime() > deadline) {
                    throw e;
                }
            }
        }
    }

    private static void waitUntil(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 30 s");
            }
            Thread.sleep(5);
        }
    }
}
