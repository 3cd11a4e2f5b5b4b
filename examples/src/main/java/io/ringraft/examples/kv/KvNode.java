package io.ringraft.examples.kv;

import io.netty.channel.EventLoopGroup;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftHost;
import io.ringraft.api.RaftNode;
import io.ringraft.net.netty.NettyTransport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One KV node in this process, its peers in other processes (the command line's {@code node} mode).
 * Its {@link NettyTransport} listens on the node's own Raft address and dials every other peer at the
 * address the {@link Options#peers} map gives (which may differ from the address the peer binds, for
 * example behind a proxy or NAT; peers know each other by the node id of the handshake). The Raft node
 * is built as each of {@link KvCluster}'s (same storage layout under the data directory:
 * {@code node-<id>/} and {@code node-<id>-snapshots/}, same state machine); its {@link KvServer}
 * sends writes through a {@link ForwardingRouter}.
 *
 * <p>A node may start outside the initial voters ({@link Options#voters}) and join a running
 * cluster: the leader adds it ({@code RAFT.ADDLEARNER}, then {@code RAFT.PROMOTE}) once the leader's
 * {@code --peers} gives its address.
 *
 * <p>Restartable: a node started again on the same data directory recovers its vote, log and newest
 * snapshot, and catches up from the leader. The storage directory is locked while a node holds it,
 * so a second process on the same directory fails to start.
 *
 * <p>With a metrics address ({@link Options#metrics}) the node serves its own, its transport's and the
 * JVM's meters at {@code http://host:port/metrics} ({@link MetricsEndpoint}).
 *
 * <p><b>Groups</b> ({@link Options#groups} above 1): the node is a {@link RaftHost} holding groups
 * {@code 1..groups} ({@link KvHost}: one shared log in {@code <data-dir>/wal}, snapshots in
 * {@code <data-dir>/groups}); every process runs the same groups, keys hash to groups ({@link KeyGroups}),
 * and each group's writes are forwarded to that group's leader ({@link ForwardingRouter} per group) over
 * the one transport, which routes by group id.
 *
 * <p>{@link #close()} stops the server, then the node (or the host and its shared log), then the
 * transport and the server's loops, then the metrics endpoint.
 */
public final class KvNode implements AutoCloseable {

    /**
     * How to start a node.
     *
     * @param id        this node's id, positive
     * @param raftHost  the address the Raft transport binds to
     * @param raftPort  its port (0: any free port)
     * @param redisHost the address the Redis server binds to
     * @param redisPort its port (0: any free port)
     * @param peers     the Raft address ({@code host:port}) by node id of every node this one may talk
     *                  to: every voter, and every node that may join later; this node's included (its
     *                  own address is not used: the node binds {@code raftHost:raftPort})
     * @param voters    the voters a new cluster starts with (a subset of {@link #peers}, not empty). A
     *                  node outside them starts as a non-member: it accepts the leader's messages and
     *                  becomes a member once added ({@code RAFT.ADDLEARNER}). A node that already has
     *                  configuration entries in its log uses the newest of those instead
     * @param dataDir   the parent of this node's log and snapshot directories
     * @param config    the Raft configuration (every node of the cluster should use the same)
     * @param timeout   how long a RESP command may wait for Raft before an error reply
     * @param metrics   the address of the node's {@code /metrics} endpoint ({@link MetricsEndpoint}; port 0:
     *                  any free port), or null for none
     * @param groups    the number of Raft groups the keys hash to ({@link KeyGroups}), 1 to
     *                  {@value KvHost#MAX_GROUPS}, the same on every node: with 1 the node is a plain
     *                  {@link RaftNode}; with more a {@link RaftHost} holding groups {@code 1..groups}
     *                  ({@link KvHost}), {@code config} is every group's configuration, and the node must be
     *                  among the voters (a host cannot join: membership commands are per group)
     */
    public record Options(long id, String raftHost, int raftPort, String redisHost, int redisPort,
                          Map<Long, String> peers, Set<Long> voters, Path dataDir, RaftConfig config,
                          Duration timeout, InetSocketAddress metrics, int groups) {

        public Options {
            if (id <= 0) {
                throw new IllegalArgumentException("node id must be positive, got " + id);
            }
            Objects.requireNonNull(raftHost, "raftHost");
            Objects.requireNonNull(redisHost, "redisHost");
            Objects.requireNonNull(dataDir, "dataDir");
            Objects.requireNonNull(config, "config");
            Objects.requireNonNull(timeout, "timeout");
            peers = Collections.unmodifiableMap(new TreeMap<>(peers));
            if (!peers.containsKey(id)) {
                throw new IllegalArgumentException("the peers " + peers.keySet() + " do not include this node, " + id);
            }
            voters = Collections.unmodifiableSet(new TreeSet<>(voters));
            if (voters.isEmpty()) {
                throw new IllegalArgumentException("the voters must name at least one node");
            }
            if (!peers.keySet().containsAll(voters)) {
                Set<Long> unknown = new TreeSet<>(voters);
                unknown.removeAll(peers.keySet());
                throw new IllegalArgumentException("the voters " + voters + " name nodes that are not peers: "
                        + unknown);
            }
            if (groups < 1 || groups > KvHost.MAX_GROUPS) {
                throw new IllegalArgumentException("--groups must be in 1.." + KvHost.MAX_GROUPS + ", got " + groups);
            }
            if (groups > 1 && !voters.contains(id)) {
                throw new IllegalArgumentException("with --groups above 1 every node must be among the voters "
                        + voters + ": a node cannot join the groups later (node " + id + " is not)");
            }
        }

        /** One group. */
        public Options(long id, String raftHost, int raftPort, String redisHost, int redisPort,
                       Map<Long, String> peers, Set<Long> voters, Path dataDir, RaftConfig config,
                       Duration timeout, InetSocketAddress metrics) {
            this(id, raftHost, raftPort, redisHost, redisPort, peers, voters, dataDir, config, timeout, metrics, 1);
        }

        /** Without a metrics endpoint. */
        public Options(long id, String raftHost, int raftPort, String redisHost, int redisPort,
                       Map<Long, String> peers, Set<Long> voters, Path dataDir, RaftConfig config,
                       Duration timeout) {
            this(id, raftHost, raftPort, redisHost, redisPort, peers, voters, dataDir, config, timeout, null);
        }

        /** Every peer a voter, without a metrics endpoint. */
        public Options(long id, String raftHost, int raftPort, String redisHost, int redisPort,
                       Map<Long, String> peers, Path dataDir, RaftConfig config, Duration timeout) {
            this(id, raftHost, raftPort, redisHost, redisPort, peers, peers.keySet(), dataDir, config, timeout);
        }

        /**
         * True if this node is not among {@link #voters}: it joins a running cluster
         * ({@code RaftNode.Builder.joining}), as the command line's {@code --voters} says explicitly.
         */
        public boolean joining() {
            return !voters.contains(id);
        }

        /** The voters, in order. */
        long[] voterIds() {
            return voters.stream().mapToLong(Long::longValue).toArray();
        }
    }

    private final long id;
    private final NettyTransport transport;
    private final RaftNode node;
    /** With several groups, the host holding them (its shared log too); else null. */
    private final KvHost host;
    private final KvServer server;
    private final EventLoopGroup redisLoops;
    /** Null without a metrics address. */
    private final MetricsEndpoint metrics;
    private final AtomicBoolean closed = new AtomicBoolean();

    private KvNode(long id, NettyTransport transport, RaftNode node, KvHost host, KvServer server,
                   EventLoopGroup redisLoops, MetricsEndpoint metrics) {
        this.id = id;
        this.transport = transport;
        this.node = node;
        this.host = host;
        this.server = server;
        this.redisLoops = redisLoops;
        this.metrics = metrics;
    }

    /**
     * Binds the Raft address, recovers the node from the data directory, starts it and the Redis
     * server. On failure, stops whatever had started and rethrows.
     *
     * @throws UncheckedIOException if an address cannot be bound or the storage cannot be opened
     *                              or recovered
     */
    public static KvNode start(Options options) {
        return start(options, null);
    }

    /**
     * {@link #start(Options)} with what to do when a Raft node of the process fail-stops: {@code KvMain}
     * passes {@link io.ringraft.api.FailStopHandler#exitProcess} (unless {@code --keep-running-on-failure}),
     * so a supervisor restarts the process; null keeps it running (its PING then answers an error).
     *
     * @param options    the node's options
     * @param onFailStop run when a node fail-stops; null for nothing
     * @return the running node
     */
    public static KvNode start(Options options, io.ringraft.api.FailStopHandler onFailStop) {
        List<AutoCloseable> started = new ArrayList<>();
        EventLoopGroup redisLoops = KvCluster.newRedisLoops();
        try {
            MetricsEndpoint metrics = options.metrics() == null ? null : MetricsEndpoint.start(options.metrics());
            if (metrics != null) {
                started.add(metrics);
            }
            io.micrometer.core.instrument.MeterRegistry registry = metrics == null ? null : metrics.registry();
            NettyTransport transport = KvCluster.newTransport(options.id(), options.raftHost(), options.raftPort());
            started.add(0, transport);
            KvCluster.bindTransportMetrics(transport, registry);
            options.peers().forEach((peerId, address) -> {
                if (peerId != options.id()) {
                    transport.peer(peerId, address);
                }
            });
            InetSocketAddress redis = new InetSocketAddress(options.redisHost(), options.redisPort());
            if (options.groups() > 1) {
                KvHost host = KvHost.start(options.id(), options.voters(), options.groups(), options.dataDir(),
                        KvCluster.logDirectory(options.dataDir(), options.id()), options.config(), transport,
                        Runtime.getRuntime().maxMemory() / 2, Runtime.getRuntime().availableProcessors(), registry,
                        onFailStop);
                started.add(0, host);
                List<WriteRouter> routers = new ArrayList<>(options.groups());
                for (RaftNode member : host.nodes()) {
                    routers.add(new ForwardingRouter(member, options.peers(), true));
                }
                KvServer server = KvCluster.startServer(redis, GroupRoutes.hosted(host.host(), host.nodes(), routers),
                        options.config(), options.timeout(), redisLoops);
                return new KvNode(options.id(), transport, host.node(1), host, server, redisLoops, metrics);
            }
            KvHost.checkLayout(options.dataDir(), KvCluster.logDirectory(options.dataDir(), options.id()), 1);
            RaftNode node = KvCluster.buildNode(options.id(), options.voterIds(), options.joining(), options.dataDir(),
                    options.config(), transport, registry, onFailStop);
            started.add(0, node);
            node.start();
            KvServer server = KvCluster.startServer(redis, node, new ForwardingRouter(node, options.peers()),
                    options.config(), options.timeout(), redisLoops);
            return new KvNode(options.id(), transport, node, null, server, redisLoops, metrics);
        } catch (IOException e) {
            UncheckedIOException failure = new UncheckedIOException(e.getMessage(), e);
            KvCluster.closeAll(started, redisLoops, failure);
            throw failure;
        } catch (Throwable e) {
            KvCluster.closeAll(started, redisLoops, e);
            throw e;
        }
    }

    public long id() {
        return id;
    }

    /** The node; with several groups, its member of group 1. */
    public RaftNode node() {
        return node;
    }

    /** With several groups, the host holding them; else null. */
    public RaftHost host() {
        return host == null ? null : host.host();
    }

    /** Its member of group {@code group} (1-based; with one group, {@link #node()}). */
    public RaftNode group(int group) {
        if (host == null) {
            if (group != 1) {
                throw new IllegalArgumentException("a single-group node has no group " + group);
            }
            return node;
        }
        return host.node(group);
    }

    public NettyTransport transport() {
        return transport;
    }

    public KvServer server() {
        return server;
    }

    /** The node's metrics endpoint, or null if it was started without a metrics address. */
    public MetricsEndpoint metrics() {
        return metrics;
    }

    /** Stops the server, the node, the transport, the server's loops and the metrics endpoint. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        server.close();
        if (host != null) {
            host.close();
        } else {
            node.close();
        }
        transport.close();
        redisLoops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        if (metrics != null) {
            metrics.close();
        }
    }
}
