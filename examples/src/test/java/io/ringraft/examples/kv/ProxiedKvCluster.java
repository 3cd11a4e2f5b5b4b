package io.ringraft.examples.kv;

import io.ringraft.examples.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * {@code n} {@link KvMain} {@code node} processes whose Raft connections all run through
 * {@link LinkProxy}s the test controls: node A's {@code --peers} names, for every other node B, the
 * port of the proxy of the directed link A to B (A's outgoing connection to B carries every message
 * A sends B; B answers over its own link B to A). Partitions are then sets of directed links put into
 * {@link LinkProxy.Mode#CUT} or {@link LinkProxy.Mode#BLACK_HOLE}. Each process's output goes to a
 * file (timestamped log lines) that {@link #outputs()} collects for a failure message. Test code only.
 */
final class ProxiedKvCluster implements AutoCloseable {

    static final long DEADLINE_SECONDS = 20;

    private final Path dir;
    private final int size;
    private final List<String> jvmOptions;
    private final Map<Long, Integer> raftPorts = new LinkedHashMap<>();
    private final Map<Long, Integer> redisPorts = new LinkedHashMap<>();
    /** Proxy of the link from {@code from} to {@code to}, keyed {@code from * 100 + to}. */
    private final Map<Long, LinkProxy> links = new LinkedHashMap<>();
    private final Map<Long, Process> processes = new LinkedHashMap<>();
    private final Map<Long, RespTestClient> clients = new LinkedHashMap<>();
    private final List<Path> outputs = new ArrayList<>();
    /** Data directories other than {@code dir/data-<id>}. */
    private final Map<Long, Path> dataDirs = new LinkedHashMap<>();
    /** Options added to every {@code node} command line (such as {@code --groups 4}). */
    private List<String> nodeArgs = List.of();

    ProxiedKvCluster(Path dir, int size, List<String> jvmOptions) throws IOException {
        this(dir, size, jvmOptions, true);
    }

    /** @param proxied false: the nodes dial each other directly (no {@link LinkProxy}, no partitions) */
    ProxiedKvCluster(Path dir, int size, List<String> jvmOptions, boolean proxied) throws IOException {
        this.dir = dir;
        this.size = size;
        this.jvmOptions = List.copyOf(jvmOptions);
        int[] ports = FreePorts.pick(2 * size);
        for (long id = 1; id <= size; id++) {
            raftPorts.put(id, ports[(int) id - 1]);
            redisPorts.put(id, ports[(int) id - 1 + size]);
        }
        for (long from = 1; from <= size && proxied; from++) {
            for (long to = 1; to <= size; to++) {
                if (from != to) {
                    links.put(from * 100 + to, new LinkProxy(from + "-" + to, raftPorts.get(to)));
                }
            }
        }
    }

    List<Long> ids() {
        List<Long> ids = new ArrayList<>();
        for (long id = 1; id <= size; id++) {
            ids.add(id);
        }
        return ids;
    }

    LinkProxy link(long from, long to) {
        return links.get(from * 100 + to);
    }

    /** Node {@code id} keeps its data in {@code dataDir} (from its next start on). */
    void dataDir(long id, Path dataDir) {
        dataDirs.put(id, dataDir);
    }

    /** Every node started from now on gets {@code args} on its {@code node} command line too. */
    void nodeArgs(String... args) {
        nodeArgs = List.of(args);
    }

    /** Every link back to {@link LinkProxy.Mode#OPEN}. */
    void healAll() {
        links.values().forEach(link -> link.mode(LinkProxy.Mode.OPEN));
    }

    /** Starts node {@code id}'s process (again, on the same data directory, after {@link #kill}). */
    void start(long id) throws IOException {
        StringBuilder peers = new StringBuilder();
        for (long peer = 1; peer <= size; peer++) {
            int port = peer == id || links.isEmpty() ? raftPorts.get(peer) : link(id, peer).port();
            peers.append(peers.length() == 0 ? "" : ",").append(peer).append("=127.0.0.1:").append(port);
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=info"));
        command.addAll(jvmOptions);
        command.addAll(List.of(
                "-cp", System.getProperty("java.class.path"),
                KvMain.class.getName(), "node",
                "--id", Long.toString(id),
                "--raft", "127.0.0.1:" + raftPorts.get(id),
                "--redis", "127.0.0.1:" + redisPorts.get(id),
                "--peers", peers.toString(),
                "--data-dir", dataDirs.getOrDefault(id, dir.resolve("data-" + id)).toString()));
        command.addAll(nodeArgs);
        Path file = dir.resolve("node-" + id + "-run-" + (outputs.size() + 1) + ".log");
        outputs.add(file);
        processes.put(id, new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(file.toFile()).start());
    }

    /** Whether node {@code id}'s process runs. */
    boolean alive(long id) {
        Process process = processes.get(id);
        return process != null && process.isAlive();
    }

    /** Waits up to {@code millis} for node {@code id}'s process to end by itself; returns its exit status. */
    int awaitExit(long id, long millis) throws InterruptedException {
        Process process = processes.get(id);
        if (!process.waitFor(millis, TimeUnit.MILLISECONDS)) {
            throw new AssertionError("node " + id + "'s process still runs after " + millis + " ms");
        }
        RespTestClient client = clients.remove(id);
        if (client != null) {
            closeQuietly(client);
        }
        processes.remove(id);
        return process.exitValue();
    }

    /** kill -9 of node {@code id}'s process; waits until it is gone. */
    void kill(long id) throws InterruptedException {
        RespTestClient client = clients.remove(id);
        if (client != null) {
            closeQuietly(client);
        }
        Process process = processes.remove(id);
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new AssertionError("node " + id + " did not die");
        }
    }

    /** Polls node {@code id}'s Redis port until it accepts a connection; returns the instant (nanoTime). */
    long awaitPortOpen(long id) {
        return await("node " + id + " listens for Redis", () -> {
            assertAlive(id);
            try (java.net.Socket socket = new java.net.Socket()) {
                socket.connect(redisAddress(id), 200);
                return System.nanoTime();
            } catch (IOException e) {
                return null;
            }
        });
    }

    /** A client of node {@code id} once it answers PING (kept for {@link #client}). */
    RespTestClient connect(long id) {
        RespTestClient client = await("node " + id + " answers PING", () -> {
            assertAlive(id);
            RespTestClient candidate;
            try {
                candidate = new RespTestClient(redisAddress(id));
            } catch (IOException e) {
                return null;
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
        return client;
    }

    RespTestClient client(long id) {
        RespTestClient client = clients.get(id);
        return client != null ? client : connect(id);
    }

    int redisPort(long id) {
        return redisPorts.get(id);
    }

    /** The current output files (one per process start), oldest first. */
    List<Path> outputFiles() {
        return List.copyOf(outputs);
    }

    private InetSocketAddress redisAddress(long id) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), redisPorts.get(id));
    }

    private void assertAlive(long id) {
        if (!processes.get(id).isAlive()) {
            throw new AssertionError("node " + id + "'s process exited");
        }
    }

    /** The node every one of {@link #ids()} names as leader, once they agree and it says it leads. */
    long awaitLeader() {
        return await("a leader every node knows", () -> {
            long agreed = -1;
            for (long id : ids()) {
                long leader = Long.parseLong(field(status(id), "raft_leader_id"));
                if (leader == 0 || (agreed != -1 && leader != agreed)) {
                    return null;
                }
                agreed = leader;
            }
            return field(status(agreed), "raft_role").equals("leader") ? agreed : null;
        });
    }

    String status(long id) {
        try {
            return (String) client(id).call("RAFT.STATUS");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String field(String status, String name) {
        return status.lines().filter(line -> line.startsWith(name + ":")).findFirst()
                .map(line -> line.substring(name.length() + 1)).orElseThrow();
    }

    /**
     * Writes {@code SET key value} through node {@code id} until one answers OK (every other answer,
     * -TRYAGAIN or -UNCERTAIN, is retried), on a client of its own; returns when it did, in nanoTime.
     *
     * @throws AssertionError if none succeeds within {@code timeoutMillis}
     */
    long firstWrite(long id, String key, long timeoutMillis) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        Object last = null;
        int attempt = 0;
        try (RespTestClient client = new RespTestClient(redisAddress(id))) {
            while (System.nanoTime() < deadline) {
                last = client.call("SET", key, "v" + attempt++);
                if ("OK".equals(last)) {
                    return System.nanoTime();
                }
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
        }
        throw new AssertionError("no write through node " + id + " succeeded within " + timeoutMillis + " ms (last: "
                + last + ")");
    }

    String outputs() {
        StringBuilder text = new StringBuilder();
        for (Path output : outputs) {
            text.append("----- ").append(output.getFileName()).append('\n');
            try {
                text.append(Files.exists(output) ? Files.readString(output, StandardCharsets.UTF_8) : "");
            } catch (IOException e) {
                text.append("(cannot read: ").append(e).append(")\n");
            }
        }
        return text.toString();
    }

    @Override
    public void close() throws InterruptedException {
        clients.values().forEach(ProxiedKvCluster::closeQuietly);
        processes.values().forEach(Process::destroyForcibly);
        for (Process process : processes.values()) {
            process.waitFor(10, TimeUnit.SECONDS);
        }
        links.values().forEach(LinkProxy::close);
    }

    static <T> T await(String what, Supplier<T> probe) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
        while (true) {
            T value = probe.get();
            if (value != null) {
                return value;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + DEADLINE_SECONDS + " s waiting until " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting until " + what, e);
            }
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // nothing to do
        }
    }
}
