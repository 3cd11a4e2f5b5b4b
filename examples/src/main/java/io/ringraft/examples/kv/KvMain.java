package io.ringraft.examples.kv;

import io.ringraft.api.RaftConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * The KV store's command line ({@code java -jar examples/target/ringraft-kv.jar ...}).
 *
 * <pre>
 * cluster --nodes N [--data-dir DIR] [--redis-base-port 6381] [--raft-base-port 7381]
 *     N nodes in this process over loopback TCP with durable logs and snapshots
 *     ({@link KvCluster#snapshotPolicy}); Ctrl-C stops them.
 * node ...
 *     one node per process: not implemented yet.
 * </pre>
 */
public final class KvMain {

    private static final String USAGE = """
            usage: ringraft-kv cluster [--nodes 3] [--data-dir DIR] [--redis-base-port 6381] [--raft-base-port 7381]
                   ringraft-kv node ...   (not implemented yet: see issue 8)""";

    private KvMain() {
    }

    public static void main(String[] args) throws Exception {
        int status = run(args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /** Runs a subcommand; returns the exit status (the {@code cluster} subcommand runs until Ctrl-C). */
    static int run(String[] args, PrintStream out, PrintStream err) throws IOException, InterruptedException {
        if (args.length == 0) {
            err.println(USAGE);
            return 2;
        }
        switch (args[0]) {
            case "cluster":
                return cluster(args, out, err);
            case "node":
                err.println("not implemented yet: see issue 8");
                return 2;
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

    private static int cluster(String[] args, PrintStream out, PrintStream err)
            throws IOException, InterruptedException {
        int nodes = 3;
        int redisBasePort = 6381;
        int raftBasePort = 7381;
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
            RaftConfig config = KvCluster.snapshotPolicy(RaftConfig.builder().ringCapacityBytes(8 << 20)
                    .maxPendingReads(8192)).build();
            cluster = KvCluster.start(new KvCluster.Options(nodes, dataDir, "127.0.0.1", redisBasePort,
                    raftBasePort, config, Duration.ofSeconds(5)));
        } catch (RuntimeException e) {
            err.println("cannot start the cluster: " + e); // e.g. a port in use
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            cluster.close();
            out.println("stopped");
            stopped.countDown();
        }, "ringraft-kv-shutdown"));
        out.println("data directory " + dataDir.toAbsolutePath());
        for (KvCluster.Member member : cluster.members().values()) {
            out.printf("node %d  redis 127.0.0.1:%d  raft 127.0.0.1:%d  log %s  snapshots %s%n", member.id(),
                    member.server().localAddress().getPort(), member.transport().localAddress().getPort(),
                    KvCluster.logDirectory(dataDir.toAbsolutePath(), member.id()),
                    KvCluster.snapshotDirectory(dataDir.toAbsolutePath(), member.id()));
        }
        out.println("Ctrl-C stops the cluster");
        stopped.await();
        return 0;
    }
}
