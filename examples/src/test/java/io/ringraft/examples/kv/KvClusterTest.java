package io.ringraft.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The KV store end to end: a 3-node {@link KvCluster} (loopback TCP, durable logs) driven over RESP.
 * Writes and reads go to different nodes, pipelined commands are answered in order and see the
 * connection's earlier writes, errors follow Redis conventions, and after the leader stops every
 * acknowledged write is readable from the survivors under a new leader.
 */
class KvClusterTest {

    /**
     * The test checks exact results of non-idempotent writes (INCR, CAS), so a write must never come
     * back UNCERTAIN: a leader change in the middle would make it so. An election timeout of a second
     * keeps a loaded 2-core CI machine (three nodes, the test, the build) from deposing a healthy leader.
     */
    private static final RaftConfig CONFIG = RaftConfig.builder().tickMillis(5).heartbeatIntervalMillis(50)
            .electionTimeoutMillis(1000).ringCapacityEntries(1024).ringCapacityBytes(1 << 20).maxEntryBytes(16 << 10)
            .proposalQueueBytes(1 << 18).build();

    @TempDir
    Path dataDir;

    private KvCluster cluster;
    private final Map<Long, RespTestClient> clients = new LinkedHashMap<>();

    @AfterEach
    void stop() throws IOException {
        for (RespTestClient client : clients.values()) {
            client.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aReplicatedKvStoreOverResp() throws IOException {
        cluster = KvCluster.start(new KvCluster.Options(3, dataDir, "127.0.0.1", 0, 0, CONFIG, Duration.ofSeconds(5)));
        for (long id = 1; id <= 3; id++) {
            clients.put(id, new RespTestClient(cluster.member(id).server().localAddress()));
        }
        long leader = awaitLeader(List.of(1L, 2L, 3L));
        long follower = leader % 3 + 1;
        long other = follower % 3 + 1;
        RespTestClient c1 = clients.get(leader);
        RespTestClient c2 = clients.get(follower);
        RespTestClient c3 = clients.get(other);

        assertThat(c2.call("PING")).isEqualTo("PONG");
        assertThat(write(c2, "SET", "k", "v")).isEqualTo("OK"); // a follower's write goes to the leader
        assertThat(c3.call("GET", "k")).isEqualTo("v");          // a follower's read is linearizable
        assertThat(c1.call("GET", "k")).isEqualTo("v");

        assertThat(write(c3, "SET", "k", "w", "NX")).isNull();
        assertThat(write(c3, "SET", "k", "w", "XX")).isEqualTo("OK");
        assertThat(write(c1, "SET", "fresh", "x", "XX")).isNull();
        assertThat(write(c1, "SET", "fresh", "x", "nx")).isEqualTo("OK");
        assertThat(c2.call("GET", "k")).isEqualTo("w");

        assertThat(write(c2, "INCR", "n")).isEqualTo(1L);
        assertThat(write(c3, "INCRBY", "n", "41")).isEqualTo(42L);
        assertThat(error(write(c1, "INCR", "k"))).startsWith("ERR value is not an integer");

        assertThat(write(c2, "CAS", "k", "w", "z")).isEqualTo(1L);
        assertThat(write(c2, "CAS", "k", "w", "y")).isEqualTo(0L);
        assertThat(c3.call("GET", "k")).isEqualTo("z");

        assertThat(write(c3, "MSET", "a", "1", "b", "2")).isEqualTo("OK");
        assertThat(c1.call("MGET", "a", "b", "missing")).isEqualTo(Arrays.asList("1", "2", null));
        assertThat(c2.call("EXISTS", "a", "b", "missing")).isEqualTo(2L);
        assertThat(write(c2, "DEL", "a", "missing")).isEqualTo(1L);
        assertThat(c3.call("DBSIZE")).isEqualTo(4L); // k, fresh, n, b

        assertThat(error(c1.call("FOO", "bar"))).startsWith("ERR unknown command 'FOO'");
        assertThat(error(c1.call("GET"))).isEqualTo("ERR wrong number of arguments for 'get' command");
        assertThat(error(c1.call("MSET", "a"))).isEqualTo("ERR wrong number of arguments for 'mset' command");
        assertThat(error(c1.call("SET", "a", "b", "EX", "10"))).isEqualTo("ERR syntax error");
        assertThat(c2.call("CONFIG", "GET", "save")).isEqualTo(List.of("save", ""));
        assertThat(c2.call("CONFIG", "GET", "appendonly")).isEqualTo(List.of("appendonly", "no"));
        assertThat((String) c3.call("INFO")).contains("# Raft", "raft_node_id:" + other,
                "raft_leader_id:" + leader, "raft_committed_index:", "raft_applied_index:");
        assertThat((String) c1.call("RAFT.STATUS")).contains("raft_role:leader", "raft_snapshot_index:0");

        List<?> snapshot = (List<?>) c2.call("RAFT.SNAPSHOT"); // any node snapshots what it applied
        long snapshotIndex = (Long) snapshot.get(0);
        assertThat(snapshotIndex).isPositive();
        assertThat((Long) snapshot.get(1)).isPositive(); // its term
        assertThat((String) c2.call("RAFT.STATUS")).contains("raft_snapshot_index:" + snapshotIndex,
                "raft_purged_index:0"); // the default policy keeps 10,000 entries below a snapshot
        assertThat(error(c2.call("RAFT.SNAPSHOT", "now")))
                .isEqualTo("ERR wrong number of arguments for 'raft.snapshot' command");

        pipelinedCommandsAreAnsweredInOrder(c2);

        List<String> acknowledged = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            RespTestClient client = clients.get((long) (i % 3 + 1));
            assertThat(write(client, "SET", "ack-" + i, "value-" + i)).isEqualTo("OK");
            acknowledged.add("ack-" + i);
        }

        cluster.stop(leader);
        clients.remove(leader).close();
        List<Long> survivors = List.of(follower, other);
        long newLeader = awaitLeader(survivors);
        assertThat(newLeader).isNotEqualTo(leader);
        for (long id : survivors) {
            RespTestClient client = clients.get(id);
            for (int i = 0; i < acknowledged.size(); i++) {
                assertThat(read(client, "GET", acknowledged.get(i))).isEqualTo("value-" + i);
            }
            assertThat(read(client, "GET", "k")).isEqualTo("z");
            assertThat(read(client, "GET", "n")).isEqualTo("42");
        }
        assertThat(write(clients.get(follower), "INCR", "n")).isEqualTo(43L);
        assertThat(read(clients.get(other), "GET", "n")).isEqualTo("43");
    }

    /**
     * Membership changes in cluster mode ({@link InProcessRouter}): any node takes them and runs them
     * at the leader; a follower is removed (the two others carry on), added back as a learner (it
     * catches up), and promoted again.
     */
    @Test
    void membershipChangesThroughAnyNode() throws IOException {
        cluster = KvCluster.start(new KvCluster.Options(3, dataDir, "127.0.0.1", 0, 0, CONFIG, Duration.ofSeconds(5)));
        for (long id = 1; id <= 3; id++) {
            clients.put(id, new RespTestClient(cluster.member(id).server().localAddress()));
        }
        long leader = awaitLeader(List.of(1L, 2L, 3L));
        long follower = leader % 3 + 1;
        long other = follower % 3 + 1;
        RespTestClient viaFollower = clients.get(follower);
        RespTestClient viaOther = clients.get(other);
        assertThat(write(viaOther, "SET", "k", "v")).isEqualTo("OK");

        assertThat(error(write(viaFollower, "RAFT.ADDLEARNER", "4"))).isEqualTo("ERR node 4 is not a node of this cluster");
        assertThat(error(write(viaFollower, "RAFT.PROMOTE", Long.toString(other))))
                .isEqualTo("ERR node " + other + " is already a voter");

        assertThat(write(viaOther, "RAFT.REMOVE", Long.toString(follower))).isEqualTo("OK");
        assertThat(cluster.member(leader).node().status().membership().voters()).containsOnly(leader, other);
        assertThat((String) clients.get(leader).call("RAFT.STATUS")).contains("raft_voters:" + Math.min(leader, other)
                + "," + Math.max(leader, other) + "\r\n", "raft_learners:\r\n", "raft_membership_changing:0\r\n");
        assertThat(write(viaOther, "SET", "while-out", "1")).isEqualTo("OK");

        assertThat(write(viaOther, "RAFT.ADDLEARNER", Long.toString(follower))).isEqualTo("OK");
        assertThat(cluster.member(leader).node().status().membership().learners()).containsOnly(follower);
        assertThat(read(viaFollower, "GET", "while-out")).isEqualTo("1");
        assertThat(write(viaFollower, "RAFT.PROMOTE", Long.toString(follower))).isEqualTo("OK");
        assertThat(cluster.member(leader).node().status().membership().voters()).containsOnly(1L, 2L, 3L);
        assertThat(write(viaFollower, "SET", "back", "2")).isEqualTo("OK");
        assertThat(read(viaOther, "GET", "back")).isEqualTo("2");
    }

    /** A pipelined batch: replies come in order, and each GET sees the INCR sent before it. */
    private static void pipelinedCommandsAreAnsweredInOrder(RespTestClient client) throws IOException {
        int rounds = 200;
        for (int i = 1; i <= rounds; i++) {
            client.send("INCR", "p");
            client.send("GET", "p");
            if (i % 50 == 0) {
                client.send("PING", "mark-" + i);
            }
        }
        for (int i = 1; i <= rounds; i++) {
            assertThat(client.read()).as("INCR #%d", i).isEqualTo((long) i);
            assertThat(client.read()).as("GET #%d", i).isEqualTo(Integer.toString(i));
            if (i % 50 == 0) {
                assertThat(client.read()).isEqualTo("mark-" + i);
            }
        }
    }

    /** Sends a write, retrying while the cluster answers TRYAGAIN (the write then certainly had no effect). */
    private static Object write(RespTestClient client, String... command) {
        return retryingTryAgain(client, command);
    }

    /** Sends a read, retrying while the cluster answers TRYAGAIN. */
    private static Object read(RespTestClient client, String... command) {
        return retryingTryAgain(client, command);
    }

    private static Object retryingTryAgain(RespTestClient client, String... command) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            Object reply;
            try {
                reply = client.call(command);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            boolean tryAgain = reply instanceof RespTestClient.Error e && e.message().startsWith("TRYAGAIN");
            if (!tryAgain) {
                assertThat(reply instanceof RespTestClient.Error e && e.message().startsWith("UNCERTAIN"))
                        .as("%s answered %s", Arrays.toString(command), reply).isFalse();
                return reply;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(Arrays.toString(command) + " kept answering " + reply);
            }
            Thread.onSpinWait();
        }
    }

    private static String error(Object reply) {
        assertThat(reply).isInstanceOf(RespTestClient.Error.class);
        return ((RespTestClient.Error) reply).message();
    }

    private long awaitLeader(List<Long> candidates) {
        long[] found = new long[1];
        await("a leader among " + candidates, () -> {
            for (long id : candidates) {
                RaftNode node = cluster.member(id).node();
                if (node.status().isLeader()) {
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
            Thread.onSpinWait();
            Thread.yield();
        }
    }
}
