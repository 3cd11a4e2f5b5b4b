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
 * With {@code --groups} above 1 the KV groups are messaging groups with client sessions inside the
 * messaging envelope: a {@code RaftClient} writes exactly once to a key's group and reads it back, the
 * Redis server sees the same data, {@code XFER} still moves credits between groups, and {@code bench
 * --groups} drives the cluster.
 */
class KvGroupsClientTest {

    private static final int GROUPS = 3;
    /** Host-sized groups; an election timeout of a second keeps a loaded machine from deposing leaders. */
    private static final RaftConfig CONFIG = KvCluster.snapshotPolicy(RaftConfig.hostBuilder()
            .maxEntryBytes(16 << 10).ringCapacityEntries(512).ringCapacityBytes(256 << 10)
            .proposalQueueBytes(256 << 10).maxBytesPerAppend(64 << 10).maxPendingReads(1024)
            .heartbeatIntervalMillis(50).electionTimeoutMillis(1000)).build();

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

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] reply) {
        return new String(reply, StandardCharsets.ISO_8859_1);
    }

    @Test
    void aClientWritesOnceToAKeysGroupAndTheRedisServerSeesIt() throws Exception {
        cluster = KvCluster.start(new KvCluster.Options(3, dataDir, "127.0.0.1", 0, 0, CONFIG, Duration.ofSeconds(5), 0,
                GROUPS));
        try (RaftClient client = RaftClient.builder().seeds(seeds()).clusterId(KvCluster.CLUSTER_ID).build();
             RespTestClient redis = new RespTestClient(cluster.member(1).server().localAddress())) {
            for (int i = 0; i < 12; i++) { // keys over every group
                byte[] key = bytes("client-key-" + i);
                GroupClient group = client.group(KeyGroups.groupOf(key, GROUPS));
                assertThat(text(group.ask(KvCodec.set(key, bytes("v" + i), 0)).get(20, TimeUnit.SECONDS)))
                        .isEqualTo("+OK\r\n");
                assertThat(text(group.askOne(KvCodec.get(key), Consistency.LINEARIZABLE).get(20, TimeUnit.SECONDS)))
                        .isEqualTo("$" + ("v" + i).length() + "\r\nv" + i + "\r\n");
                assertThat(redis.call("GET", "client-key-" + i)).isEqualTo("v" + i);
            }
            // a counter incremented through sessions applies each ask once
            byte[] counter = bytes("client-counter");
            GroupClient group = client.group(KeyGroups.groupOf(counter, GROUPS));
            for (int i = 1; i <= 20; i++) {
                assertThat(text(group.ask(KvCodec.incrBy(counter, 1)).get(20, TimeUnit.SECONDS))).isEqualTo(":" + i + "\r\n");
            }
            assertThat(redis.call("GET", "client-counter")).isEqualTo("20");
            // the Redis server's writes still go through (plain session envelopes inside the messaging one), XFER too
            assertThat(redis.call("SET", "a", "10")).isEqualTo("OK");
            assertThat(redis.call("XFER", "a", "b", "4")).isEqualTo(1L);
            ClientEventually.await("the credit arrived", () -> "4".equals(call(redis, "GET", "b")));
            assertThat(text(client.group(KeyGroups.groupOf(bytes("b"), GROUPS)).askOne(KvCodec.get(bytes("b")),
                    Consistency.LINEARIZABLE).get(20, TimeUnit.SECONDS))).isEqualTo("$1\r\n4\r\n");
        }
    }

    @Test
    void benchDrivesAGroupsCluster() throws Exception {
        cluster = KvCluster.start(new KvCluster.Options(3, dataDir, "127.0.0.1", 0, 0, CONFIG, Duration.ofSeconds(5), 0,
                GROUPS));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = KvMain.run(new String[] {"bench", "--seeds", seeds(), "--seconds", "2", "--concurrency", "4",
                        "--groups", Integer.toString(GROUPS), "--consistency", "1000ms"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);
        System.out.println(printed);
        assertThat(status).as(printed + err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(printed).contains("groups 1.." + GROUPS + " (keys hashed)")
                .contains("within 1000 ms of the leader's commit").contains("errors 0");
        assertThat(count(printed, "writes \\(ask\\)")).isPositive();
        assertThat(count(printed, "reads \\(askOne\\)")).isPositive();
    }

    /**
     * The bank workload through the client: opening balances, then XFERs between accounts that live in
     * different groups (asked at the source's group, credited through its outbox) mixed with the usual
     * writes and reads; the bench itself checks that the accounts hold what they opened with once the
     * outboxes drained, and exits 1 otherwise.
     */
    @Test
    void benchRunsTheBankWorkloadThroughTheClientAndMoneyIsConserved() throws Exception {
        cluster = KvCluster.start(new KvCluster.Options(3, dataDir, "127.0.0.1", 0, 0, CONFIG, Duration.ofSeconds(5), 0,
                GROUPS));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = KvMain.run(new String[] {"bench", "--seeds", seeds(), "--seconds", "3", "--concurrency", "6",
                        "--groups", Integer.toString(GROUPS), "--xfer-percent", "50", "--accounts", "8"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);
        System.out.println(printed);
        assertThat(status).as(printed + err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(count(printed, "XFER \\(ask\\)")).as("transfers answered").isPositive();
        assertThat(printed).contains("money conserved: the 8 accounts hold 8000, as opened").contains("errors 0");
        Matcher debited = Pattern.compile("transfers: (\\d+) debited").matcher(printed);
        assertThat(debited.find()).as(printed).isTrue();
        assertThat(Long.parseLong(debited.group(1))).as("transfers that moved money").isPositive();
    }

    private static Object call(RespTestClient client, String... command) {
        try {
            return client.call(command);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long count(String printed, String label) {
        Matcher matcher = Pattern.compile(label + "\\s+(\\d+) ops").matcher(printed);
        assertThat(matcher.find()).as(printed).isTrue();
        return Long.parseLong(matcher.group(1));
    }

    /** Waits for a condition with a deadline. */
    private static final class ClientEventually {
        static void await(String what, java.util.function.BooleanSupplier condition) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!condition.getAsBoolean()) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("timed out waiting until " + what);
                }
                java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
            }
        }
    }
}
