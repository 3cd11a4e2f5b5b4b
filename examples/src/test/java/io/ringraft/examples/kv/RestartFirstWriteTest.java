package io.ringraft.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restarts of real processes: three {@link KvMain} {@code node} processes (through open
 * {@link LinkProxy}s); in each round one node's process is killed (kill -9), a follower's in even
 * rounds and the leader's in odd ones, started again on its data directory, and written through as
 * soon as its RESP port accepts connections, until a write answers OK. That first write must succeed
 * within {@link #BOUND_MILLIS} of the port opening. Then two of the three are killed and restarted
 * together (a majority restart): each must serve a write within the bound of its port opening too.
 *
 * <p>Default: one round of each kind. As a benchmark: {@code -Dringraft.restart.rounds=20}; the table
 * of port-open-to-first-write times (median, max) is printed; {@code -Dringraft.restart.bound=...}
 * changes the asserted bound (ms; default 2000, the target is 1 s: see {@link PartitionHealTest}).
 */
class RestartFirstWriteTest {

    static final long BOUND_MILLIS = Long.getLong("ringraft.restart.bound", 2000);

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 3, unit = TimeUnit.HOURS)
    void aRestartedNodeServesAWriteSoonAfterItsPortOpens() throws Exception {
        int rounds = Integer.getInteger("ringraft.restart.rounds", 1);
        Map<String, List<Long>> times = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        String logDir = System.getProperty("ringraft.restart.logDir");
        Path base = logDir == null ? dir : java.nio.file.Files.createDirectories(Path.of(logDir));
        try (ProxiedKvCluster cluster = new ProxiedKvCluster(base, 3, List.of())) {
            for (long id : cluster.ids()) {
                cluster.start(id);
            }
            try {
                cluster.ids().forEach(cluster::connect);
                for (int round = 0; round < rounds; round++) {
                    for (String kind : List.of("follower", "leader", "majority")) {
                        long leader = cluster.awaitLeader();
                        List<Long> victims = new ArrayList<>();
                        switch (kind) {
                            case "follower" -> victims.add(leader % 3 + 1);
                            case "leader" -> victims.add(leader);
                            default -> {
                                victims.add(leader);
                                victims.add(leader % 3 + 1);
                            }
                        }
                        for (long id : victims) {
                            assertThat(cluster.firstWrite(id, "before-" + round + "-" + kind, 30_000)).isPositive();
                        }
                        for (long id : victims) {
                            cluster.kill(id);
                        }
                        for (long id : victims) {
                            cluster.start(id);
                        }
                        for (long id : victims) {
                            long open = cluster.awaitPortOpen(id);
                            long wrote = cluster.firstWrite(id, "after-" + round + "-" + kind + "-" + id, 30_000);
                            long millis = TimeUnit.NANOSECONDS.toMillis(wrote - open);
                            String what = kind + " restart round " + round + ": node " + id;
                            System.out.println(java.time.LocalTime.now() + " " + what + " wrote " + millis
                                    + " ms after its port opened");
                            times.computeIfAbsent(kind, k -> new ArrayList<>()).add(millis);
                            if (millis > BOUND_MILLIS) {
                                failures.add(what + " first wrote " + millis + " ms after its port opened");
                            }
                        }
                    }
                }
            } catch (Throwable failure) {
                failure.addSuppressed(new AssertionError("output of the node processes:\n" + cluster.outputs()));
                throw failure;
            }
            StringBuilder table = new StringBuilder("port open to first write after a kill -9 and restart (ms)\n"
                    + "| restarted | restarts | median | max |\n|---|---|---|---|\n");
            times.forEach((kind, values) -> {
                long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
                table.append("| ").append(kind).append(" | ").append(sorted.length).append(" | ")
                        .append(sorted[sorted.length / 2]).append(" | ").append(sorted[sorted.length - 1]).append(" |\n");
            });
            System.out.println(table);
            assertThat(failures).as("restarts slower than %d ms; %s", BOUND_MILLIS, table).isEmpty();
        }
    }
}
