package io.ringraft.examples.kv;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftHost;
import io.ringraft.api.RaftNode;
import io.ringraft.api.RejectedException;
import io.ringraft.api.client.SessionMessagingStateMachine;
import io.ringraft.metrics.micrometer.MicrometerRaftMetrics;
import io.ringraft.net.netty.NettyTransport;
import io.ringraft.net.netty.client.ClientServer;
import io.ringraft.storage.GroupDirectories;
import io.ringraft.storage.wal.SharedLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import io.ringraft.messaging.MessageRoute;
import io.ringraft.messaging.MessagingDriver;
import io.ringraft.messaging.MessagingGroup;
import io.ringraft.messaging.OutboxSettings;
import java.time.Duration;

/**
 * One process's (one node id's) KV groups when the KV store runs {@code --groups N} with N above 1: a
 * {@link RaftHost} holding groups {@code 1..N}, each with a {@link KvStateMachine} inside a messaging group
 * ({@link KvTransfers}: {@code XFER} between groups through an outbox, delivered by a {@link MessagingDriver}
 * thread through the host's replicas) with client sessions in between ({@link SessionMessagingStateMachine}:
 * every entry is a session envelope inside the messaging one, and the groups serve {@code RaftClient}s on
 * the Raft port through a {@link ClientServer}), on the process's
 * shared {@link NettyTransport} (which routes by group and node id over one connection per pair of
 * processes).
 *
 * <p><b>Storage</b>, under the host's directory ({@code <data-dir>} in {@code node} mode,
 * {@code <data-dir>/host-<id>} in {@code cluster} mode):
 * <ul>
 *   <li>{@code wal/}: one {@link SharedLog} holding every group's log (one {@code fdatasync} commits every
 *       group that wrote meanwhile), {@value #WAL_FILE_BYTES}-byte preallocated files; opened before
 *       the host, closed after it;
 *   <li>{@code groups/group-<g>/snapshots/}: group {@code g}'s snapshots ({@link GroupDirectories#snapshots()}),
 *       taken by the configuration's snapshot policy ({@link KvCluster#snapshotPolicy});
 *   <li>{@code kv-groups}: a file holding N and {@value #MESSAGING_MARK} (a file with N alone was written
 *       before the groups were messaging groups, one with N and {@value #MESSAGING_WITHOUT_SESSIONS_MARK}
 *       before they kept client sessions: both are refused). The key-to-group map depends on N ({@link KeyGroups}), so a
 *       directory written with one N refuses to start with another (and a single-group node's directory,
 *       {@code node-<id>/}, refuses any N above 1, and the other way round).
 * </ul>
 * Restarted on the same directory with the same N, every group recovers its snapshot and log: the host
 * re-creates groups {@code 1..N} as at the first start (group ids are stable).
 *
 * <p><b>Memory</b>: each group reserves {@link RaftConfig#reservedBytes()} of the host's budget
 * ({@link #groupConfig()}: about 1.6 MiB); a group that does not fit fails the start with the host's
 * {@code RejectedException}, naming the budget.
 *
 * <p><b>Metrics</b>: with a registry, each group's {@link MicrometerRaftMetrics} (tagged {@code group.id}
 * and {@code node.id}) and the host's gauges {@code ringraft.host.groups}, {@code ringraft.host.leaders},
 * {@code ringraft.host.reserved.bytes} and {@code ringraft.host.memory.budget.bytes} (tagged
 * {@code node.id}), removed at {@link #close()}.
 */
final class KvHost implements AutoCloseable {

    /** Most groups the command line accepts. */
    static final int MAX_GROUPS = 1024;
    /** The size of each shared WAL file. */
    static final int WAL_FILE_BYTES = 16 << 20;
    /** The file under the host's directory that records N. */
    static final String GROUPS_FILE = "kv-groups";
    /**
     * What follows N in {@link #GROUPS_FILE} since the groups are messaging groups (their entries and
     * snapshots carry the messaging envelope): a directory without it was written before and is refused.
     */
    static final String MESSAGING_MARK = " messaging sessions";
    /**
     * The mark of directories written while the groups were messaging groups without client sessions
     * (their entries carry no session envelope inside the messaging one, their snapshots no session
     * table): refused.
     */
    static final String MESSAGING_WITHOUT_SESSIONS_MARK = " messaging";

    /**
     * Each group's outbox (for {@code XFER}): 10,000 messages, refusing writes from 8,000; batches of up to 64
     * messages (an {@code XFER} credit is a key and 8 bytes) in one entry.
     */
    static final OutboxSettings OUTBOX = new OutboxSettings(10_000, 8_000, 64, 16 << 10, Duration.ofMillis(50));

    private final SharedLog wal;
    private final RaftHost host;
    private final List<RaftNode> nodes;
    private final List<MessagingGroup> messaging;
    private final MessagingDriver driver;
    private final MeterRegistry registry;
    private final List<Meter> meters;

    private KvHost(SharedLog wal, RaftHost host, List<RaftNode> nodes, List<MessagingGroup> messaging,
                   MessagingDriver driver, MeterRegistry registry, List<Meter> meters) {
        this.wal = wal;
        this.host = host;
        this.nodes = nodes;
        this.messaging = messaging;
        this.driver = driver;
        this.registry = registry;
        this.meters = meters;
    }

    /**
     * The command line's group configuration: {@link RaftConfig#hostBuilder()}'s defaults with room for
     * larger commands, since a KV value is a log entry: entries (one command, its key and value) up to
     * 64 KiB, a 1,024-entry 512 KiB ring (at least two largest entries), a 1 MiB proposal queue (eight
     * largest entries, rounded up to a power of two), appends of up to 256 KiB, 4,096 pending futures
     * and 1,024 pending reads (RESP connections pipeline); {@link KvCluster#snapshotPolicy}. About 1.6 MiB
     * reserved per group ({@link RaftConfig#reservedBytes()}).
     */
    static RaftConfig groupConfig() {
        return groupConfigBuilder().build();
    }

    /** {@link #groupConfig()}'s builder, for a caller that adds to it. */
    static RaftConfig.Builder groupConfigBuilder() {
        return KvCluster.snapshotPolicy(RaftConfig.hostBuilder()
                .maxEntryBytes(64 << 10)
                .ringCapacityEntries(1024)
                .ringCapacityBytes(512 << 10)
                .proposalQueueBytes(1 << 20)
                .maxBytesPerAppend(256 << 10)
                .maxPendingFutures(4096)
                .maxPendingReads(1024)
                .inboundQueueCapacity(1024));
    }

    /**
     * Checks that {@code hostDirectory} suits {@code groups} groups (see the class comment) and, for N above
     * 1, records N there.
     *
     * @param singleNodeLog the log directory a single-group node of this id would have
     * @throws IllegalStateException if the directory was written with another number of groups
     */
    static void checkLayout(Path hostDirectory, Path singleNodeLog, int groups) throws IOException {
        Path file = hostDirectory.resolve(GROUPS_FILE);
        if (Files.exists(file)) {
            String recorded = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (recorded.equals(Integer.toString(groups)) && groups > 1) {
                throw new IllegalStateException(hostDirectory + " was written by a version before XFER: its groups'"
                        + " log entries and snapshots carry no messaging envelope (" + GROUPS_FILE + " says \""
                        + recorded + "\", not \"" + groups + MESSAGING_MARK + "\"); start on another data directory");
            }
            if (recorded.equals(groups + MESSAGING_WITHOUT_SESSIONS_MARK)) {
                throw new IllegalStateException(hostDirectory + " was written by a version before the groups served "
                        + "RaftClients: its groups' log entries and snapshots carry no session envelope (" + GROUPS_FILE
                        + " says \"" + recorded + "\", not \"" + groups + MESSAGING_MARK + "\"); start on another data "
                        + "directory");
            }
            recorded = recorded.endsWith(MESSAGING_MARK)
                    ? recorded.substring(0, recorded.length() - MESSAGING_MARK.length()) : recorded;
            if (!recorded.equals(Integer.toString(groups))) {
                throw new IllegalStateException(hostDirectory + " holds data of --groups " + recorded
                        + " (keys map to groups by that number); start with --groups " + recorded
                        + " or on another data directory");
            }
        } else if (groups > 1 && Files.isDirectory(singleNodeLog)) {
            throw new IllegalStateException(singleNodeLog.getParent() + " holds a single-group node's data ("
                    + singleNodeLog.getFileName() + "); start it without --groups or use another data directory");
        }
        if (groups > 1 && !Files.exists(file)) {
            Files.createDirectories(hostDirectory);
            Files.writeString(file, groups + MESSAGING_MARK + "\n", StandardCharsets.UTF_8);
        }
    }

    /**
     * Opens the host's shared log, builds the host and creates and starts groups {@code 1..groups}, each a
     * member with node id {@code nodeId} of voters {@code voters}. On failure closes whatever was opened.
     *
     * @param budgetBytes the host's memory budget
     * @param workers     the host's worker threads
     * @param registry    where the groups' and the host's meters go, or null
     * @throws UncheckedIOException  if the storage cannot be opened or recovered
     * @throws IllegalStateException if the directory was written with another number of groups
     */
    static KvHost start(long nodeId, Set<Long> voters, int groups, Path hostDirectory, Path singleNodeLog,
                        RaftConfig config, NettyTransport transport, long budgetBytes, int workers,
                        MeterRegistry registry) {
        return start(nodeId, voters, groups, hostDirectory, singleNodeLog, config, transport, budgetBytes, workers,
                registry, null);
    }

    /** {@link #start} with what to do when a group fail-stops (null: nothing, its status says so). */
    static KvHost start(long nodeId, Set<Long> voters, int groups, Path hostDirectory, Path singleNodeLog,
                        RaftConfig config, NettyTransport transport, long budgetBytes, int workers,
                        MeterRegistry registry, io.ringraft.api.FailStopHandler onFailStop) {
        SharedLog wal = null;
        RaftHost host = null;
        MessagingDriver driver = null;
        try {
            checkLayout(hostDirectory, singleNodeLog, groups);
            wal = SharedLog.builder(hostDirectory.resolve("wal")).clusterId(KvCluster.STORAGE_CLUSTER_ID)
                    .nodeId(nodeId).fileBytes(WAL_FILE_BYTES).build();
            wal.open();
            GroupDirectories directories = new GroupDirectories(hostDirectory.resolve("groups"),
                    KvCluster.STORAGE_CLUSTER_ID, nodeId, GroupDirectories.DEFAULT_SEGMENT_BYTES,
                    KvCluster.SNAPSHOTS_RETAINED);
            RaftHost.Builder builder = RaftHost.builder().nodeId(nodeId).transport(transport)
                    .logStorage(wal.asFactory()).snapshotStore(directories.snapshots()).groupConfig(config)
                    .workers(workers).ioThreads(1).memoryBudgetBytes(budgetBytes).onFailStop(onFailStop);
            // Not .maxGroups(groups): RaftHost (raft-core's HostWorker and IoWorker) refuses any maxGroups
            // from 3 to 1024 (their ready queues' initial capacity must be below the maximum), so the
            // default (100,000) bounds the ready queues; the host holds only these groups anyway.
            if (registry != null) {
                builder.metrics(groupId -> new MicrometerRaftMetrics(registry));
            }
            host = builder.build();
            driver = MessagingDriver.start("ringraft-kv-outbox-" + nodeId, Duration.ofMillis(20));
            List<RaftNode> nodes = new ArrayList<>(groups);
            List<MessagingGroup> messaging = new ArrayList<>(groups);
            ClientServer.Builder clients = ClientServer.builder(transport);
            for (long g = 1; g <= groups; g++) {
                try {
                    // sessions inside the messaging envelope: RaftClients get exactly-once writes (RESP replies)
                    SessionMessagingStateMachine sessions = SessionMessagingStateMachine.wrap(new KvTransfers(groups))
                            .resultEncoder(KvClientResults::encode).build();
                    MessagingGroup group = MessagingGroup.create(g, sessions, OUTBOX);
                    RaftNode node = host.createGroup(g, voters, group.stateMachine());
                    group.attach(node, MessageRoute.through(host), driver);
                    nodes.add(node);
                    messaging.add(group);
                    clients.node(node, sessions.servedBy(group));
                } catch (RejectedException e) {
                    throw new IllegalStateException("node " + nodeId + " cannot hold " + groups + " groups of "
                            + config.reservedBytes() + " reserved bytes each in its memory budget of " + budgetBytes
                            + " bytes (half the heap, shared by the nodes of this process): raise -Xmx or lower "
                            + "--groups (" + e.getMessage() + ")", e);
                }
            }
            // RaftClients on the Raft port (docs/client.md); closing the transport closes their connections
            clients.build();
            List<Meter> meters = registry == null ? List.of() : hostMeters(host, registry);
            return new KvHost(wal, host, List.copyOf(nodes), List.copyOf(messaging), driver, registry, meters);
        } catch (IOException e) {
            UncheckedIOException failure = new UncheckedIOException("node " + nodeId + " cannot open its storage in "
                    + hostDirectory + ": " + e.getMessage(), e);
            close(driver, host, wal, failure);
            throw failure;
        } catch (RuntimeException | Error e) {
            close(driver, host, wal, e);
            throw e;
        }
    }

    private static List<Meter> hostMeters(RaftHost host, MeterRegistry registry) {
        String node = Long.toString(host.nodeId());
        List<Meter> meters = new ArrayList<>();
        meters.add(gauge(registry, "ringraft.host.groups", "the groups the host holds", node, host,
                h -> h.status().groups()));
        meters.add(gauge(registry, "ringraft.host.leaders", "the groups the host leads", node, host,
                h -> h.status().leaders()));
        meters.add(gauge(registry, "ringraft.host.reserved.bytes", "memory the host's groups reserve", node, host,
                h -> h.status().reservedBytes()));
        meters.add(gauge(registry, "ringraft.host.memory.budget.bytes", "the host's memory budget", node, host,
                h -> h.status().budgetBytes()));
        return meters;
    }

    private static Meter gauge(MeterRegistry registry, String name, String description, String node, RaftHost host,
                               ToDoubleFunction<RaftHost> value) {
        return Gauge.builder(name, host, value).description(description).tag("node.id", node).register(registry);
    }

    private static void close(MessagingDriver driver, RaftHost host, SharedLog wal, Throwable failure) {
        if (driver != null) {
            driver.close();
        }
        if (host != null) {
            try {
                host.close();
            } catch (RuntimeException e) {
                failure.addSuppressed(e);
            }
        }
        if (wal != null) {
            try {
                wal.close();
            } catch (IOException | RuntimeException e) {
                failure.addSuppressed(e);
            }
        }
    }

    /** The host. */
    RaftHost host() {
        return host;
    }

    /** The host's member of each group: {@code nodes().get(g - 1)} is group {@code g}'s. */
    List<RaftNode> nodes() {
        return nodes;
    }

    /** The host's member of group {@code group} (1-based). */
    RaftNode node(int group) {
        return nodes.get(group - 1);
    }

    /** The messaging side of group {@code group} (1-based): its outbox status, the envelope its commands need. */
    MessagingGroup messaging(int group) {
        return messaging.get(group - 1);
    }

    /** The routers of the groups, each wrapped for its messaging group: {@code inner.apply(g)} is group g's. */
    List<WriteRouter> routers(java.util.function.IntFunction<WriteRouter> inner) {
        List<WriteRouter> routers = new ArrayList<>(nodes.size());
        for (int g = 1; g <= nodes.size(); g++) {
            routers.add(new EnvelopeRouter(inner.apply(g), messaging(g)));
        }
        return routers;
    }

    /** The routes a RESP server of this host uses, over {@code routers} (from {@link #routers}). */
    GroupRoutes routes(List<WriteRouter> routers) {
        return GroupRoutes.hosted(host, nodes, routers, messaging);
    }

    /**
     * Stops delivering outboxes, closes the host (every group), then the shared log, and removes the host's
     * gauges. Idempotent.
     */
    @Override
    public void close() {
        driver.close();
        host.close();
        try {
            wal.close();
        } catch (IOException e) {
            throw new UncheckedIOException("closing the shared log in " + wal.directory() + " failed: "
                    + e.getMessage(), e);
        } finally {
            if (registry != null) {
                meters.forEach(registry::remove);
            }
        }
    }
}
