package io.ringraft.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.examples.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code node} mode end to end: three {@link KvMain} {@code node} processes (each its own JVM,
 * its own data directory), driven over RESP. A write through a follower is forwarded to the leader
 * and readable from another node; after the leader's process is killed every acknowledged write is
 * readable from the survivors; the killed node, started again on its data directory, rejoins and
 * catches up; SIGTERM stops a node cleanly. The nodes' {@code --peers} lists differ (one names its
 * peers by host name). A second scenario changes the membership: a fourth node, started outside the
 * initial {@code --voters}, is added as a learner, catches up, is promoted and removed again. The
 * processes' output goes to files under the test's temporary directory and is appended to any failure.
 */
class KvNodeProcessesTest {

    private static final long DEADLINE_SECONDS = 15;

    @TempDir
    Path dir;

    private final Map<Long, Process> processes = new LinkedHashMap<>();
    private final List<Path> outputs = new ArrayList<>();
    /** Each node's current process's output. */
    private final Map<Long, Path> output = new LinkedHashMap<>();
    private final Map<Long, RespTestClient> clients = new LinkedHashMap<>();
    private final Map<Long, Integer> raftPorts = new LinkedHashMap<>();
    private final Map<Long, Integer> redisPorts = new LinkedHashMap<>();
    /** The {@code --voters} flag's value every node gets, or null for none (every peer votes). */
    private String voters;
    /** The {@code --groups} flag's value every node gets, or null for none (one group). */
    private String groups;

    @AfterEach
    void stop() throws InterruptedException {
        for (RespTestClient client : clients.values()) {
            try {
                client.close();
            } catch (IOException ignored) {
                // the test is over
            }
        }
        for (Process process : processes.values()) {
            process.destroyForcibly();
        }
        for (Process process : processes.values()) {
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    @Timeout(90)
    void threeNodeProcessesSurviveTheLeadersDeathAndARestart() throws Throwable {
        withOutputs(this::scenario);
    }

    @Test
    @Timeout(90)
    void aFourthNodeJoinsAsLearnerIsPromotedAndRemoved() throws Throwable {
        withOutputs(this::membershipScenario);
    }

    @Test
    @Timeout(90)
    void threeNodeProcessesWithFourGroupsSurviveAKillAndARestart() throws Throwable {
        withOutputs(this::groupsScenario);
    }

    private interface Scenario {
        void run() throws Exception;
    }

    private void withOutputs(Scenario scenario) throws Throwable {
        try {
            scenario.run();
        } catch (Throwable failure) {
            failure.addSuppressed(new AssertionError("output of the node processes:\n" + outputsText()));
            throw failure;
        }
    }

    /** Ports for nodes 1..n. */
    private void allocatePorts(int n) throws IOException {
        int[] ports = FreePorts.pick(2 * n);
        for (long id = 1; id <= n; id++) {
            raftPorts.put(id, ports[(int) id - 1]);
            redisPorts.put(id, ports[(int) id - 1 + n]);
        }
    }

    private void scenario() throws Exception {
        allocatePorts(3);
        for (long id = 1; id <= 3; id++) {
            startNode(id);
        }
        for (long id = 1; id <= 3; id++) {
            connect(id);
        }
        long leader = awaitLeader(List.of(1L, 2L, 3L));
        long follower = leader % 3 + 1;
        long other = follower % 3 + 1;

        // a follower forwards the write to the leader; it is readable at once through another follower
        assertThat(write(follower, "SET", "k", "v")).isEqualTo("OK");
        assertThat(read(other, "GET", "k")).isEqualTo("v");
        assertThat(read(leader, "GET", "k")).isEqualTo("v");
        assertThat(write(other, "CAS", "k", "v", "w")).isEqualTo(1L);
        assertThat(read(follower, "GET", "k")).isEqualTo("w"); // the forwarding node applied it before replying

        // a pipelined batch through a follower: forwarded in order, each GET sees the INCR before it
        RespTestClient pipelined = clients.get(follower);
        for (int i = 0; i < 100; i++) {
            pipelined.send("INCR", "p");
            pipelined.send("GET", "p");
        }
        for (int i = 1; i <= 100; i++) {
            assertThat(pipelined.read()).as("INCR #%d", i).isEqualTo((long) i);
            assertThat(pipelined.read()).as("GET #%d", i).isEqualTo(Integer.toString(i));
        }

        // RAFT.TRANSFER only on the leader: a follower names it
        Object transfer = clients.get(follower).call("RAFT.TRANSFER", Long.toString(other));
        assertThat(transfer).isInstanceOf(RespTestClient.Error.class);
        assertThat(((RespTestClient.Error) transfer).message())
                .startsWith("ERR node " + follower + " is not the leader")
                .contains("node " + leader + " (raft " + peerHost(follower) + ":" + raftPorts.get(leader) + ")");

        List<String> acknowledged = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            assertThat(write(i % 3 + 1, "SET", "ack-" + i, "value-" + i)).isEqualTo("OK");
            acknowledged.add("ack-" + i);
        }

        // kill the leader's process
        clients.remove(leader).close();
        Process killed = processes.remove(leader);
        killed.destroyForcibly();
        assertThat(killed.waitFor(10, TimeUnit.SECONDS)).isTrue();
        List<Long> survivors = List.of(follower, other);
        long newLeader = awaitLeader(survivors);
        for (long id : survivors) {
            for (int i = 0; i < acknowledged.size(); i++) {
                assertThat(read(id, "GET", acknowledged.get(i))).as("node %d", id).isEqualTo("value-" + i);
            }
            assertThat(read(id, "GET", "k")).isEqualTo("w");
            assertThat(read(id, "GET", "p")).isEqualTo("100");
        }
        long survivingFollower = newLeader == follower ? other : follower;
        assertThat(write(survivingFollower, "INCR", "p")).isEqualTo(101L); // forwarded to the new leader
        assertThat(write(newLeader, "SET", "last", "x")).isEqualTo("OK");

        // the killed node starts again on its data directory, rejoins and catches up
        startNode(leader);
        connect(leader);
        assertThat(read(leader, "GET", "last")).isEqualTo("x");
        assertThat(read(leader, "GET", "p")).isEqualTo("101");
        assertThat(read(leader, "GET", "ack-29")).isEqualTo("value-29");
        assertThat(write(leader, "SET", "rejoined", "yes")).isEqualTo("OK");
        assertThat(read(survivingFollower, "GET", "rejoined")).isEqualTo("yes");
        String status = (String) clients.get(leader).call("RAFT.STATUS");
        assertThat(status).contains("raft_node_id:" + leader, "raft_leader_id:");

        // SIGTERM: the shutdown hook closes the node
        Process restarted = processes.get(leader);
        restarted.destroy();
        assertThat(restarted.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(output.get(leader))).contains("node " + leader + " stopped");
    }

    /**
     * {@code --groups 4}: keys spread over four groups, each with its own leader; after node 1's process
     * is killed every group has a leader among the survivors and every acknowledged write is readable;
     * node 1 restarted on its data directory recovers its four groups from its shared log.
     */
    private void groupsScenario() throws Exception {
        groups = "4";
        allocatePorts(3);
        for (long id = 1; id <= 3; id++) {
            startNode(id);
        }
        for (long id = 1; id <= 3; id++) {
            connect(id);
        }
        awaitGroupLeaders(List.of(1L, 2L, 3L));
        int keys = 40;
        for (int i = 0; i < keys; i++) {
            assertThat(write(i % 3 + 1, "SET", "g-" + i, "v" + i)).isEqualTo("OK");
        }
        assertThat(read(2, "DBSIZE")).isEqualTo((long) keys);
        Object crossGroups = read(3, "MGET", "g-0", "g-1", "g-2", "g-3");
        assertThat(crossGroups).isInstanceOf(RespTestClient.Error.class);
        assertThat(((RespTestClient.Error) crossGroups).message()).startsWith("CROSSSLOT");
        String info = (String) clients.get(1L).call("INFO");
        assertThat(info).contains("ringraft_groups:4", "raft_groups:4", "raft_host_groups:4", "raft_group_4:role=");

        clients.remove(1L).close();
        Process killed = processes.remove(1L);
        killed.destroyForcibly();
        assertThat(killed.waitFor(10, TimeUnit.SECONDS)).isTrue();
        awaitGroupLeaders(List.of(2L, 3L));
        for (int i = 0; i < keys; i++) {
            assertThat(read(i % 2 + 2, "GET", "g-" + i)).isEqualTo("v" + i);
        }
        assertThat(write(2, "SET", "while-down", "w")).isEqualTo("OK");

        startNode(1);
        connect(1);
        for (int i = 0; i < keys; i++) {
            assertThat(read(1, "GET", "g-" + i)).isEqualTo("v" + i);
        }
        assertThat(read(1, "GET", "while-down")).isEqualTo("w");
        assertThat(write(1, "SET", "back", "b")).isEqualTo("OK");
        assertThat(read(3, "GET", "back")).isEqualTo("b");
    }

    /** Until every group has, at each of {@code candidates}, the same leader, one of the candidates. */
    private void awaitGroupLeaders(List<Long> candidates) {
        await("every group has a leader among " + candidates, () -> {
            Map<String, String> agreed = new LinkedHashMap<>();
            for (long id : candidates) {
                String status;
                try {
                    status = (String) clients.get(id).call("RAFT.STATUS");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                for (int g = 1; g <= Integer.parseInt(groups); g++) {
                    String line = field(status, "raft_group_" + g);
                    String leader = line.replaceAll(".*leader_id=(\\d+).*", "$1");
                    if (!candidates.contains(Long.parseLong(leader))
                            || !leader.equals(agreed.getOrDefault("g" + g, leader))) {
                        return null;
                    }
                    agreed.put("g" + g, leader);
                }
            }
            return Boolean.TRUE;
        });
    }

    /**
     * Nodes 1..4 all list 1..4 in {@code --peers} and start with {@code --voters 1,2,3}: node 4 is no
     * member until the leader adds it.
     */
    private void membershipScenario() throws Exception {
        allocatePorts(4);
        voters = "1,2,3";
        for (long id = 1; id <= 4; id++) {
            startNode(id);
        }
        for (long id = 1; id <= 4; id++) {
            connect(id);
        }
        long leader = awaitLeader(List.of(1L, 2L, 3L));
        long follower = leader % 3 + 1;
        assertThat(membership(leader)).isEqualTo("voters 1,2,3 learners  changing 0");
        assertThat(field(status(4), "raft_role")).isEqualTo("follower");
        assertThat(field(status(4), "raft_leader_id")).isEqualTo("0"); // nobody talks to a non-member

        for (int i = 0; i < 20; i++) {
            assertThat(write(i % 3 + 1, "SET", "before-" + i, "v" + i)).isEqualTo("OK");
        }

        // admin commands run on the leader only: a follower names it
        Object notHere = clients.get(follower).call("RAFT.ADDLEARNER", "4");
        assertThat(notHere).isInstanceOf(RespTestClient.Error.class);
        assertThat(((RespTestClient.Error) notHere).message())
                .startsWith("ERR node " + follower + " is not the leader; send RAFT.ADDLEARNER")
                .contains("node " + leader + " (raft " + peerHost(follower) + ":" + raftPorts.get(leader) + ")");
        // requests that do not fit the membership, or name a node without an address
        assertThat(error(leader, "RAFT.PROMOTE", "4")).startsWith("ERR node 4 is not a learner");
        assertThat(error(leader, "RAFT.REMOVE", "4")).startsWith("ERR node 4 is not a member");
        assertThat(error(leader, "RAFT.ADDLEARNER", Long.toString(follower)))
                .isEqualTo("ERR node " + follower + " is already a voter");
        assertThat(error(leader, "RAFT.ADDLEARNER", "5")).startsWith("ERR node 5 has no Raft address");

        // node 4 joins as a learner and catches up: it serves a read of an earlier write
        assertThat(write(leader, "RAFT.ADDLEARNER", "4")).isEqualTo("OK");
        assertThat(membership(leader)).isEqualTo("voters 1,2,3 learners 4 changing 0");
        assertThat(read(4, "GET", "before-7")).isEqualTo("v7");
        assertThat(read(4, "GET", "before-19")).isEqualTo("v19");
        assertThat(error(leader, "RAFT.ADDLEARNER", "4")).isEqualTo("ERR node 4 is already a learner");

        // promoted, it votes: 4 voters everywhere, and it takes writes (forwarded to the leader)
        assertThat(write(leader, "RAFT.PROMOTE", "4")).isEqualTo("OK");
        assertThat(membership(leader)).isEqualTo("voters 1,2,3,4 learners  changing 0");
        for (long id = 1; id <= 4; id++) {
            long node = id;
            await("node " + node + " sees 4 voters", () -> membership(node).startsWith("voters 1,2,3,4 learners  ")
                    ? Boolean.TRUE : null);
        }
        String info = (String) clients.get(4L).call("INFO", "raft");
        assertThat(info).contains("raft_voters:1,2,3,4\r\n", "raft_learners:\r\n");
        assertThat(write(4, "SET", "from-4", "x")).isEqualTo("OK");
        assertThat(read(follower, "GET", "from-4")).isEqualTo("x");

        // removed again: 3 voters
        assertThat(write(leader, "RAFT.REMOVE", "4")).isEqualTo("OK");
        assertThat(membership(leader)).isEqualTo("voters 1,2,3 learners  changing 0");
        for (long id = 1; id <= 3; id++) {
            long node = id;
            await("node " + node + " sees 3 voters", () -> membership(node).startsWith("voters 1,2,3 learners  ")
                    ? Boolean.TRUE : null);
        }
        assertThat(error(leader, "RAFT.REMOVE", "4")).startsWith("ERR node 4 is not a member");
        assertThat(write(follower, "SET", "after", "y")).isEqualTo("OK"); // the three carry on
        assertThat(read(leader, "GET", "after")).isEqualTo("y");
    }

    private String status(long id) {
        try {
            return (String) clients.get(id).call("RAFT.STATUS");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Node {@code id}'s membership from RAFT.STATUS: {@code voters V learners L changing C}. */
    private String membership(long id) {
        String status = status(id);
        return "voters " + field(status, "raft_voters") + " learners " + field(status, "raft_learners")
                + " changing " + field(status, "raft_membership_changing");
    }

    /** An error reply at node {@code id} (retried while TRYAGAIN), its text. */
    private String error(long id, String... command) {
        Object reply = retryingTryAgain(id, command);
        assertThat(reply).as("%s at node %d", Arrays.toString(command), id).isInstanceOf(RespTestClient.Error.class);
        return ((RespTestClient.Error) reply).message();
    }

    // ------------------------------------------------------------------ processes

    /**
     * The host by which node {@code id} dials its peers: nodes' {@code --peers} lists may differ
     * (node 3 names everyone "localhost"), since peers know each other by id, not by address.
     */
    private static String peerHost(long id) {
        return id == 3 ? "localhost" : "127.0.0.1";
    }

    private void startNode(long id) throws IOException {
        String peers = raftPorts.entrySet().stream().map(e -> e.getKey() + "=" + peerHost(id) + ":" + e.getValue())
                .collect(Collectors.joining(","));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=info", // the test-jar's simplelogger.properties says warn
                "-cp", System.getProperty("java.class.path"),
                KvMain.class.getName(), "node",
                "--id", Long.toString(id),
                "--raft", "127.0.0.1:" + raftPorts.get(id),
                "--redis", "127.0.0.1:" + redisPorts.get(id),
                "--peers", peers,
                "--data-dir", dir.resolve("data-" + id).toString()));
        if (voters != null) {
            command.addAll(List.of("--voters", voters));
        }
        if (groups != null) {
            command.addAll(List.of("--groups", groups));
        }
        Path file = dir.resolve("node-" + id + "-run-" + (outputs.size() + 1) + ".log");
        outputs.add(file);
        output.put(id, file);
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(file.toFile()).start();
        processes.put(id, process);
    }

    /** Connects to node {@code id}'s Redis port once it answers PING (its output line printed). */
    private void connect(long id) {
        Process process = processes.get(id);
        RespTestClient client = await("node " + id + " answers PING", () -> {
            assertThat(process.isAlive()).as("node %d's process is alive", id).isTrue();
            RespTestClient candidate;
            try {
                candidate = new RespTestClient(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                        redisPorts.get(id)));
            } catch (IOException e) {
                return null; // not listening yet
            }
            try {
                if ("PONG".equals(candidate.call("PING"))) {
                    return candidate;
                }
            } catch (IOException ignored) {
                // fall through
            }
            closeQuietly(candidate);
            return null;
        });
        clients.put(id, client);
        String line = "node " + id + "  raft 127.0.0.1:" + raftPorts.get(id) + "  redis 127.0.0.1:" + redisPorts.get(id)
                + "  data-dir " + dir.resolve("data-" + id).toAbsolutePath();
        await("node " + id + " printed its line", () -> outputText(output.get(id)).contains(line)
                ? Boolean.TRUE : null);
    }

    /** The node all {@code candidates} agree leads, and which says it leads. */
    private long awaitLeader(List<Long> candidates) {
        return await("a leader all of " + candidates + " know", () -> {
            long agreed = -1;
            for (long id : candidates) {
                String status;
                try {
                    status = (String) clients.get(id).call("RAFT.STATUS");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                long leader = Long.parseLong(field(status, "raft_leader_id"));
                if (leader == 0 || (agreed != -1 && leader != agreed)) {
                    return null;
                }
                agreed = leader;
            }
            if (!candidates.contains(agreed)) {
                return null;
            }
            try {
                String status = (String) clients.get(agreed).call("RAFT.STATUS");
                return field(status, "raft_role").equals("leader") ? agreed : null;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static String field(String status, String name) {
        return status.lines().filter(line -> line.startsWith(name + ":")).findFirst()
                .map(line -> line.substring(name.length() + 1)).orElseThrow();
    }

    // ------------------------------------------------------------------ commands

    /** A write, retried while answered TRYAGAIN (it then certainly had no effect); UNCERTAIN fails the test. */
    private Object write(long id, String... command) {
        return retryingTryAgain(id, command);
    }

    /** A read, retried while answered TRYAGAIN. */
    private Object read(long id, String... command) {
        return retryingTryAgain(id, command);
    }

    private Object retryingTryAgain(long id, String... command) {
        RespTestClient client = clients.get(id);
        Object[] last = new Object[1];
        Object reply = await(() -> Arrays.toString(command) + " at node " + id + " answers other than TRYAGAIN"
                + " (last: " + last[0] + ")", () -> {
            Object answer;
            try {
                answer = client.call(command);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            last[0] = answer;
            if (answer instanceof RespTestClient.Error error && error.message().startsWith("TRYAGAIN")) {
                return null;
            }
            assertThat(answer instanceof RespTestClient.Error error && error.message().startsWith("UNCERTAIN"))
                    .as("%s at node %d answered %s", Arrays.toString(command), id, answer).isFalse();
            return answer == null ? NIL : answer;
        });
        return reply == NIL ? null : reply;
    }

    private static final Object NIL = new Object();

    // ------------------------------------------------------------------ helpers

    /** Polls {@code probe} (a little apart) until it returns non-null, for at most {@link #DEADLINE_SECONDS}. */
    private static <T> T await(String what, Supplier<T> probe) {
        return await(() -> what, probe);
    }

    private static <T> T await(Supplier<String> what, Supplier<T> probe) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
        while (true) {
            T value = probe.get();
            if (value != null) {
                return value;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + DEADLINE_SECONDS + " s waiting until " + what.get());
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting until " + what.get(), e);
            }
        }
    }

    private String outputsText() {
        StringBuilder text = new StringBuilder();
        for (Path output : outputs) {
            text.append("----- ").append(output.getFileName()).append('\n').append(outputText(output));
        }
        return text.toString();
    }

    private static String outputText(Path output) {
        try {
            return Files.exists(output) ? Files.readString(output, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(cannot read " + output + ": " + e + ")";
        }
    }

    private static void closeQuietly(RespTestClient client) {
        try {
            client.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
