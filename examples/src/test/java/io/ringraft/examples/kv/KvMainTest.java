package io.ringraft.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line's usage errors (exit status 2, a message naming the flag, the usage) and the {@code node} flags. */
class KvMainTest {

    private static final String PEERS = "1=127.0.0.1:7381,2=127.0.0.1:7382,3=127.0.0.1:7383";

    @TempDir
    Path dir;

    /** A valid {@code node} command line with {@code flag} replaced by {@code value} (or removed if null). */
    private List<String> nodeArgs(String flag, String value) {
        List<String> args = new ArrayList<>(List.of("node", "--id", "1", "--raft", "127.0.0.1:7381",
                "--redis", "127.0.0.1:6381", "--peers", PEERS, "--data-dir", dir.resolve("data").toString()));
        int at = args.indexOf(flag);
        if (value == null) {
            args.remove(at + 1);
            args.remove(at);
        } else if (at >= 0) {
            args.set(at + 1, value);
        } else {
            args.add(flag);
            args.add(value);
        }
        return args;
    }

    private record Outcome(int status, String out, String err) {
    }

    private static Outcome run(List<String> args) throws IOException, InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = KvMain.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Runs {@code args}, expects bad usage, and returns the first line of the error output. */
    private static String usageError(List<String> args) throws IOException, InterruptedException {
        Outcome outcome = run(args);
        assertThat(outcome.status()).as("exit status of %s", args).isEqualTo(2);
        assertThat(outcome.out()).isEmpty();
        assertThat(outcome.err()).contains("usage: ringraft-kv");
        return outcome.err().lines().findFirst().orElseThrow();
    }

    @Test
    void subcommands() throws Exception {
        assertThat(usageError(List.of())).startsWith("usage: ringraft-kv");
        assertThat(usageError(List.of("nodes"))).isEqualTo("unknown subcommand 'nodes'");
        Outcome help = run(List.of("--help"));
        assertThat(help.status()).isZero();
        assertThat(help.out()).contains("ringraft-kv node --id ID --raft HOST:PORT --redis HOST:PORT --peers");
    }

    @Test
    void everyNodeFlagIsRequired() throws Exception {
        assertThat(usageError(List.of("node"))).isEqualTo("node needs --id");
        for (String flag : List.of("--id", "--raft", "--redis", "--peers", "--data-dir")) {
            assertThat(usageError(nodeArgs(flag, null))).isEqualTo("node needs " + flag);
        }
    }

    @Test
    void unknownMissingAndRepeatedFlags() throws Exception {
        assertThat(usageError(nodeArgs("--nodes", "3"))).isEqualTo("unknown option '--nodes' for node");
        assertThat(usageError(List.of("node", "--id", "1", "extra"))).isEqualTo("unknown option 'extra' for node");
        assertThat(usageError(List.of("node", "--id"))).isEqualTo("missing value for --id");
        assertThat(usageError(List.of("node", "--id", "--raft", "127.0.0.1:7381")))
                .isEqualTo("missing value for --id");
        List<String> twice = nodeArgs("--id", "1");
        twice.addAll(List.of("--id", "2"));
        assertThat(usageError(twice)).isEqualTo("--id is given more than once");
    }

    @Test
    void nodeIds() throws Exception {
        for (String bad : List.of("0", "-3", "abc", "1.5", "99999999999999999999")) {
            assertThat(usageError(nodeArgs("--id", bad)))
                    .isEqualTo("--id: a node id must be a positive integer, got '" + bad + "'");
        }
        assertThat(usageError(nodeArgs("--id", "4")))
                .isEqualTo("--peers must list this node's id 4 too (it names [1, 2, 3])");
    }

    @Test
    void addresses() throws Exception {
        assertThat(usageError(nodeArgs("--raft", "127.0.0.1")))
                .isEqualTo("--raft: expected HOST:PORT, got '127.0.0.1'");
        assertThat(usageError(nodeArgs("--raft", ":7381"))).isEqualTo("--raft: expected HOST:PORT, got ':7381'");
        assertThat(usageError(nodeArgs("--raft", "[]:7381"))).isEqualTo("--raft: expected HOST:PORT, got '[]:7381'");
        assertThat(usageError(nodeArgs("--raft", "host:")))
                .isEqualTo("--raft: expected HOST:PORT, got 'host:'");
        assertThat(usageError(nodeArgs("--raft", "127.0.0.1:0")))
                .isEqualTo("--raft: the port must be in 1..65535, got '0'");
        assertThat(usageError(nodeArgs("--redis", "127.0.0.1:65536")))
                .isEqualTo("--redis: the port must be in 0..65535, got '65536'");
        assertThat(usageError(nodeArgs("--redis", "127.0.0.1:http")))
                .isEqualTo("--redis: the port must be in 0..65535, got 'http'");
    }

    @Test
    void peers() throws Exception {
        assertThat(usageError(nodeArgs("--peers", "1=127.0.0.1:7381,2")))
                .isEqualTo("--peers: expected ID=HOST:PORT, got '2'");
        assertThat(usageError(nodeArgs("--peers", "1=127.0.0.1:7381,")))
                .isEqualTo("--peers: expected ID=HOST:PORT, got ''");
        assertThat(usageError(nodeArgs("--peers", "1=127.0.0.1:7381,x=127.0.0.1:7382")))
                .isEqualTo("--peers: a node id must be a positive integer, got 'x'");
        assertThat(usageError(nodeArgs("--peers", "1=127.0.0.1:7381,2=127.0.0.1")))
                .isEqualTo("--peers (node 2): expected HOST:PORT, got '127.0.0.1'");
        assertThat(usageError(nodeArgs("--peers", "1=127.0.0.1:7381,2=127.0.0.1:0")))
                .isEqualTo("--peers (node 2): the port must be in 1..65535, got '0'");
        assertThat(usageError(nodeArgs("--peers", "1=127.0.0.1:7381,1=127.0.0.1:7382")))
                .isEqualTo("--peers names node 1 more than once");
        assertThat(usageError(nodeArgs("--peers", "2=127.0.0.1:7382,3=127.0.0.1:7383")))
                .isEqualTo("--peers must list this node's id 1 too (it names [2, 3])");
    }

    @Test
    void voters() throws Exception {
        String fourPeers = PEERS + ",4=127.0.0.1:7384";
        List<String> args = nodeArgs("--peers", fourPeers);
        args.addAll(List.of("--voters", " 3,1, 2"));
        KvNode.Options options = KvMain.parseNode(args.toArray(String[]::new));
        assertThat(options.peers()).containsOnlyKeys(1L, 2L, 3L, 4L);
        assertThat(options.voters()).containsExactly(1L, 2L, 3L);
        assertThat(options.voterIds()).containsExactly(1, 2, 3);

        // a node outside the voters: it starts as a non-member and waits to be added
        List<String> joining = nodeArgs("--peers", fourPeers);
        joining.set(joining.indexOf("--id") + 1, "4");
        joining.addAll(List.of("--voters", "1,2,3"));
        KvNode.Options joiner = KvMain.parseNode(joining.toArray(String[]::new));
        assertThat(joiner.id()).isEqualTo(4);
        assertThat(joiner.voters()).containsExactly(1L, 2L, 3L);
        assertThat(joiner.joining()).as("outside --voters: RaftNode.Builder.joining(true)").isTrue();
        assertThat(options.joining()).isFalse();

        assertThat(usageError(nodeArgs("--voters", "1,2,5")))
                .isEqualTo("--voters names node 5 that --peers does not list (it names [1, 2, 3])");
        assertThat(usageError(nodeArgs("--voters", "7,1,5")))
                .isEqualTo("--voters names nodes 5, 7 that --peers does not list (it names [1, 2, 3])");
        assertThat(usageError(nodeArgs("--voters", ""))).isEqualTo("--voters must name at least one node");
        assertThat(usageError(nodeArgs("--voters", " "))).isEqualTo("--voters must name at least one node");
        assertThat(usageError(nodeArgs("--voters", "1,,2")))
                .isEqualTo("--voters: a node id must be a positive integer, got ''");
        assertThat(usageError(nodeArgs("--voters", "1,x")))
                .isEqualTo("--voters: a node id must be a positive integer, got 'x'");
        assertThat(usageError(nodeArgs("--voters", "0"))).isEqualTo("--voters: a node id must be a positive integer, got '0'");
        assertThat(usageError(nodeArgs("--voters", "1,2,1"))).isEqualTo("--voters names node 1 more than once");
        List<String> twice = nodeArgs("--voters", "1");
        twice.addAll(List.of("--voters", "2"));
        assertThat(usageError(twice)).isEqualTo("--voters is given more than once");
        List<String> missing = nodeArgs("--voters", "1");
        missing.remove(missing.size() - 1); // "--voters" last, without its value
        assertThat(usageError(missing)).isEqualTo("missing value for --voters");
        assertThat(KvMain.USAGE).contains("[--voters ID,...]");
    }

    @Test
    void dataDirectory() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        assertThat(usageError(nodeArgs("--data-dir", file.toString())))
                .isEqualTo("--data-dir " + file + " exists and is not a directory");
        assertThat(usageError(nodeArgs("--data-dir", " "))).isEqualTo("--data-dir must not be empty");
    }

    @Test
    void aValidNodeCommandLine() {
        KvNode.Options options = KvMain.parseNode(nodeArgs("--peers",
                "3=kv-3.example:7383, 1=127.0.0.1:7381 ,2=[::1]:7382").toArray(String[]::new));
        assertThat(options.id()).isEqualTo(1);
        assertThat(options.raftHost()).isEqualTo("127.0.0.1");
        assertThat(options.raftPort()).isEqualTo(7381);
        assertThat(options.redisHost()).isEqualTo("127.0.0.1");
        assertThat(options.redisPort()).isEqualTo(6381);
        assertThat(options.peers()).containsExactly(Map.entry(1L, "127.0.0.1:7381"), Map.entry(2L, "[::1]:7382"),
                Map.entry(3L, "kv-3.example:7383"));
        assertThat(options.voters()).containsExactly(1L, 2L, 3L); // no --voters: every peer
        assertThat(options.voterIds()).containsExactly(1, 2, 3);
        assertThat(options.dataDir()).isEqualTo(dir.resolve("data"));
        assertThat(options.config().snapshotIntervalEntries()).isEqualTo(100_000); // the cluster's policy

        KvNode.Options anyRedisPort = KvMain.parseNode(nodeArgs("--redis", "[::1]:0").toArray(String[]::new));
        assertThat(anyRedisPort.redisHost()).isEqualTo("::1");
        assertThat(anyRedisPort.redisPort()).isZero();
        assertThat(options.metrics()).as("no --metrics: no endpoint").isNull();
        KvNode.Options withMetrics = KvMain.parseNode(nodeArgs("--metrics", "127.0.0.1:0").toArray(String[]::new));
        assertThat(withMetrics.metrics().getHostString()).isEqualTo("127.0.0.1");
        assertThat(withMetrics.metrics().getPort()).isZero();
        // a single-node cluster
        KvNode.Options alone = KvMain.parseNode(nodeArgs("--peers", "1=127.0.0.1:7381").toArray(String[]::new));
        assertThat(alone.voters()).containsExactly(1L);
        assertThat(Arrays.asList(KvMain.USAGE.split("\n"))).anyMatch(line -> line.contains("--data-dir DIR"));
    }

    @Test
    void metricsOptionsAreChecked() throws Exception {
        assertThat(usageError(nodeArgs("--metrics", "127.0.0.1"))).isEqualTo("--metrics: expected HOST:PORT, got '127.0.0.1'");
        assertThat(usageError(List.of("cluster", "--metrics-port", "http")))
                .isEqualTo("--metrics-port: expected a port in 0..65535 or off, got 'http'");
        assertThat(usageError(List.of("cluster", "--metrics-port", "-2")))
                .isEqualTo("--metrics-port: expected a port in 0..65535 or off, got '-2'");
        assertThat(KvMain.USAGE).contains("[--metrics-port 9380|off]", "[--metrics HOST:PORT]");
        assertThat(KvMain.DEFAULT_METRICS_PORT).isEqualTo(9380);
    }

    @Test
    void catchUpRatePacesSnapshotsAndLogCatchUp() throws Exception {
        KvNode.Options unpaced = KvMain.parseNode(nodeArgs("--peers", PEERS).toArray(String[]::new));
        assertThat(unpaced.config().catchUpBytesPerSecond()).as("default: unpaced").isZero();
        assertThat(unpaced.config().snapshotSendBytesPerSecond()).isZero();
        KvNode.Options paced = KvMain.parseNode(nodeArgs("--catch-up-rate", "40").toArray(String[]::new));
        assertThat(paced.config().catchUpBytesPerSecond()).isEqualTo(40_000_000L);
        assertThat(paced.config().snapshotSendBytesPerSecond()).isEqualTo(40_000_000L);
        assertThat(paced.config().snapshotIntervalEntries()).as("the rest as before").isEqualTo(100_000);
        for (String bad : List.of("0", "-5", "fast", "100001")) {
            assertThat(usageError(nodeArgs("--catch-up-rate", bad)))
                    .isEqualTo("--catch-up-rate: expected MB per second in 1..100000, got '" + bad + "'");
        }
        assertThat(KvMain.USAGE).contains("[--catch-up-rate MB/s]");
    }

    @Test
    void groups() throws Exception {
        assertThat(KvMain.parseNode(nodeArgs("--peers", PEERS).toArray(String[]::new)).groups())
                .as("no --groups: one").isEqualTo(1);
        KvNode.Options eight = KvMain.parseNode(nodeArgs("--groups", "8").toArray(String[]::new));
        assertThat(eight.groups()).isEqualTo(8);
        assertThat(eight.config().maxEntryBytes()).as("each group's: KvHost.groupConfig()").isEqualTo(64 << 10);
        assertThat(eight.config().reservedBytes()).isLessThan(2L << 20);
        assertThat(eight.config().snapshotIntervalEntries()).isEqualTo(100_000); // the cluster's policy
        assertThat(KvMain.parseNode(nodeArgs("--groups", "1").toArray(String[]::new)).config().maxEntryBytes())
                .as("--groups 1 is a plain node's configuration").isEqualTo(KvMain.commandLineConfig().maxEntryBytes());
        for (String bad : List.of("0", "-1", "x", "1025", "")) {
            assertThat(usageError(nodeArgs("--groups", bad)))
                    .isEqualTo("--groups: expected a number of groups in 1..1024, got '" + bad + "'");
            assertThat(usageError(List.of("cluster", "--groups", bad)))
                    .isEqualTo("--groups: expected a number of groups in 1..1024, got '" + bad + "'");
        }
        // a host cannot join its groups later: with --groups above 1 every node votes
        List<String> outside = nodeArgs("--groups", "4");
        outside.addAll(List.of("--voters", "2,3"));
        assertThat(usageError(outside))
                .isEqualTo("--groups 4 needs every node among --voters (node 1 is not): a node cannot join the groups later");
        assertThat(KvMain.USAGE).contains("[--groups 1]", "CRC32(key) mod G + 1", "CROSSSLOT");
    }

    @Test
    void aDataDirectoryKeepsItsNumberOfGroups() throws Exception {
        Path data = dir.resolve("host");
        KvHost.checkLayout(data, data.resolve("node-1"), 8);
        KvHost.checkLayout(data, data.resolve("node-1"), 8); // again: the same number
        assertThatThrownBy(() -> KvHost.checkLayout(data, data.resolve("node-1"), 4))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("holds data of --groups 8");
        assertThatThrownBy(() -> KvHost.checkLayout(data, data.resolve("node-1"), 1))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("start with --groups 8");
        Path single = dir.resolve("single");
        Files.createDirectories(single.resolve("node-1"));
        assertThatThrownBy(() -> KvHost.checkLayout(single, single.resolve("node-1"), 8))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("holds a single-group node's data");
        KvHost.checkLayout(single, single.resolve("node-1"), 1);
    }

    @Test
    void optionsRequireTheNodeAmongItsPeers() {
        assertThatThrownBy(() -> new KvNode.Options(2, "127.0.0.1", 1, "127.0.0.1", 0,
                Map.of(1L, "127.0.0.1:1"), dir, KvMain.commandLineConfig(), KvMain.COMMAND_TIMEOUT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("do not include this node, 2");
    }

    @Test
    void optionsRequireVotersAmongThePeers() {
        Map<Long, String> peers = Map.of(1L, "127.0.0.1:1", 2L, "127.0.0.1:2");
        assertThatThrownBy(() -> new KvNode.Options(2, "127.0.0.1", 1, "127.0.0.1", 0, peers, Set.of(),
                dir, KvMain.commandLineConfig(), KvMain.COMMAND_TIMEOUT))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("the voters must name at least one node");
        assertThatThrownBy(() -> new KvNode.Options(2, "127.0.0.1", 1, "127.0.0.1", 0, peers, Set.of(1L, 3L),
                dir, KvMain.commandLineConfig(), KvMain.COMMAND_TIMEOUT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the voters [1, 3] name nodes that are not peers: [3]");
        KvNode.Options outside = new KvNode.Options(2, "127.0.0.1", 1, "127.0.0.1", 0, peers, Set.of(1L),
                dir, KvMain.commandLineConfig(), KvMain.COMMAND_TIMEOUT);
        assertThat(outside.voterIds()).containsExactly(1); // node 2 starts outside the voters
    }
}
