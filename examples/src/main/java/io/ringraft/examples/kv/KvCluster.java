package io.ringraft.examples.kv;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.ringraft.api.RaftConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.ringraft.api.RaftHost;
import io.ringraft.api.RaftNode;
import io.ringraft.metrics.micrometer.MicrometerRaftMetrics;
import io.ringraft.metrics.micrometer.NettyTransportMetrics;
import io.ringraft.net.netty.NettyTransport;
import io.ringraft.storage.FileSnapshotStore;
import io.ringraft.storage.SegmentedLogStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A KV cluster of {@code n} nodes in this process: each node has its own {@link NettyTransport} on a
 * loopback Raft port, a {@link SegmentedLogStorage} in {@code dataDir/node-<id>}, a
 * {@link FileSnapshotStore} next to it in {@code dataDir/node-<id>-snapshots}, a {@link KvStateMachine}
 * and a {@link KvServer} on its Redis port. Writes received by any node's server go to the leader's
 * {@link RaftNode} object directly ({@link InProcessRouter}); reads are served by the receiving node.
 *
 * <p>Snapshots follow the {@link RaftConfig} in the {@link Options} ({@link #snapshotPolicy} is the
 * command line's): each node snapshots its map and purges its log below the snapshot less a tail, and
 * a node that fell behind the leader's purged log catches up from the leader's snapshot. A restarted
 * node restores its newest snapshot and replays only the log after it.
 *
 * <p>Metrics: with a metrics port ({@link Options#metricsPort}), one {@link MetricsEndpoint} serves every
 * node's and transport's meters (tagged {@code node.id}) at {@code http://host:port/metrics}.
 *
 * <p><b>Groups</b> ({@link Options#groups} above 1): each node is a {@link RaftHost} holding groups
 * {@code 1..groups} ({@link KvHost}: one shared log per node in {@code dataDir/host-<id>/wal}, snapshots
 * in {@code dataDir/host-<id>/groups}); keys hash to groups ({@link KeyGroups}), and each group's writes
 * go to that group's leader ({@link InProcessRouter} per group). Its {@code /metrics} tag each group's
 * meters with {@code group.id}.
 *
 * <p>{@link #close()} stops servers, then nodes (or hosts and their shared logs), then transports, then
 * the metrics endpoint.
 *
 * <p>The parts of one node ({@link #newTransport}, {@link #buildNode}, {@link #startServer}) are
 * shared with {@link KvNode}, which runs one node per process on the same storage layout.
 */
public final class KvCluster implements AutoCloseable {

    /** The cluster id every transport announces in its handshake. */
    public static final String CLUSTER_ID = "ringraft-kv";

    /**
     * The cluster id the nodes' log and snapshot files record (the log storage's default, so that
     * data directories written before snapshots existed still open).
     */
    public static final long STORAGE_CLUSTER_ID = 0;

    /** How many snapshots each node keeps (the newest, and one before it in case it is damaged). */
    public static final int SNAPSHOTS_RETAINED = 2;

    /**
     * The command line's snapshot policy: a snapshot every 100,000 applied commands or 64 MiB of them,
     * whichever comes first, keeping 10,000 entries of log below it (followers a little behind catch
     * up from the log), sent to followers in 1 MiB chunks.
     */
    public static RaftConfig.Builder snapshotPolicy(RaftConfig.Builder config) {
        return config.snapshotIntervalEntries(100_000).snapshotIntervalBytes(64L << 20)
                .snapshotLogTailEntries(10_000).snapshotChunkBytes(1 << 20);
    }

    /**
     * How to start a cluster.
     *
     * @param nodes         number of nodes (ids 1..nodes)
     * @param dataDir       the parent of the nodes' data directories
     * @param host          the address every port binds to
     * @param redisBasePort node {@code i}'s Redis port is {@code redisBasePort + i - 1}; 0: any free port
     * @param raftBasePort  the same for Raft ports
     * @param config        every node's Raft configuration
     * @param timeout       how long a RESP command may wait for Raft before an error reply
     * @param metricsPort   the port of the process's {@code /metrics} endpoint on {@code host} (0: any free
     *                      port), or -1 for none
     * @param groups        the number of Raft groups the keys hash to ({@link KeyGroups}), 1 to
     *                      {@value KvHost#MAX_GROUPS}: with 1 each node is a plain {@link RaftNode}; with
     *                      more each node is a {@link RaftHost} holding groups {@code 1..groups}
     *                      ({@link KvHost}), and {@code config} is every group's configuration
     */
    public record Options(int nodes, Path dataDir, String host, int redisBasePort, int raftBasePort,
                          RaftConfig config, Duration timeout, int metricsPort, int groups) {

        public Options {
            if (groups < 1 || groups > KvHost.MAX_GROUPS) {
                throw new IllegalArgumentException("--groups must be in 1.." + KvHost.MAX_GROUPS + ", got " + groups);
            }
        }

        /** One group. */
        public Options(int nodes, Path dataDir, String host, int redisBasePort, int raftBasePort, RaftConfig config,
                       Duration timeout, int metricsPort) {
            this(nodes, dataDir, host, redisBasePort, raftBasePort, config, timeout, metricsPort, 1);
        }

        /** One group, without a metrics endpoint. */
        public Options(int nodes, Path dataDir, String host, int redisBasePort, int raftBasePort, RaftConfig config,
                       Duration timeout) {
            this(nodes, dataDir, host, redisBasePort, raftBasePort, config, timeout, -1);
        }
    }

    /**
     * One node with everything it owns.
     *
     * @param node the node; with several groups, its member of group 1
     * @param host with several groups, the host holding its groups; null with one
     */
    public record Member(long id, NettyTransport transport, RaftNode node, KvServer server, RaftHost host) {

        /** A node of a single-group cluster. */
        public Member(long id, NettyTransport transport, RaftNode node, KvServer server) {
            this(id, transport, node, server, null);
        }

        /** Its member of group {@code group} (1-based; with one group, {@link #node()}). */
        public RaftNode group(int group) {
            if (host == null) {
                if (group != 1) {
                    throw new IllegalArgumentException("a single-group cluster has no group " + group);
                }
                return node;
            }
            return host.group(group).orElseThrow(() -> new IllegalArgumentException("node " + id
                    + " holds no group " + group));
        }
    }

    private final Map<Long, Member> members;
    /** With several groups, each node's host (its shared log too); empty with one. */
    private final Map<Long, KvHost> hosts;
    private final EventLoopGroup redisLoops;
    /** Null without a metrics port. */
    private final MetricsEndpoint metrics;

    private KvCluster(Map<Long, Member> members, Map<Long, KvHost> hosts, EventLoopGroup redisLoops,
                      MetricsEndpoint metrics) {
        this.members = members;
        this.hosts = hosts;
        this.redisLoops = redisLoops;
        this.metrics = metrics;
    }

    /** Starts the cluster; on failure, stops whatever had started and rethrows. */
    public static KvCluster start(Options options) {
        if (options.nodes() < 1) {
            throw new IllegalArgumentException("--nodes must be at least 1, got " + options.nodes());
        }
        long[] ids = new long[options.nodes()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i + 1;
        }
        List<AutoCloseable> started = new ArrayList<>();
        EventLoopGroup redisLoops = newRedisLoops();
        try {
            MetricsEndpoint metrics = null;
            if (options.metricsPort() >= 0) {
                metrics = MetricsEndpoint.start(new InetSocketAddress(options.host(), options.metricsPort()));
                started.add(metrics);
            }
            MeterRegistry registry = metrics == null ? null : metrics.registry();
            Map<Long, NettyTransport> transports = new LinkedHashMap<>();
            for (long id : ids) {
                NettyTransport transport = newTransport(id, options.host(), port(options.raftBasePort(), id));
                started.add(0, transport);
                transports.put(id, transport);
                bindTransportMetrics(transport, registry);
            }
            for (NettyTransport transport : transports.values()) {
                transports.forEach((peerId, peer) -> {
                    if (peerId != transport.nodeId()) {
                        transport.peer(peerId, options.host() + ":" + peer.localAddress().getPort());
                    }
                });
            }
            if (options.groups() > 1) {
                return startHosts(options, ids, transports, registry, metrics, redisLoops, started);
            }
            for (long id : ids) {
                KvHost.checkLayout(hostDirectory(options.dataDir(), id), logDirectory(options.dataDir(), id), 1);
            }
            Map<Long, RaftNode> nodes = new ConcurrentHashMap<>();
            for (long id : ids) {
                RaftNode node = buildNode(id, ids, false, options.dataDir(), options.config(), transports.get(id),
                        registry);
                started.add(0, node);
                nodes.put(id, node);
            }
            nodes.values().forEach(RaftNode::start);
            Map<Long, Member> members = new LinkedHashMap<>();
            for (long id : ids) {
                RaftNode node = nodes.get(id);
                KvServer server = startServer(new InetSocketAddress(options.host(), port(options.redisBasePort(), id)),
                        node, new InProcessRouter(node, nodes), options.config(), options.timeout(), redisLoops);
                started.add(0, server);
                members.put(id, new Member(id, transports.get(id), node, server));
            }
            return new KvCluster(Collections.unmodifiableMap(members), Map.of(), redisLoops, metrics);
        } catch (IOException e) {
            UncheckedIOException failure = new UncheckedIOException(e.getMessage(), e);
            closeAll(started, redisLoops, failure);
            throw failure;
        } catch (Throwable e) {
            closeAll(started, redisLoops, e);
            throw e;
        }
    }

    /**
     * The rest of {@link #start} with several groups: a {@link KvHost} per node (groups {@code 1..groups}),
     * each group's writes routed in-process to its leader's member ({@link InProcessRouter} per group).
     * Each host gets an equal share of half the heap as its memory budget, and an equal share of the
     * cores as workers.
     */
    private static KvCluster startHosts(Options options, long[] ids, Map<Long, NettyTransport> transports,
                                        MeterRegistry registry, MetricsEndpoint metrics, EventLoopGroup redisLoops,
                                        List<AutoCloseable> started) {
        Set<Long> voters = new TreeSet<>();
        for (long id : ids) {
            voters.add(id);
        }
        long budget = Runtime.getRuntime().maxMemory() / 2 / ids.length;
        int workers = Math.max(1, Runtime.getRuntime().availableProcessors() / ids.length);
        Map<Long, KvHost> hosts = new LinkedHashMap<>();
        for (long id : ids) {
            KvHost host = KvHost.start(id, voters, options.groups(), hostDirectory(options.dataDir(), id),
                    logDirectory(options.dataDir(), id), options.config(), transports.get(id), budget, workers,
                    registry);
            started.add(0, host);
            hosts.put(id, host);
        }
        Map<Long, Member> members = new LinkedHashMap<>();
        for (long id : ids) {
            KvHost host = hosts.get(id);
            List<WriteRouter> routers = host.routers(g -> {
                Map<Long, RaftNode> groupMembers = new LinkedHashMap<>();
                for (Map.Entry<Long, KvHost> other : hosts.entrySet()) {
                    groupMembers.put(other.getKey(), other.getValue().node(g));
                }
                return new InProcessRouter(host.node(g), Map.copyOf(groupMembers));
            });
            GroupRoutes routes = host.routes(routers);
            KvServer server = startServer(new InetSocketAddress(options.host(), port(options.redisBasePort(), id)),
                    routes, options.config(), options.timeout(), redisLoops);
            started.add(0, server);
            members.put(id, new Member(id, transports.get(id), host.node(1), server, host.host()));
        }
        return new KvCluster(Collections.unmodifiableMap(members), Collections.unmodifiableMap(hosts), redisLoops,
                metrics);
    }

    /** Node {@code id}'s log directory under {@code dataDir}. */
    public static Path logDirectory(Path dataDir, long id) {
        return dataDir.resolve("node-" + id);
    }

    /** Node {@code id}'s snapshot directory under {@code dataDir}, next to its log directory. */
    public static Path snapshotDirectory(Path dataDir, long id) {
        return dataDir.resolve("node-" + id + "-snapshots");
    }

    /**
     * With several groups, node {@code id}'s host directory under {@code dataDir}: its shared log in
     * {@code wal/}, its groups' snapshots in {@code groups/} ({@link KvHost}).
     */
    public static Path hostDirectory(Path dataDir, long id) {
        return dataDir.resolve("host-" + id);
    }

    // ------------------------------------------------------------------ one node's parts (KvNode too)

    /** The event loops of the Redis servers of this process. */
    static EventLoopGroup newRedisLoops() {
        return new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    }

    /**
     * Node {@code id}'s transport listening on {@code host:port} (port 0: any free port), no peers yet.
     *
     * @throws UncheckedIOException if the address cannot be bound
     */
    static NettyTransport newTransport(long id, String host, int port) {
        return NettyTransport.builder().clusterId(CLUSTER_ID).nodeId(id).bind(host, port).build();
    }

    /** Registers {@code transport}'s counters in {@code registry} (none if it is null); they go when the registry closes. */
    static void bindTransportMetrics(NettyTransport transport, MeterRegistry registry) {
        if (registry != null) {
            new NettyTransportMetrics(transport).bindTo(registry);
        }
    }

    /**
     * Node {@code id}'s log storage and snapshot store (both in {@code dataDir}), a fresh state
     * machine, and {@code transport}; the node is built (its snapshot restored, its log recovered),
     * not started. If building fails, whatever was opened is closed. A {@code joining} node is not among
     * {@code voters} and waits to be added ({@code RaftNode.Builder.joining}). With a {@code registry} (else
     * null) the node reports its meters there ({@link MicrometerRaftMetrics}, removed when it closes).
     *
     * @throws UncheckedIOException if the storage cannot be opened (for example, another process
     *                              holds it) or the node cannot recover
     */
    static RaftNode buildNode(long id, long[] voters, boolean joining, Path dataDir, RaftConfig config,
                              NettyTransport transport, MeterRegistry registry) {
        return buildNode(id, voters, joining, dataDir, config, transport, registry, null);
    }

    /** {@link #buildNode} with what to do when the node fail-stops (null: nothing, the status says so). */
    static RaftNode buildNode(long id, long[] voters, boolean joining, Path dataDir, RaftConfig config,
                              NettyTransport transport, MeterRegistry registry,
                              io.ringraft.api.FailStopHandler onFailStop) {
        SegmentedLogStorage log = SegmentedLogStorage.builder(logDirectory(dataDir, id)).nodeId(id)
                .clusterId(STORAGE_CLUSTER_ID).build();
        FileSnapshotStore snapshots;
        try {
            snapshots = FileSnapshotStore.open(snapshotDirectory(dataDir, id), STORAGE_CLUSTER_ID, 1, id,
                    SNAPSHOTS_RETAINED);
        } catch (IOException e) {
            UncheckedIOException failure = new UncheckedIOException("node " + id
                    + " cannot open its snapshot store: " + e.getMessage(), e);
            closeQuietly(log, failure);
            throw failure;
        } catch (RuntimeException | Error e) {
            closeQuietly(log, e);
            throw e;
        }
        try {
            io.ringraft.api.client.SessionStateMachine machine = KvSessions.newStateMachine();
            RaftNode.Builder builder = RaftNode.builder().nodeId(id).voters(voters).joining(joining).config(config)
                    .stateMachine(machine).logStorage(log).snapshotStore(snapshots)
                    .transport(transport).onFailStop(onFailStop);
            if (registry != null) {
                builder.metrics(new MicrometerRaftMetrics(registry));
            }
            RaftNode node = builder.build();
            // RaftClients on the Raft port (docs/client.md); closing the transport closes their connections
            io.ringraft.net.netty.client.ClientServer.builder(transport).node(node, machine).build();
            return node;
        } catch (RuntimeException | Error e) {
            closeQuietly(log, e); // the node closes both once built, not if building failed
            closeQuietly(snapshots, e);
            throw e;
        }
    }

    /**
     * A Redis server on {@code address} for {@code node}, sending writes through {@code router}.
     *
     * @throws UncheckedIOException if the address cannot be bound
     */
    static KvServer startServer(InetSocketAddress address, RaftNode node, WriteRouter router, RaftConfig config,
                                Duration timeout, EventLoopGroup loops) {
        return startServer(address, GroupRoutes.single(node, router), config, timeout, loops);
    }

    /**
     * A Redis server on {@code address} for the groups of {@code routes} ({@code config}: every group's).
     *
     * @throws UncheckedIOException if the address cannot be bound
     */
    static KvServer startServer(InetSocketAddress address, GroupRoutes routes, RaftConfig config, Duration timeout,
                                EventLoopGroup loops) {
        RespCommands commands = new RespCommands(routes, config.maxEntryBytes(), timeout);
        return KvServer.start(address, commands, loops, config.maxEntryBytes());
    }

    /** After a failed start: closes what had started, in list order, then the loops; adds errors to {@code failure}. */
    static void closeAll(List<AutoCloseable> started, EventLoopGroup loops, Throwable failure) {
        for (AutoCloseable closeable : started) {
            closeQuietly(closeable, failure);
        }
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    private static void closeQuietly(AutoCloseable closeable, Throwable failure) {
        try {
            closeable.close();
        } catch (Exception e) {
            failure.addSuppressed(e);
        }
    }

    /** The members by id, in id order. */
    public Map<Long, Member> members() {
        return members;
    }

    /** Node {@code id}'s member. */
    public Member member(long id) {
        Member member = members.get(id);
        if (member == null) {
            throw new IllegalArgumentException("no node " + id);
        }
        return member;
    }

    /**
     * Stops one member (server, node or host and its shared log, transport), as if its process died.
     * Idempotent.
     */
    public void stop(long id) {
        Member member = member(id);
        member.server().close();
        closeNode(id);
        member.transport().close();
    }

    private void closeNode(long id) {
        KvHost host = hosts.get(id);
        if (host != null) {
            host.close();
        } else {
            members.get(id).node().close();
        }
    }

    /** The process's metrics endpoint, or null if the cluster was started without a metrics port. */
    public MetricsEndpoint metrics() {
        return metrics;
    }

    /** Stops every member, the servers' event loops and the metrics endpoint. Idempotent. */
    @Override
    public void close() {
        members.values().forEach(m -> m.server().close());
        members.keySet().forEach(this::closeNode);
        members.values().forEach(m -> m.transport().close());
        redisLoops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        if (metrics != null) {
            metrics.close();
        }
    }

    private static int port(int base, long id) {
        return base == 0 ? 0 : Math.toIntExact(base + id - 1);
    }
}
