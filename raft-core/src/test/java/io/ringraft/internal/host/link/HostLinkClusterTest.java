package io.ringraft.internal.host.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftNode;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.StateMachine;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Real nodes over host links: 3 processes (node ids 1..3), {@value #GROUPS} groups each, on the
 * in-process network. Leaders are elected and commit with coalescing on; while idle, the wire carries
 * batches only (at most one per peer and kind per flush), no single heartbeat; a process cut off is
 * reported lost by the others and its groups elect leaders elsewhere.
 */
class HostLinkClusterTest {

    private static final int GROUPS = 12;
    private static final int HEARTBEAT_MILLIS = 25;
    /**
     * The nodes' election timeout and the links' peer timeout: 40 heartbeat intervals. (At 250 ms, a test JVM
     * starved for a quarter of a second on a loaded machine lost a peer or started an election in the idle
     * window, whose checks then failed: the test was flaky.)
     */
    private static final int TIMEOUT_MILLIS = 1000;
    private static final long[] IDS = {1, 2, 3};

    private final CountingNetwork network = new CountingNetwork();
    private final List<HostLink> links = new ArrayList<>();
    private final List<List<String>> events = new ArrayList<>();
    private final RaftNode[][] nodes = new RaftNode[GROUPS][IDS.length];
    private final AtomicLong rounds = new AtomicLong();
    private volatile boolean stop;
    private Thread driver;

    /** Counts applied commands. */
    private static final class Counter implements StateMachine {
        final AtomicLong applied = new AtomicLong();

        @Override
        public void apply(LogEntries entries, ApplyResults results) {
            for (int i = 0; i < entries.count(); i++) {
                results.set(i, applied.incrementAndGet());
            }
        }

        @Override
        public Object query(io.ringraft.api.Bytes query) {
            return applied.get();
        }
    }

    @AfterEach
    void close() throws InterruptedException {
        for (RaftNode[] group : nodes) {
            for (RaftNode node : group) {
                if (node != null) {
                    node.close();
                }
            }
        }
        stop = true;
        if (driver != null) {
            driver.join(10_000);
        }
        links.forEach(HostLink::close);
    }

    private void start() {
        long ms = TimeUnit.MILLISECONDS.toNanos(1);
        for (long id : IDS) {
            List<String> seen = new CopyOnWriteArrayList<>();
            events.add(seen);
            links.add(new HostLink(network, id, LinkSettings.defaults().withTiming(HEARTBEAT_MILLIS * ms, TIMEOUT_MILLIS * ms),
                    new PeerListener() {
                        @Override
                        public void peerLost(long nodeId) {
                            seen.add("lost " + nodeId);
                        }

                        @Override
                        public void peerReturned(long nodeId) {
                            seen.add("returned " + nodeId);
                        }
                    }));
        }
        // The host's duty cycle, reduced to what the link needs: flush, keep-alives, liveness, once per
        // heartbeat interval (a host flushes every cycle; its groups tick together, so their heartbeats
        // meet in one flush; these nodes tick on their own threads, so one flush per interval gathers them).
        driver = new Thread(() -> {
            while (!stop) {
                long now = System.nanoTime();
                for (HostLink link : links) {
                    link.flush();
                    link.keepAlive(now);
                    link.checkPeers(now);
                }
                rounds.incrementAndGet();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(HEARTBEAT_MILLIS));
            }
        }, "host-link-driver");
        driver.setDaemon(true);
        driver.start();

        RaftConfig config = RaftConfig.builder().tickMillis(5).heartbeatIntervalMillis(HEARTBEAT_MILLIS)
                .electionTimeoutMillis(TIMEOUT_MILLIS).ringCapacityEntries(256).ringCapacityBytes(1 << 18)
                .maxEntryBytes(1024).proposalQueueBytes(1 << 14).build();
        for (int g = 0; g < GROUPS; g++) {
            for (int n = 0; n < IDS.length; n++) {
                nodes[g][n] = RaftNode.builder().groupId(100 + g).nodeId(IDS[n]).voters(IDS).config(config)
                        .stateMachine(new Counter()).logStorage(new InMemoryLogStorage()).transport(links.get(n))
                        .sharedThread(true).randomSeed(g * 10L + n).build();
            }
        }
        for (RaftNode[] group : nodes) {
            for (RaftNode node : group) {
                node.start();
            }
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting until " + what);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    private RaftNode leader(int group, long exceptHost) {
        for (RaftNode node : nodes[group]) {
            if (node.nodeId() != exceptHost && node.isLeader()) {
                return node;
            }
        }
        return null;
    }

    private void commitInEveryGroup(long exceptHost, String tag) throws Exception {
        for (int g = 0; g < GROUPS; g++) {
            int group = g;
            await("group " + group + " has a leader", () -> leader(group, exceptHost) != null);
            List<CompletableFuture<Object>> futures = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                futures.add(leader(group, exceptHost).propose((tag + i).getBytes(StandardCharsets.UTF_8)));
            }
            for (CompletableFuture<Object> future : futures) {
                future.get(30, TimeUnit.SECONDS);
            }
        }
    }

    private long sum(java.util.function.ToLongFunction<LinkStats> counter) {
        return links.stream().mapToLong(link -> counter.applyAsLong(link.stats())).sum();
    }

    @Test
    void groupsElectAndCommitWithCoalescedHeartbeatsAndACutProcessIsLost() throws Exception {
        start();
        commitInEveryGroup(0, "a");

        // Idle: every group heartbeats, and only batches cross the wire.
        long roundsBefore = rounds.get();
        // (let the commits' last acknowledgements, which carry news and leave directly, settle)
        await("some rounds passed", () -> rounds.get() > roundsBefore + 10);
        long wireBefore = network.total();
        long directHeartbeats = network.count("Heartbeat");
        long directAnswers = network.count("AppendEntriesResponse");
        java.util.Map<String, Long> kindsBefore = network.counts();
        long parkedBefore = sum(LinkStats::heartbeatsParked) + sum(LinkStats::answersParked);
        long batchesBefore = sum(LinkStats::batchesSent) + sum(LinkStats::keepAlivesSent);
        long from = rounds.get();
        
        await("40 rounds passed", () -> rounds.get() >= from + 40);
        long flushRounds = rounds.get() - from;
        
        long wire = network.total() - wireBefore;
        long parked = sum(LinkStats::heartbeatsParked) + sum(LinkStats::answersParked) - parkedBefore;
        long batches = sum(LinkStats::batchesSent) + sum(LinkStats::keepAlivesSent) - batchesBefore;
        System.out.printf("idle %d flush rounds (%d ms apart): %d messages on the wire (%.1f per round), "
                        + "carrying %d heartbeats and answers (%.1f per round)%n", flushRounds, HEARTBEAT_MILLIS,
                wire, (double) wire / flushRounds, parked, (double) parked / flushRounds);
        assertThat(network.count("Heartbeat")).as("no heartbeat left on its own").isEqualTo(directHeartbeats);
        // A node that lags by more than GroupPeer.MAX_OWED heartbeats (a loaded machine) answers the
        // excess directly: allowed, but rare.
        long answersAlone = network.count("AppendEntriesResponse") - directAnswers;
        assertThat(answersAlone).as("answers that left on their own").isLessThanOrEqualTo(parked / 50);
        assertThat(wire).as("only batches, keep-alives and those answers crossed; by kind before %s, after %s",
                kindsBefore, network.counts()).isEqualTo(batches + answersAlone);
        // 3 processes x 2 peers x (heartbeats, answers): at most 12 per round (+1 round of slack at each end)
        assertThat(wire).isLessThanOrEqualTo(12 * (flushRounds + 2));
        // every group leader heartbeats 2 followers, which answer: 4 per group per heartbeat interval
        assertThat(parked).as("heartbeats and answers carried").isGreaterThan(4L * GROUPS * flushRounds / 2);
        assertThat(parked).as("coalesced: several per message").isGreaterThan(3 * wire);
        events.forEach(seen -> assertThat(seen).isEmpty());

        // Process 3 is cut off: the others report it lost, and every group commits without it.
        network.cut(3);
        await("hosts 1 and 2 report process 3 lost",
                () -> events.get(0).contains("lost 3") && events.get(1).contains("lost 3"));
        assertThat(events.get(2)).containsExactlyInAnyOrder("lost 1", "lost 2");
        commitInEveryGroup(3, "b");
        network.heal(3);
        await("process 3 is back for both", () -> events.get(0).contains("returned 3")
                && events.get(1).contains("returned 3"));
    }
}
