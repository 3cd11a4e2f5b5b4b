package io.ringraft.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The KV store's operability: a 3-node {@link KvCluster} started with a metrics port (any free one, never
 * the documented default) serves every node's and transport's meters at {@code /metrics} in Prometheus
 * text format, and {@code INFO raft} on the leader lists each follower's match index and lag.
 */
class KvMetricsTest {

    private static final RaftConfig CONFIG = RaftConfig.builder().tickMillis(5).heartbeatIntervalMillis(50)
            .electionTimeoutMillis(1000).ringCapacityEntries(1024).ringCapacityBytes(1 << 20).maxEntryBytes(16 << 10)
            .proposalQueueBytes(1 << 18).build();

    @TempDir
    Path dataDir;

    private KvCluster cluster;
    private RespTestClient client;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void stop() throws IOException {
        if (client != null) {
            client.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void metricsAreServedInPrometheusFormatAndInfoShowsFollowerLag() throws Exception {
        cluster = KvCluster.start(new KvCluster.Options(3, dataDir, "127.0.0.1", 0, 0, CONFIG, Duration.ofSeconds(5),
                0));
        long leader = awaitLeader();
        client = new RespTestClient(cluster.member(leader).server().localAddress());
        for (int i = 0; i < 20; i++) {
            assertThat(client.call("SET", "k" + i, "v" + i)).isEqualTo("OK");
        }
        RaftNode leaderNode = cluster.member(leader).node();
        await("both followers acknowledged everything", () -> leaderNode.status().followers().size() == 2
                && leaderNode.status().followers().stream().allMatch(f -> f.lag() == 0));

        int port = cluster.metrics().localAddress().getPort();
        HttpResponse<String> response = get(port, "/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
        String text = response.body();
        String l = "node_id=\"" + leader + "\"";
        assertThat(lines(text, "ringraft_commit_latency_seconds_count{", l)).singleElement()
                .satisfies(line -> assertThat(value(line)).isPositive());
        assertThat(lines(text, "ringraft_commit_latency_seconds_bucket{", l)).hasSizeGreaterThan(10);
        for (long id = 1; id <= 3; id++) {
            String n = "node_id=\"" + id + "\"";
            assertThat(lines(text, "ringraft_log_flush_seconds_count{", n)).singleElement()
                    .satisfies(line -> assertThat(value(line)).isPositive());
            assertThat(lines(text, "ringraft_apply_seconds_count{", n)).singleElement()
                    .satisfies(line -> assertThat(value(line)).isPositive());
            assertThat(lines(text, "ringraft_role{", n, "role=\"" + (id == leader ? "leader" : "follower") + "\""))
                    .singleElement().satisfies(line -> assertThat(value(line)).isEqualTo(1));
            assertThat(lines(text, "ringraft_transport_bytes_sent_bytes_total{", "transport_node_id=\"" + id + "\""))
                    .singleElement().satisfies(line -> assertThat(value(line)).isPositive());
            if (id != leader) {
                assertThat(lines(text, "ringraft_follower_lag_entries{", l, "peer_id=\"" + id + "\""))
                        .singleElement().satisfies(line -> assertThat(value(line)).isZero());
            }
        }
        assertThat(text).contains("jvm_memory_used_bytes");
        assertThat(get(port, "/other").statusCode()).isEqualTo(404);

        String info = (String) client.call("INFO", "raft");
        assertThat(info).contains("raft_followers:2\r\n");
        long last = leaderNode.status().lastLogId().index();
        for (long id = 1; id <= 3; id++) {
            if (id != leader) {
                assertThat(info).contains("raft_follower_" + id + ":match_index=" + last + ",lag=0\r\n");
            }
        }
    }

    private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET()
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The sample lines of {@code text} that start with {@code prefix} and contain every label given. */
    private static List<String> lines(String text, String prefix, String... labels) {
        return Arrays.stream(text.split("\n")).filter(line -> line.startsWith(prefix))
                .filter(line -> Arrays.stream(labels).allMatch(line::contains)).toList();
    }

    private static double value(String line) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    private long awaitLeader() {
        long[] found = new long[1];
        await("a leader is elected", () -> {
            for (long id = 1; id <= 3; id++) {
                if (cluster.member(id).node().status().isLeader()) {
                    found[0] = id;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }
}
