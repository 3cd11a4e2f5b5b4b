package io.ringraft.examples.kv;

import io.ringraft.api.RaftConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * The KV store's command line ({@code java -jar examples/target/ringraft-kv.jar ...}).
 *
 * <pre>
 * cluster --nodes N [--data-dir DIR] [--redis-base-port 6381] [--raft-base-port 7381] [--metrics-port 9380|off]
 *         [--groups G]
 *     N nodes in this process over loopback TCP with durable logs and snapshots
 *     ({@link KvCluster#snapshotPolicy}), their meters at http://127.0.0.1:9380/metrics; Ctrl-C stops them.
 * node --id ID --raft HOST:PORT --redis HOST:PORT --peers ID=HOST:PORT,... [--voters ID,...] --data-dir DIR
 *      [--metrics HOST:PORT] [--groups G]
 *     one node in this process ({@link KvNode}): binds --raft, dials every other peer at the address
 *     --peers gives it, serves Redis on --redis, keeps its log and snapshots under --data-dir (started
 *     again on the same directory, it rejoins with its data); Ctrl-C or SIGTERM stops it. --voters
 *     (default: every id of --peers) are the initial voters; a node outside them waits to be added
 *     (RAFT.ADDLEARNER, RAFT.PROMOTE). With --metrics it serves its meters at http://HOST:PORT/metrics.
 * bench --seeds ID=HOST:PORT,... [--seconds 10] ...
 *     drives a running cluster through a {@code RaftClient} ({@link KvBench}) and prints ops/s, p50/p99.
 * --groups G (both modes, default 1): the keys hash to G Raft groups ({@link KeyGroups}); each node is
 *     a RaftHost holding groups 1..G ({@link KvHost}) and every command runs on its keys' group.
 * </pre>
 *
 * Bad usage exits with status 2, a failure to start (a port in use, unreadable storage) with 1.
 */
public final class KvMain {

    static final String USAGE = """
            usage: ringraft-kv cluster [--nodes 3] [--data-dir DIR] [--redis-base-port 6381] [--raft-base-port 7381]
                                      [--metrics-port 9380|off] [--groups 1]
                   ringraft-kv node --id ID --raft HOST:PORT --redis HOST:PORT --peers ID=HOST:PORT,... [--voters ID,...]
                                    --data-dir DIR [--metrics HOST:PORT] [--groups 1] [--catch-up-rate MB/s]
                   ringraft-kv bench --seeds ID=HOST:PORT,... [--seconds 10] [--concurrency 32] [--read-percent 50]
                                     [--reads-on followers|all|leader] [--group 1] [--value-bytes 100] [--keys 10000]
                                     [--cluster-id ringraft-kv] [--groups 1] [--consistency linearizable|any|<T>ms]
                                     [--xfer-percent 0] [--accounts 100]
              cluster  N nodes in this process over loopback TCP, durable logs and snapshots under --data-dir
                       (a temporary directory if not given), every node's meters in Prometheus text format at
                       http://127.0.0.1:<metrics-port>/metrics (0: any free port; off: none); Ctrl-C stops them.
              node     one node per process: listens for Raft on --raft, dials every other peer at the
                       address its --peers entry gives (peers are told apart by node id, not by address),
                       serves Redis on --redis (port 0: any free port), keeps its log and snapshots under
                       --data-dir; restarted on the same directory it rejoins with its data. Every node of
                       a cluster lists the same ids in --peers, its own included. Ctrl-C stops it.
                       --voters: the voters the cluster starts with (default: every id in --peers; give
                       every node the same list); a node listed in --peers but not in --voters starts
                       as a non-member and waits for the leader to add it: RAFT.ADDLEARNER <id>, then
                       RAFT.PROMOTE <id> (RAFT.REMOVE <id> takes a member out).
                       --metrics: serve the node's meters at http://HOST:PORT/metrics (none if not given).
                       --catch-up-rate: as leader, send a follower far behind at most this many MB/s of snapshot
                       data and of entries read back from the log (default: unpaced); keeps the leader's own
                       writes going while a wiped or paused node catches up; must exceed the write rate.
              bench    drives a running cluster through a RaftClient (docs/client.md): each of --concurrency callers
                       writes (SET, ask: exactly once) or reads (GET, askOne: linearizable, round robin over the
                       followers by default), the next when the last answered, for --seconds; then prints ops/s
                       and p50/p99 of each. --seeds are the nodes' Raft addresses (those --peers gives).
                       Against a cluster started with --groups G, give --groups G: keys go to their groups.
                       --consistency of the reads: linearizable (default), any, or <T>ms (bounded staleness:
                       the replica's state within T ms of its leader's commit).
                       --xfer-percent P (with --groups above 1): the bank workload; --accounts accounts open
                       with 1000 each, P % of the operations are XFER src dst 1 between random accounts
                       (ask at src's group), and at the end the bench checks the accounts still hold what
                       they opened with once the outboxes drained (exit 1 if not).
              --groups G  (both modes; 1..1024, default 1) split the keys over G Raft groups, each with its own
                       leader, all sharing each process's threads, connections and one write-ahead log
                       (<data-dir>/wal; cluster: <data-dir>/host-<id>/wal). A key's group is
                       CRC32(key) mod G + 1 (IEEE CRC-32 as in zlib; if the key holds {tag}, a non-empty part
                       between its first '{' and the next '}', only tag is hashed). Each command runs on its
                       key's group; MGET, MSET, DEL and EXISTS whose keys span groups get -CROSSSLOT (give
                       them a common {tag}). INFO shows each group's role, leader, term, commit and applied
                       index, and the host. Every node needs the same G, and a data directory keeps it.
                       With G above 1 the membership commands are refused and every node must be a voter.
              example  ringraft-kv node --id 1 --raft 127.0.0.1:7381 --redis 127.0.0.1:6381 \\
                         --peers 1=127.0.0.1:7381,2=127.0.0.1:7382,3=127.0.0.1:7383 --data-dir /var/lib/kv-1""";

    /** {@code cluster}'s {@code /metrics} port unless {@code --metrics-port} says otherwise. */
    static final int DEFAULT_METRICS_PORT = 9380;

    /** How long a RESP command may wait for Raft before an error reply. */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);
    /** The exit status of a {@code node} process whose Raft node fail-stopped (EX_SOFTWARE). */
    static final int FAIL_STOP_EXIT_STATUS = 70;

    private KvMain() {
    }

    public static void main(String[] args) throws Exception {
        int status = run(args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /** Runs a subcommand; returns the exit status (a started cluster or node runs until Ctrl-C). */
    static int run(String[] args, PrintStream out, PrintStream err) throws IOException, InterruptedException {
        if (args.length == 0) {
            err.println(USAGE);
            return 2;
        }
        switch (args[0]) {
            case "cluster":
                return cluster(args, out, err);
            case "node":
                return node(args, out, err);
            case "bench":
                return bench(args, out, err);
            case "-h":
            case "--help":
            case "help":
                out.println(USAGE);
                return 0;
            default:
                err.println("unknown subcommand '" + args[0] + "'\n" + USAGE);
                return 2;
        }
    }

    /** The Raft configuration of both subcommands: larger buffers than the defaults, and {@link KvCluster#snapshotPolicy}. */
    static RaftConfig commandLineConfig() {
        return commandLineBuilder(1).build();
    }

    /** The Raft configuration with {@code groups} groups: {@link #commandLineConfig()}, or each group's, {@link KvHost#groupConfig()}. */
    static RaftConfig commandLineConfig(int groups) {
        return commandLineBuilder(groups).build();
    }

    /** {@link #commandLineConfig(int)}'s builder. */
    private static RaftConfig.Builder commandLineBuilder(int groups) {
        return groups == 1 ? KvCluster.snapshotPolicy(RaftConfig.builder().ringCapacityBytes(8 << 20).maxPendingReads(8192))
                : KvHost.groupConfigBuilder();
    }

    private static int cluster(String[] args, PrintStream out, PrintStream err)
            throws IOException, InterruptedException {
        int nodes = 3;
        int redisBasePort = 6381;
        int raftBasePort = 7381;
        int metricsPort = DEFAULT_METRICS_PORT;
        int groups = 1;
        Path dataDir = null;
        try {
            for (int i = 1; i < args.length; i++) {
                String option = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("missing value for " + option);
                }
                String value = args[++i];
                switch (option) {
                    case "--nodes" -> nodes = Integer.parseInt(value);
                    case "--data-dir" -> dataDir = Path.of(value);
                    case "--redis-base-port" -> redisBasePort = Integer.parseInt(value);
                    case "--raft-base-port" -> raftBasePort = Integer.parseInt(value);
                    case "--metrics-port" -> metricsPort = metricsPort(value);
                    case "--groups" -> groups = groups(value);
                    default -> throw new IllegalArgumentException("unknown option " + option);
                }
            }
            if (nodes < 1 || nodes > 9) {
                throw new IllegalArgumentException("--nodes must be in 1..9, got " + nodes);
            }
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage() + "\n" + USAGE);
            return 2;
        }
        if (dataDir == null) {
            dataDir = Files.createTempDirectory("ringraft-kv-");
        }
        Files.createDirectories(dataDir);
        KvCluster cluster;
        try {
            cluster = KvCluster.start(new KvCluster.Options(nodes, dataDir, "127.0.0.1", redisBasePort,
                    raftBasePort, commandLineConfig(groups), COMMAND_TIMEOUT, metricsPort, groups));
        } catch (RuntimeException e) {
            err.println("cannot start the cluster: " + describe(e)); // e.g. a port in use
            return 1;
        }
        CountDownLatch stopped = stopOnShutdown(cluster, out, "stopped");
        out.println("data directory " + dataDir.toAbsolutePath());
        for (KvCluster.Member member : cluster.members().values()) {
            if (groups > 1) {
                out.printf("node %d  redis 127.0.0.1:%d  raft 127.0.0.1:%d  groups 1..%d  data %s%n", member.id(),
                        member.server().localAddress().getPort(), member.transport().localAddress().getPort(), groups,
                        KvCluster.hostDirectory(dataDir.toAbsolutePath(), member.id()));
                continue;
            }
            out.printf("node %d  redis 127.0.0.1:%d  raft 127.0.0.1:%d  log %s  snapshots %s%n", member.id(),
                    member.server().localAddress().getPort(), member.transport().localAddress().getPort(),
                    KvCluster.logDirectory(dataDir.toAbsolutePath(), member.id()),
                    KvCluster.snapshotDirectory(dataDir.toAbsolutePath(), member.id()));
        }
        if (cluster.metrics() != null) {
            out.println("metrics http://" + hostPort(cluster.metrics().localAddress()) + MetricsEndpoint.PATH);
        }
        out.println("Ctrl-C stops the cluster");
        stopped.await();
        return 0;
    }

    private static int bench(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        KvBench.Options options;
        try {
            options = KvBench.parse(args);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage() + "\n" + USAGE);
            return 2;
        }
        return KvBench.run(options, out);
    }

    private static int node(String[] args, PrintStream out, PrintStream err)
            throws IOException, InterruptedException {
        KvNode.Options options;
        try {
            options = parseNode(args);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage() + "\n" + USAGE);
            return 2;
        }
        Path dataDir = options.dataDir().toAbsolutePath();
        KvNode node;
        try {
            Files.createDirectories(dataDir);
            // A node that fail-stops ends the process (status 70), so a supervisor restarts it; with
            // -Dringraft.kv.keepRunningOnFailure=true it keeps running and its PING answers an error.
            node = KvNode.start(options, Boolean.getBoolean("ringraft.kv.keepRunningOnFailure") ? null
                    : io.ringraft.api.FailStopHandler.exitProcess(FAIL_STOP_EXIT_STATUS));
        } catch (IOException | RuntimeException e) {
            err.println("cannot start node " + options.id() + ": " + describe(e)); // e.g. a port in use
            return 1;
        }
        CountDownLatch stopped = stopOnShutdown(node, out, "node " + options.id() + " stopped");
        out.printf("node %d  raft %s  redis %s  data-dir %s%s%s  (Ctrl-C stops it)%n", options.id(),
                hostPort(node.transport().localAddress()), hostPort(node.server().localAddress()), dataDir,
                options.groups() > 1 ? "  groups 1.." + options.groups() : "",
                node.metrics() == null ? "" : "  metrics http://" + hostPort(node.metrics().localAddress())
                        + MetricsEndpoint.PATH);
        if (options.joining()) {
            out.printf("node %d is not among --voters %s: it joins as a non-member and waits for the leader "
                    + "(RAFT.ADDLEARNER %d)%n", options.id(), options.voters(), options.id());
        }
        stopped.await();
        return 0;
    }

    /**
     * Parses the {@code node} subcommand's flags ({@code args[0]} is {@code node}).
     *
     * @throws IllegalArgumentException naming the flag at fault, for any bad usage
     */
    static KvNode.Options parseNode(String[] args) {
        Map<String, String> values = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            String option = args[i];
            switch (option) {
                case "--id", "--raft", "--redis", "--peers", "--voters", "--data-dir", "--metrics", "--groups",
                     "--catch-up-rate" -> {
                }
                default -> throw new IllegalArgumentException("unknown option '" + option + "' for node");
            }
            if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                throw new IllegalArgumentException("missing value for " + option);
            }
            if (values.put(option, args[++i]) != null) {
                throw new IllegalArgumentException(option + " is given more than once");
            }
        }
        for (String required : new String[] {"--id", "--raft", "--redis", "--peers", "--data-dir"}) {
            if (!values.containsKey(required)) {
                throw new IllegalArgumentException("node needs " + required);
            }
        }
        long id = nodeId("--id", values.get("--id"));
        HostPort raft = HostPort.parse("--raft", values.get("--raft"), false);
        HostPort redis = HostPort.parse("--redis", values.get("--redis"), true);
        Map<Long, String> peers = peers(values.get("--peers"));
        if (!peers.containsKey(id)) {
            throw new IllegalArgumentException("--peers must list this node's id " + id + " too (it names "
                    + peers.keySet() + ")");
        }
        Set<Long> voters = peers.keySet();
        if (values.containsKey("--voters")) {
            voters = voters(values.get("--voters"));
            Set<Long> unknown = new TreeSet<>(voters);
            unknown.removeAll(peers.keySet());
            if (!unknown.isEmpty()) {
                throw new IllegalArgumentException("--voters names " + (unknown.size() == 1 ? "node " : "nodes ")
                        + unknown.stream().map(String::valueOf).collect(Collectors.joining(", "))
                        + " that --peers does not list (it names " + new TreeSet<>(peers.keySet()) + ")");
            }
        }
        Path dataDir;
        try {
            dataDir = Path.of(values.get("--data-dir"));
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("--data-dir: not a valid path: " + e.getMessage());
        }
        if (values.get("--data-dir").isBlank()) {
            throw new IllegalArgumentException("--data-dir must not be empty");
        }
        if (Files.exists(dataDir) && !Files.isDirectory(dataDir)) {
            throw new IllegalArgumentException("--data-dir " + dataDir + " exists and is not a directory");
        }
        InetSocketAddress metrics = null;
        if (values.containsKey("--metrics")) {
            HostPort address = HostPort.parse("--metrics", values.get("--metrics"), true);
            metrics = new InetSocketAddress(address.host(), address.port());
        }
        int groups = values.containsKey("--groups") ? groups(values.get("--groups")) : 1;
        if (groups > 1 && !voters.contains(id)) {
            throw new IllegalArgumentException("--groups " + groups + " needs every node among --voters (node " + id
                    + " is not): a node cannot join the groups later");
        }
        RaftConfig.Builder config = commandLineBuilder(groups);
        if (values.containsKey("--catch-up-rate")) {
            long rate = catchUpRate(values.get("--catch-up-rate"));
            config.snapshotSendBytesPerSecond(rate).catchUpBytesPerSecond(rate);
        }
        return new KvNode.Options(id, raft.host(), raft.port(), redis.host(), redis.port(), peers, voters, dataDir,
                config.build(), COMMAND_TIMEOUT, metrics, groups);
    }

    /** {@code --catch-up-rate} (MB/s, 1..100,000), in bytes per second. */
    private static long catchUpRate(String value) {
        long megabytes;
        try {
            megabytes = Long.parseLong(value);
        } catch (NumberFormatException e) {
            megabytes = 0;
        }
        if (megabytes < 1 || megabytes > 100_000) {
            throw new IllegalArgumentException("--catch-up-rate: expected MB per second in 1..100000, got '" + value + "'");
        }
        return megabytes * 1_000_000L;
    }

    /** {@code --groups}: 1..{@value KvHost#MAX_GROUPS}. */
    private static int groups(String value) {
        int groups;
        try {
            groups = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            groups = 0;
        }
        if (groups < 1 || groups > KvHost.MAX_GROUPS) {
            throw new IllegalArgumentException("--groups: expected a number of groups in 1.." + KvHost.MAX_GROUPS
                    + ", got '" + value + "'");
        }
        return groups;
    }

    /** {@code cluster}'s {@code --metrics-port}: a port (0: any free one), or {@code off} (-1). */
    private static int metricsPort(String value) {
        if (value.equals("off")) {
            return -1;
        }
        int port;
        try {
            port = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--metrics-port: expected a port in 0..65535 or off, got '" + value
                    + "'");
        }
        return port;
    }

    /** {@code id,...}: the initial voters. */
    private static Set<Long> voters(String value) {
        if (value.isBlank()) {
            throw new IllegalArgumentException("--voters must name at least one node");
        }
        Set<Long> voters = new LinkedHashSet<>();
        for (String entry : value.split(",", -1)) {
            long id = nodeId("--voters", entry.trim());
            if (!voters.add(id)) {
                throw new IllegalArgumentException("--voters names node " + id + " more than once");
            }
        }
        return voters;
    }

    /** {@code id=host:port,...}: the addresses by id, in the order given. */
    private static Map<Long, String> peers(String value) {
        Map<Long, String> peers = new LinkedHashMap<>();
        for (String entry : value.split(",", -1)) {
            String trimmed = entry.trim();
            int equals = trimmed.indexOf('=');
            if (equals < 0) {
                throw new IllegalArgumentException("--peers: expected ID=HOST:PORT, got '" + trimmed + "'");
            }
            long id = nodeId("--peers", trimmed.substring(0, equals).trim());
            HostPort address = HostPort.parse("--peers (node " + id + ")", trimmed.substring(equals + 1).trim(),
                    false);
            if (peers.put(id, address.toString()) != null) {
                throw new IllegalArgumentException("--peers names node " + id + " more than once");
            }
        }
        return peers;
    }

    private static long nodeId(String flag, String value) {
        long id;
        try {
            id = Long.parseLong(value);
        } catch (NumberFormatException e) {
            id = 0;
        }
        if (id <= 0) {
            throw new IllegalArgumentException(flag + ": a node id must be a positive integer, got '" + value + "'");
        }
        return id;
    }

    /** A {@code host:port} or {@code [ipv6]:port} argument. */
    record HostPort(String host, int port) {

        static HostPort parse(String flag, String value, boolean portZeroAllowed) {
            int colon = value.lastIndexOf(':');
            if (colon <= 0 || colon == value.length() - 1) {
                throw new IllegalArgumentException(flag + ": expected HOST:PORT, got '" + value + "'");
            }
            String host = value.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            if (host.isBlank()) {
                throw new IllegalArgumentException(flag + ": expected HOST:PORT, got '" + value + "'");
            }
            int port;
            try {
                port = Integer.parseInt(value.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
            int min = portZeroAllowed ? 0 : 1;
            if (port < min || port > 65535) {
                throw new IllegalArgumentException(flag + ": the port must be in " + min + "..65535, got '"
                        + value.substring(colon + 1) + "'");
            }
            return new HostPort(host, port);
        }

        @Override
        public String toString() {
            return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
        }
    }

    private static String hostPort(InetSocketAddress address) {
        return new HostPort(address.getAddress() != null ? address.getAddress().getHostAddress()
                : address.getHostString(), address.getPort()).toString();
    }

    /** Closes {@code closeable} when the JVM shuts down (Ctrl-C, SIGTERM); the latch opens once it is closed. */
    private static CountDownLatch stopOnShutdown(AutoCloseable closeable, PrintStream out, String message) {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                closeable.close();
                out.println(message);
            } catch (Exception e) {
                out.println(message + " (closing failed: " + describe(e) + ")");
            } finally {
                stopped.countDown();
            }
        }, "ringraft-kv-shutdown"));
        return stopped;
    }

    /** The messages of {@code e} and its causes. */
    private static String describe(Throwable e) {
        StringBuilder text = new StringBuilder(String.valueOf(e));
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            if (cause.getMessage() == null || !text.toString().contains(cause.getMessage())) {
                text.append(": ").append(cause);
            }
        }
        return text.toString();
    }
}
