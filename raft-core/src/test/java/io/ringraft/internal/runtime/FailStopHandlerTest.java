package io.ringraft.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.api.FailStopHandler;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftNode;
import io.ringraft.api.RaftStatus;
import io.ringraft.api.Role;
import io.ringraft.local.LocalNetwork;
import io.ringraft.internal.simdisk.SimDisk;
import io.ringraft.internal.simdisk.SimLogStorage;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.agrona.concurrent.Agent;
import org.junit.jupiter.api.Test;

/**
 * Issue 20, "failure is visible": {@link RaftNode.Builder#onFailStop} runs once, on its own thread, when
 * the node fail-stops (the KV example's {@code node} mode ends the process there). Deterministic: the
 * tasks are stepped on the test's thread and the storage's next flush fails.
 */
class FailStopHandlerTest {

    @Test
    void theFailStopHandlerRunsOnceOnItsOwnThreadWhenTheNodeFailStops() throws Exception {
        SimDisk disk = new SimDisk();
        CompletableFuture<RaftStatus> handled = new CompletableFuture<>();
        CompletableFuture<String> thread = new CompletableFuture<>();
        AtomicInteger calls = new AtomicInteger();
        RaftConfig config = RaftConfig.builder().tickMillis(1).heartbeatIntervalMillis(2).electionTimeoutMillis(4)
                .build();
        try (RaftNode node = RaftNode.builder().nodeId(1).voters(1).config(config)
                .stateMachine((entries, results) -> { }).logStorage(new SimLogStorage(disk))
                .transport(new LocalNetwork()).externalScheduling().onFailStop(status -> {
                    calls.incrementAndGet();
                    thread.complete(Thread.currentThread().getName());
                    handled.complete(status);
                }).build()) {
            node.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!node.status().isLeader()) {
                step(node);
                assertThat(System.nanoTime()).as("the node leads").isLessThan(deadline);
            }
            assertThat(handled).as("not while healthy").isNotDone();

            disk.failNextFlush();
            node.propose(new byte[8]);
            for (int i = 0; i < 10; i++) {
                step(node);
            }
            RaftStatus status = handled.get(10, TimeUnit.SECONDS);
            assertThat(status.role()).isEqualTo(Role.FAILED);
            assertThat(status.failure()).isNotNull();
            assertThat(thread.get()).isEqualTo("ringraft-fail-stop-" + node.groupId() + "-1");
            for (int i = 0; i < 5; i++) {
                step(node);
            }
            assertThat(calls.get()).as("called once").isEqualTo(1);
        }
    }

    @Test
    void exitingWithStatusZeroIsRefused() {
        assertThatThrownBy(() -> FailStopHandler.exitProcess(0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static void step(RaftNode node) {
        for (Agent agent : node.agents()) {
            try {
                agent.doWork();
            } catch (Exception e) {
                throw new AssertionError("a task threw", e);
            }
        }
    }
}
