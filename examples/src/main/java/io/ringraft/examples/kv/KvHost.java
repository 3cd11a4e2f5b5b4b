package io.ringraft.examples.kv;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftHost;
import io.ringraft.api.RaftNode;
import io.ringraft.api.RejectedException;
import io.ringraft.metrics.micrometer.MicrometerRaftMetrics;
import io.ringraft.net.netty.NettyTransport;
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

/**
 * One process's (one node id's) KV groups when the KV store runs {@code --groups N} with N above 1: a
 * {@link RaftHost} holding groups {@code 1..N}, each with a {@link KvStateMachine}, on the process's
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
 *   <li>{@code kv-groups}: a file holding N. The key-to-group map depends on N ({@link KeyGroups}), so a
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

    private final SharedLog wal;
    private final RaftHost host;
    private final List<RaftNode> nodes;
    private final MeterRegistry registry;
    private final List<Meter> meters;

    private KvHost(SharedLog wal, RaftHost host, List<RaftNode> nodes, MeterRegistry registry, List<Meter> meters) {
        this.wal = wal;
        this.host = host;
        this.nodes = nodes;
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
        return KvCluster.snapshotPolicy(RaftConfig.hostBuilder()
                .maxEntryBytes(64 << 10)
                .ringCapacityEntries(1024)
                .ringCapacityBytes(512 << 10)
                .proposalQueueBytes(1 << 20)
                .maxBytesPerAppend(256 << 10)
                .maxPendingFutures(4096)
                .maxPendingReads(1024)
                .inboundQueueCapacity(1024)).build();
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
            Files.writeString(file, groups + "\n", StandardCharsets.UTF_8);
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
            List<RaftNode> nodes = new ArrayList<>(groups);
            java.util.Map<Long, io.ringraft.api.client.SessionStateMachine> machines = new java.util.HashMap<>();
            for (long g = 1; g <= groups; g++) {
                try {
                    machines.put(g, KvSessions.newStateMachine());
                    nodes.add(host.createGroup(g, voters, machines.get(g)));
                } catch (RejectedException e) {
                    throw new IllegalStateException("node " + nodeId + " cannot hold " + groups + " groups of "
                            + config.reservedBytes() + " reserved bytes each in its memory budget of " + budgetBytes
                            + " bytes (half the heap, shared by the nodes of this process): raise -Xmx or lower "
                            + "--groups (" + e.getMessage() + ")", e);
                }
            }
            // RaftClients on the Raft port (docs/client.md); closing the transport closes their connections
            io.ringraft.net.netty.client.ClientServer.builder(transport).host(host, machines::get).build();
            List<Meter> meters = registry == null ? List.of() : hostMeters(host, registry);
            return new KvHost(wal, host, List.copyOf(nodes), registry, meters);
        } catch (IOException e) {
            UncheckedIOException failure = new UncheckedIOException("node " + nodeId + " cannot open its storage in "
                    + hostDirectory + ": " + e.getMessage(), e);
            close(host, wal, failure);
            throw failure;
        } catch (RuntimeException | Error e) {
            close(host, wal, e);
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

    private static void close(RaftHost host, SharedLog wal, Throwable failure) {
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

    /** Closes the host (every group), then the shared log, and removes the host's gauges. Idempotent. */
    @Override
    public void close() {
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
