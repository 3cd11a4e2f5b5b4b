package io.ringraft.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftNode;
import io.ringraft.internal.runtime.tasks.CoreTask;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.local.LocalNetwork;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A leader that steps down says so once, at INFO, with the term it led and why (it used to step down
 * silently). The tests log at WARN (simplelogger.properties); this one raises the core's logger to INFO
 * for its duration (slf4j-simple keeps the level in a field of the logger, and the core's logger is the
 * one instance per class name) and reads what slf4j-simple writes to {@code System.err}.
 */
class StepDownLogTest {

    @Test
    void anIsolatedLeaderLogsItsStepDownOnceAtInfoWithTermAndReason() throws Exception {
        RaftConfig config = RaftConfig.builder().tickMillis(5).heartbeatIntervalMillis(20).electionTimeoutMillis(150)
                .ringCapacityEntries(1024).ringCapacityBytes(1 << 20).maxEntryBytes(4096).proposalQueueBytes(1 << 16)
                .build();
        LocalNetwork network = new LocalNetwork();
        List<RaftNode> nodes = new ArrayList<>();
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        Logger coreLog = LoggerFactory.getLogger(CoreTask.class);
        Field level = coreLog.getClass().getDeclaredField("currentLogLevel");
        level.setAccessible(true);
        int originalLevel = level.getInt(coreLog);
        try {
            for (long id = 1; id <= 3; id++) {
                nodes.add(RaftNode.builder().nodeId(id).voters(1, 2, 3).config(config).stateMachine((e, r) -> { })
                        .logStorage(new InMemoryLogStorage()).transport(network).randomSeed(id).build());
            }
            nodes.forEach(RaftNode::start);
            RaftNode[] leader = new RaftNode[1];
            await("a leader is elected", () -> (leader[0] = nodes.stream().filter(n -> n.status().isLeader())
                    .findFirst().orElse(null)) != null);
            long term = leader[0].status().term();
            level.setInt(coreLog, 20); // slf4j-simple's LOG_LEVEL_INFO
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            assertThat(coreLog.isInfoEnabled()).isTrue();

            network.isolate(1, leader[0].nodeId());
            await("the isolated leader stepped down", () -> !leader[0].status().isLeader());
            // A follower's own election lines may follow; the old leader logs nothing more about leading.
            await("the others elected a new leader", () -> nodes.stream()
                    .anyMatch(n -> n != leader[0] && n.status().isLeader()));
            System.setErr(original);

            String prefix = "node " + leader[0].nodeId() + " of group 1 stepped down as leader of term " + term;
            List<String> lines = Arrays.stream(captured.toString(StandardCharsets.UTF_8).split("\n"))
                    .filter(line -> line.contains("stepped down")).toList();
            assertThat(lines).as("step-down lines in %s", captured).hasSize(1);
            assertThat(lines.get(0)).contains("INFO").contains(prefix)
                    .contains("heard from no quorum within an election timeout (check-quorum)")
                    .contains("now FOLLOWER in term " + term);
        } finally {
            System.setErr(original);
            level.setInt(coreLog, originalLevel);
            nodes.forEach(RaftNode::close);
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }
}
