package io.ringraft.examples.kv;

import static io.ringraft.examples.kv.KvGroupsCluster.await;
import static io.ringraft.examples.kv.KvGroupsCluster.call;
import static io.ringraft.examples.kv.KvGroupsCluster.fields;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.MeterRegistry;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftNode;
import io.ringraft.examples.FreePorts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The KV store with {@code --groups 8}: three hosts over loopback Netty, in one {@link KvCluster} and as
 * three {@link KvNode}s. Keys land in the group {@link KeyGroups} names, any node serves any key, a
 * multi-key command across groups is refused with {@code -CROSSSLOT} (a hash tag co-locates keys),
 * {@code INFO} shows every group's leader and the host, the groups' meters carry {@code group.id}, and
 * a restarted node (or cluster) keeps its data.
 */
class KvGroupsTest {

    private static final int GROUPS = 8;
    private static final int KEYS = 120;

    private static final RaftConfig CONFIG = KvGroupsCluster.CONFIG;

    @TempDir
    Path dataDir;

    private KvCluster cluster;
    private final Map<Long, KvNode> nodes = new LinkedHashMap<>();
    private final List<RespTestClient> clients = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        for (RespTestClient client : clients) {
            client.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        nodes.values().forEach(KvNode::close);
    }

    // ------------------------------------------------------------------ the key-to-group function

    @Test
    void theGroupOfAKeyIsItsCrc32ModNPlusOneAndAHashTagCoLocatesKeys() {
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertThat(crc32(check)).isEqualTo(0xCBF43926L); // the IEEE CRC-32 check value the docs name
        assertThat(KeyGroups.groupOf(check, 8)).isEqualTo((int) (0xCBF43926L % 8) + 1);
        for (int i = 0; i < 1000; i++) {
            byte[] key = ("key-" + i).getBytes(StandardCharsets.UTF_8);
            assertThat(KeyGroups.groupOf(key, 8)).isEqualTo((int) (crc32(key) % 8) + 1).isBetween(1, 8);
            assertThat(KeyGroups.groupOf(key, 1)).isEqualTo(1);
        }
        // {tag}: only the tag is hashed; an empty {} or no closing brace hashes the whole key
        assertThat(KeyGroups.groupOf(bytes("{user1000}.name"), 1024))
                .isEqualTo(KeyGroups.groupOf(bytes("user1000"), 1024))
                .isEqualTo(KeyGroups.groupOf(bytes("x{user1000}{y}"), 1024));
        assertThat(KeyGroups.groupOf(bytes("a{}b"), 1024)).isEqualTo((int) (crc32(bytes("a{}b")) % 1024) + 1);
        assertThat(KeyGroups.groupOf(bytes("a{b"), 1024)).isEqualTo((int) (crc32(bytes("a{b")) % 1024) + 1);
        assertThat(KeyGroups.groupOf(bytes("{}{b}"), 1024)).isEqualTo((int) (crc32(bytes("{}{b}")) % 1024) + 1);
        assertThat(KeyGroups.commonGroup(List.of(bytes("{t}1"), bytes("{t}2")), 8)).isPositive();
        assertThatThrownBy(() -> KeyGroups.groupOf(check, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------------ cluster mode

    @Test
    @Timeout(120)
    void aClusterOfThreeHostsWithEightGroups() throws Exception {
        cluster = startCluster();
        Map<Long, RespTestClient> byNode = connectAll();
        awaitEveryGroupHasALeader(byNode.values());

        // SET through one node, GET through another, for keys spread over every group
        Map<Integer, Integer> keysPerGroup = new HashMap<>();
        for (int i = 0; i < KEYS; i++) {
            String key = "key-" + i;
            assertThat(call(client(byNode, i), "SET", key, "value-" + i)).isEqualTo("OK");
            keysPerGroup.merge(KeyGroups.groupOf(bytes(key), GROUPS), 1, Integer::sum);
        }
        assertThat(keysPerGroup.keySet()).hasSize(GROUPS);
        for (int i = 0; i < KEYS; i++) {
            assertThat(call(client(byNode, i + 1), "GET", "key-" + i)).isEqualTo("value-" + i);
        }
        // each key is in the state machine of the group the hash names, and in no other
        for (int i = 0; i < KEYS; i += 7) {
            assertOnlyInItsGroup("key-" + i, "value-" + i, cluster.member(1L)::group);
        }
        assertThat(call(byNode.get(2L), "DBSIZE")).isEqualTo((long) KEYS);
        assertThat(call(byNode.get(3L), "INCR", "counter")).isEqualTo(1L);
        assertThat(call(byNode.get(1L), "INCRBY", "counter", "41")).isEqualTo(42L);
        assertThat(call(byNode.get(2L), "CAS", "counter", "42", "x")).isEqualTo(1L);

        multiKeyCommands(byNode);
        info(byNode);
        adminCommands(byNode);

        // the groups' meters are tagged with their group
        MeterRegistry registry = cluster.metrics().registry();
        for (int g = 1; g <= GROUPS; g++) {
            assertThat(registry.find("ringraft.proposals.committed").tag("group.id", Integer.toString(g)).counters())
                    .as("group %d's meters", g).isNotEmpty();
        }
        assertThat(registry.find("ringraft.host.leaders").gauges()).hasSize(3);
        assertThat(registry.find("ringraft.host.leaders").gauges().stream().mapToDouble(m -> m.value()).sum())
                .isEqualTo(GROUPS);

        // the whole cluster restarts on its data directory: every key is back
        closeClients();
        cluster.close();
        cluster = null;
        assertThatThrownBy(() -> KvCluster.start(new KvCluster.Options(3, dataDir, "127.0.0.1", 0, 0, CONFIG,
                Duration.ofSeconds(5), -1, 4)))
                .hasMessageContaining("holds data of --groups 8").hasMessageContaining("start with --groups 8");
        assertThatThrownBy(() -> KvCluster.start(new KvCluster.Options(3, dataDir, "127.0.0.1", 0, 0, CONFIG,
                Duration.ofSeconds(5))))
                .hasMessageContaining("holds data of --groups 8");
        cluster = startCluster();
        byNode = connectAll();
        for (int i = 0; i < KEYS; i++) {
            assertThat(call(client(byNode, i + 2), "GET", "key-" + i)).isEqualTo("value-" + i);
        }
        assertThat(call(byNode.get(1L), "GET", "counter")).isEqualTo("x");
        assertThat(call(byNode.get(3L), "SET", "after-restart", "yes")).isEqualTo("OK");
        assertThat(call(byNode.get(1L), "GET", "after-restart")).isEqualTo("yes");
    }

    private KvCluster startCluster() {
        return KvCluster.start(new KvCluster.Options(3, dataDir, "127.0.0.1", 0, 0, CONFIG, Duration.ofSeconds(5), 0,
                GROUPS));
    }

    private Map<Long, RespTestClient> connectAll() throws IOException {
        Map<Long, RespTestClient> byNode = new LinkedHashMap<>();
        for (long id = 1; id <= 3; id++) {
            RespTestClient client = new RespTestClient(cluster.member(id).server().localAddress());
            clients.add(client);
            byNode.put(id, client);
        }
        return byNode;
    }

    private void multiKeyCommands(Map<Long, RespTestClient> byNode) {
        String a = "key-0";
        String b = keyInAnotherGroup(a);
        RespTestClient c = byNode.get(1L);
        for (String[] command : List.of(new String[] {"MGET", a, b}, new String[] {"EXISTS", a, b},
                new String[] {"DEL", a, b}, new String[] {"MSET", a, "1", b, "2"})) {
            assertThat(call(c, command)).as(Arrays.toString(command))
                    .isEqualTo(new RespTestClient.Error(RespCommands.CROSSSLOT));
        }
        assertThat(call(byNode.get(2L), "GET", a)).isEqualTo("value-0"); // nothing was changed
        assertThat(call(byNode.get(2L), "GET", b)).isEqualTo("value-" + b.substring("key-".length()));
        // keys of one group, by a hash tag: every multi-key command works
        assertThat(call(c, "MSET", "{user7}.name", "ann", "{user7}.mail", "ann@example.com")).isEqualTo("OK");
        assertThat(call(byNode.get(3L), "MGET", "{user7}.name", "{user7}.mail", "{user7}.none"))
                .isEqualTo(Arrays.asList("ann", "ann@example.com", null));
        assertThat(call(byNode.get(2L), "EXISTS", "{user7}.name", "{user7}.none")).isEqualTo(1L);
        assertThat(call(byNode.get(2L), "DEL", "{user7}.name", "{user7}.mail")).isEqualTo(2L);
        assertThat(call(byNode.get(1L), "EXISTS", "{user7}.name", "{user7}.mail")).isEqualTo(0L);
    }

    private void info(Map<Long, RespTestClient> byNode) {
        long leaders = 0;
        for (RespTestClient client : byNode.values()) {
            String info = (String) call(client, "INFO");
            Map<String, String> fields = fields(info);
            assertThat(fields).containsEntry("ringraft_groups", "8").containsEntry("raft_groups", "8")
                    .containsEntry("raft_host_groups", "8").containsKeys("raft_host_reserved_bytes",
                            "raft_host_memory_budget_bytes", "raft_node_id");
            assertThat(Long.parseLong(fields.get("raft_host_reserved_bytes"))).isEqualTo(8 * CONFIG.reservedBytes());
            for (int g = 1; g <= GROUPS; g++) {
                String line = fields.get("raft_group_" + g);
                assertThat(line).as("group %d", g).isNotNull().contains("committed_index=", "applied_index=",
                        "term=");
                assertThat(line).doesNotContain("leader_id=0,");
            }
            assertThat(fields.keySet().stream().filter(k -> k.startsWith("raft_group_"))).hasSize(GROUPS);
            leaders += Long.parseLong(fields.get("raft_host_leaders"));
            assertThat((String) call(client, "RAFT.STATUS")).contains("raft_group_8:");
            assertThat((String) call(client, "RAFT.STATUS", "3")).contains("raft_group_id:3", "raft_leader_id:");
            assertThat(call(client, "RAFT.STATUS", "9"))
                    .isEqualTo(new RespTestClient.Error("ERR no group '9': the groups are 1..8"));
        }
        assertThat(leaders).isEqualTo(GROUPS);
    }

    private void adminCommands(Map<Long, RespTestClient> byNode) {
        RespTestClient c = byNode.get(1L);
        List<?> snapshot = (List<?>) call(c, "RAFT.SNAPSHOT", "2");
        assertThat((Long) snapshot.get(0)).isPositive();
        assertThat(call(c, "RAFT.SNAPSHOT")).isEqualTo(
                new RespTestClient.Error("ERR with --groups above 1 name the group: RAFT.SNAPSHOT <group>"));
        assertThat(call(c, "RAFT.TRANSFER", "2")).isEqualTo(new RespTestClient.Error(
                "ERR with --groups above 1 name the group: RAFT.TRANSFER <node-id> <group>"));
        assertThat(((RespTestClient.Error) call(c, "RAFT.ADDLEARNER", "4")).message())
                .startsWith("ERR RAFT.ADDLEARNER is not supported with --groups above 1");
        // a transfer in a group: its leader moves, and the group keeps serving
        long leaderOf5 = cluster.member(1L).group(5).status().leaderId();
        long target = leaderOf5 % 3 + 1;
        assertThat(call(c, "RAFT.TRANSFER", Long.toString(target), "5")).isEqualTo("OK");
        await("node " + target + " leads group 5", () -> cluster.member(target).group(5).isLeader());
        String key = keyInGroup(5);
        assertThat(call(byNode.get(2L), "SET", key, "moved")).isEqualTo("OK");
        assertThat(call(byNode.get(3L), "GET", key)).isEqualTo("moved");
    }

    @Test
    void groupsBeyondTheMemoryBudgetStopTheStartWithAClearError() throws Exception {
        int[] ports = FreePorts.pick(1);
        long budget = 3 * CONFIG.reservedBytes() + CONFIG.reservedBytes() / 2;
        try (io.ringraft.net.netty.NettyTransport transport = KvCluster.newTransport(1, "127.0.0.1", ports[0])) {
            assertThatThrownBy(() -> KvHost.start(1, java.util.Set.of(1L), GROUPS, dataDir.resolve("small"),
                    dataDir.resolve("small/node-1"), CONFIG, transport, budget, 1, null))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("node 1 cannot hold 8 groups of " + CONFIG.reservedBytes()
                            + " reserved bytes each in its memory budget of " + budget + " bytes")
                    .hasMessageContaining("raise -Xmx or lower --groups");
        }
        // everything it opened was closed: the same directory starts again, with room this time
        try (io.ringraft.net.netty.NettyTransport transport = KvCluster.newTransport(1, "127.0.0.1", 0);
             KvHost host = KvHost.start(1, java.util.Set.of(1L), GROUPS, dataDir.resolve("small"),
                     dataDir.resolve("small/node-1"), CONFIG, transport, 64L << 20, 1, null)) {
            assertThat(host.nodes()).hasSize(GROUPS);
            assertThat(host.host().status().reservedBytes()).isEqualTo(GROUPS * CONFIG.reservedBytes());
        }
    }

    // ------------------------------------------------------------------ node mode

    @Test
    @Timeout(120)
    void threeNodesWithEightGroupsAndARestartedNode() throws Exception {
        int[] ports = FreePorts.pick(6);
        Map<Long, String> peers = new LinkedHashMap<>();
        for (long id = 1; id <= 3; id++) {
            peers.put(id, "127.0.0.1:" + ports[(int) id - 1]);
        }
        Map<Long, KvNode.Options> options = new LinkedHashMap<>();
        for (long id = 1; id <= 3; id++) {
            options.put(id, new KvNode.Options(id, "127.0.0.1", ports[(int) id - 1], "127.0.0.1", ports[(int) id + 2],
                    peers, peers.keySet(), dataDir.resolve("node-dir-" + id), CONFIG, Duration.ofSeconds(5), null,
                    GROUPS));
            nodes.put(id, KvNode.start(options.get(id)));
        }
        Map<Long, RespTestClient> byNode = new LinkedHashMap<>();
        for (long id = 1; id <= 3; id++) {
            byNode.put(id, connect(nodes.get(id)));
        }
        awaitEveryGroupHasALeader(byNode.values());
        for (int i = 0; i < KEYS; i++) {
            assertThat(call(client(byNode, i), "SET", "key-" + i, "value-" + i)).isEqualTo("OK"); // forwarded
        }
        for (int i = 0; i < KEYS; i++) {
            assertThat(call(client(byNode, i + 1), "GET", "key-" + i)).isEqualTo("value-" + i);
        }
        for (int i = 0; i < KEYS; i += 11) {
            assertOnlyInItsGroup("key-" + i, "value-" + i, nodes.get(2L)::group);
        }
        assertThat(call(byNode.get(3L), "MSET", "key-0", "a", keyInAnotherGroup("key-0"), "b"))
                .isEqualTo(new RespTestClient.Error(RespCommands.CROSSSLOT));

        // node 1 stops and starts again on its directory: it recovers every group and catches up
        clients.remove(byNode.remove(1L));
        nodes.remove(1L).close();
        // (a write forwarded to a stopped leader would be UNCERTAIN: wait until the groups it led moved on)
        for (int g = 1; g <= GROUPS; g++) {
            RaftNode member = nodes.get(2L).group(g);
            await("group " + member.groupId() + " has a leader other than node 1", () -> {
                long leader = member.status().leaderId();
                return leader != 0 && leader != 1;
            });
        }
        for (int i = 0; i < 10; i++) {
            assertThat(call(client(byNode, i), "SET", "while-down-" + i, "w" + i)).isEqualTo("OK");
        }
        nodes.put(1L, KvNode.start(options.get(1L)));
        RespTestClient restarted = connect(nodes.get(1L));
        for (int i = 0; i < KEYS; i++) {
            assertThat(call(restarted, "GET", "key-" + i)).isEqualTo("value-" + i);
        }
        for (int i = 0; i < 10; i++) {
            assertThat(call(restarted, "GET", "while-down-" + i)).isEqualTo("w" + i);
        }
        assertThat(call(restarted, "SET", "from-restarted", "r")).isEqualTo("OK");
        assertThat(call(byNode.get(2L), "GET", "from-restarted")).isEqualTo("r");
        assertThat(fields((String) call(restarted, "INFO", "raft"))).containsEntry("raft_groups_with_leader", "8");

        // a follower of a group names that group's leader for an admin action
        int g = 4;
        long leader = nodes.get(2L).group(g).status().leaderId();
        long follower = leader % 3 + 1;
        RespTestClient viaFollower = follower == 1 ? restarted : byNode.get(follower);
        assertThat(((RespTestClient.Error) call(viaFollower, "RAFT.TRANSFER", Long.toString(follower),
                Integer.toString(g))).message())
                .startsWith("ERR node " + follower + " is not the leader of group 4; send RAFT.TRANSFER to the "
                        + "leader of group 4, node " + leader);
    }

    private RespTestClient connect(KvNode node) throws IOException {
        RespTestClient client = new RespTestClient(node.server().localAddress());
        clients.add(client);
        return client;
    }

    // ------------------------------------------------------------------ helpers

    /** The key is in its group's state machine (a linearizable read of that group) and in no other group's. */
    private static void assertOnlyInItsGroup(String key, String value, java.util.function.IntFunction<RaftNode> group)
            throws Exception {
        int home = KeyGroups.groupOf(bytes(key), GROUPS);
        for (int g = 1; g <= GROUPS; g++) {
            Object found = readRetrying(group.apply(g), KvCodec.get(bytes(key)));
            if (g == home) {
                assertThat(found).as("%s in group %d", key, g).isNotNull();
                assertThat(new String((byte[]) found, StandardCharsets.UTF_8)).isEqualTo(value);
            } else {
                assertThat(found).as("%s in group %d (its group is %d)", key, g, home).isNull();
            }
        }
    }

    private static Object readRetrying(RaftNode node, byte[] query) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            try {
                return node.read(query).get(5, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
        }
    }

    private static void awaitEveryGroupHasALeader(Iterable<RespTestClient> clients) {
        for (RespTestClient client : clients) {
            await("every group has a leader", () ->
                    "8".equals(fields((String) call(client, "INFO", "raft")).get("raft_groups_with_leader")));
        }
    }

    private static String keyInAnotherGroup(String key) {
        int group = KeyGroups.groupOf(bytes(key), GROUPS);
        for (int i = 0; i < KEYS; i++) {
            if (KeyGroups.groupOf(bytes("key-" + i), GROUPS) != group) {
                return "key-" + i;
            }
        }
        throw new AssertionError("every key is in group " + group);
    }

    private static String keyInGroup(int group) {
        for (int i = 0; ; i++) {
            if (KeyGroups.groupOf(bytes("moved-" + i), GROUPS) == group) {
                return "moved-" + i;
            }
        }
    }

    private static RespTestClient client(Map<Long, RespTestClient> byNode, int i) {
        List<RespTestClient> all = new ArrayList<>(byNode.values());
        return all.get(Math.floorMod(i, all.size()));
    }

    private void closeClients() throws IOException {
        for (RespTestClient client : clients) {
            client.close();
        }
        clients.clear();
    }

    private static long crc32(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
