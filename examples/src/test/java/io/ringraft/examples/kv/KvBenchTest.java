package io.ringraft.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.RaftConfig;
import io.ringraft.api.client.Consistency;
import io.ringraft.api.client.GroupClient;
import io.ringraft.api.client.RaftClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The KV nodes serve {@code RaftClient}s on their Raft ports, and {@code bench} drives a running cluster
 * through one (a smoke test on free ports: two seconds, a few callers).
 */
class KvBenchTest {

    private static final RaftConfig CONFIG = RaftConfig.builder().tickMillis(5).heartbeatIntervalMillis(50)
            .electionTimeoutMillis(1000).ringCapacityEntries(1024).ringCapacityBytes(1 << 20).maxEntryBytes(16 << 10)
            .proposalQueueBytes(1 << 18).build();

    @TempDir
    Path dataDir;

    private KvCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private String seeds() {
        StringJoiner seeds = new StringJoiner(",");
        cluster.members().values().forEach(member -> seeds.add(member.id() + "=127.0.0.1:"
                + member.transport().localAddress().getPort()));
        return seeds.toString();
    }

    @Test
    void aClientWritesAndReadsTheKvStoreInRespReplies() throws Exception {
        cluster = KvCluster.start(new KvCluster.Options(3, dataDir, "127.0.0.1", 0, 0, CONFIG, Duration.ofSeconds(5)));
        try (RaftClient client = RaftClient.builder().seeds(seeds()).clusterId(KvCluster.CLUSTER_ID).build()) {
            GroupClient kv = client.group(1);
            byte[] key = "k".getBytes(StandardCharsets.UTF_8);
            assertThat(kv.ask(KvCodec.set(key, "v1".getBytes(StandardCharsets.UTF_8), 0)).get(20, TimeUnit.SECONDS))
                    .asString(StandardCharsets.ISO_8859_1).isEqualTo("+OK\r\n");
            assertThat(kv.ask(KvCodec.incrBy("n".getBytes(StandardCharsets.UTF_8), 5)).get(20, TimeUnit.SECONDS))
                    .asString(StandardCharsets.ISO_8859_1).isEqualTo(":5\r\n");
            assertThat(kv.askOne(KvCodec.get(key), Consistency.LINEARIZABLE).get(20, TimeUnit.SECONDS))
                    .asString(StandardCharsets.ISO_8859_1).isEqualTo("$2\r\nv1\r\n");
        }
    }

    @Test
    void benchDrivesARunningClusterAndPrintsThroughputAndPercentiles() throws Exception {
        cluster = KvCluster.start(new KvCluster.Options(3, dataDir, "127.0.0.1", 0, 0, CONFIG, Duration.ofSeconds(5)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = KvMain.run(new String[] {"bench", "--seeds", seeds(), "--seconds", "2", "--concurrency", "4"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);
        System.out.println(printed);
        assertThat(status).as(printed + err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(count(printed, "writes \\(ask\\)")).isPositive();
        assertThat(count(printed, "reads \\(askOne\\)")).as(printed).isPositive();
        assertThat(printed).contains("ops/s").contains("p50").contains("p99").contains("errors 0");
    }

    @Test
    void benchRefusesBadOptionsWithUsage() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = KvMain.run(new String[] {"bench", "--seconds", "2"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(status).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--seeds").contains("usage");
        ByteArrayOutputStream badConsistency = new ByteArrayOutputStream();
        assertThat(KvMain.run(new String[] {"bench", "--seeds", "1=127.0.0.1:1", "--consistency", "soon"},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(badConsistency, true, StandardCharsets.UTF_8)))
                .isEqualTo(2);
        assertThat(badConsistency.toString(StandardCharsets.UTF_8)).contains("--consistency must be linearizable, any or <T>ms");
    }

    private static long count(String printed, String label) {
        Matcher matcher = Pattern.compile(label + "\\s+(\\d+) ops").matcher(printed);
        assertThat(matcher.find()).as(printed).isTrue();
        return Long.parseLong(matcher.group(1));
    }
}
