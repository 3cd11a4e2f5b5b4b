package io.ringraft.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Leadership under load with no fault (a soak, off by default): three {@link KvMain} {@code node}
 * processes, {@code redis-benchmark} (8 clients, pipeline 16, SET and GET of 100 bytes, in a loop)
 * against every node's RESP port for {@code -Dringraft.soak.seconds=N} seconds; then every node's log
 * is read for leader changes ("is leader of term") and election rounds with their reasons ("starts a
 * pre-vote", "starts an election"), which the test prints. It fails if leadership changed more than
 * {@code -Dringraft.soak.maxLeaderChanges} times (default 0). {@code -Dringraft.soak.jvm="..."} adds
 * options to the nodes' JVMs (e.g. {@code -Xlog:gc:file=/tmp/gc-%p.log} to tell GC pauses from CPU
 * starvation). Skipped without {@code redis-benchmark} on the PATH.
 */
@EnabledIfSystemProperty(named = "ringraft.soak.seconds", matches = "\\d+")
class LeaderStabilitySoakTest {

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 3, unit = TimeUnit.HOURS)
    void leadershipStaysPutUnderLoadWithoutFaults() throws Exception {
        assumeTrue(onPath("redis-benchmark"), "redis-benchmark is not on the PATH");
        long seconds = Long.getLong("ringraft.soak.seconds");
        int maxChanges = Integer.getInteger("ringraft.soak.maxLeaderChanges", 0);
        String jvm = System.getProperty("ringraft.soak.jvm", "");
        List<String> options = jvm.isBlank() ? List.of() : List.of(jvm.trim().split("\\s+"));
        try (ProxiedKvCluster cluster = new ProxiedKvCluster(dir, 3, options, false)) {
            for (long id : cluster.ids()) {
                cluster.start(id);
            }
            cluster.ids().forEach(cluster::connect);
            long leader = cluster.awaitLeader();
            int before = count(cluster, "is leader of term");
            int roundsBefore = electionLines(cluster).size();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            List<Thread> loaders = new ArrayList<>();
            for (long id : cluster.ids()) {
                int port = cluster.redisPort(id);
                Thread loader = new Thread(() -> load(port, deadline), "load-" + id);
                loader.start();
                loaders.add(loader);
            }
            for (Thread loader : loaders) {
                loader.join();
            }
            int changes = count(cluster, "is leader of term") - before;
            List<String> rounds = electionLines(cluster);
            String report = "under redis-benchmark on every node for " + seconds + " s: " + changes
                    + " leader changes (first leader " + leader + "), " + (rounds.size() - roundsBefore)
                    + " election rounds:\n" + String.join("\n", rounds.subList(roundsBefore, rounds.size()));
            System.out.println(report);
            assertThat(changes).as(report).isLessThanOrEqualTo(maxChanges);
        }
    }

    /** Runs redis-benchmark rounds against {@code port} until {@code deadline}. */
    private static void load(int port, long deadline) {
        try {
            while (System.nanoTime() < deadline) {
                Process bench = new ProcessBuilder("redis-benchmark", "-p", Integer.toString(port), "-n", "200000",
                        "-c", "8", "-P", "16", "-d", "100", "-t", "set,get", "-q", "-r", "100000")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                long left = deadline - System.nanoTime();
                if (!bench.waitFor(Math.max(1, left), TimeUnit.NANOSECONDS)) {
                    bench.destroy();
                    bench.waitFor(10, TimeUnit.SECONDS);
                }
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static int count(ProxiedKvCluster cluster, String text) throws Exception {
        int n = 0;
        for (Path output : cluster.outputFiles()) {
            for (String line : Files.readAllLines(output, StandardCharsets.UTF_8)) {
                if (line.contains(text)) {
                    n++;
                }
            }
        }
        return n;
    }

    private static List<String> electionLines(ProxiedKvCluster cluster) throws Exception {
        List<String> lines = new ArrayList<>();
        for (Path output : cluster.outputFiles()) {
            for (String line : Files.readAllLines(output, StandardCharsets.UTF_8)) {
                if (line.contains("starts a pre-vote") || line.contains("starts an election")
                        || line.contains("stepped down")) {
                    lines.add(line);
                }
            }
        }
        return lines;
    }

    private static boolean onPath(String command) {
        for (String directory : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(directory, command))) {
                return true;
            }
        }
        return false;
    }
}
