package io.ringraft.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftNode;
import io.ringraft.api.RaftStatus;
import io.ringraft.api.Role;
import io.ringraft.local.LocalNetwork;
import io.ringraft.internal.simdisk.SimDisk;
import io.ringraft.internal.simdisk.SimLogStorage;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.Agent;
import org.junit.jupiter.api.Test;

/**
 * A node that fail-stopped says so: its status reports {@link Role#FAILED} (it used to report
 * {@code FOLLOWER}, as if it were healthy), with the failure, and the state listener hears of it once, on
 * the core thread. Deterministic: the tasks are stepped on the test's thread and the storage's next flush
 * fails.
 */
class FailStopStatusTest {

    @Test
    void aFailStoppedNodeReportsRoleFailedAndTellsTheStateListenerOnce() {
        SimDisk disk = new SimDisk();
        List<RaftStatus> changes = new CopyOnWriteArrayList<>();
        RaftConfig config = RaftConfig.builder().tickMillis(1).heartbeatIntervalMillis(2).electionTimeoutMillis(4)
                .build();
        try (RaftNode node = RaftNode.builder().nodeId(1).voters(1).config(config)
                .stateMachine((entries, results) -> { }).logStorage(new SimLogStorage(disk))
                .transport(new LocalNetwork()).stateListener(changes::add).externalScheduling().build()) {
            node.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!node.status().isLeader()) {
                step(node);
                assertThat(System.nanoTime()).as("the node leads").isLessThan(deadline);
            }
            assertThat(changes).as("the listener heard of the election").isNotEmpty()
                    .allSatisfy(status -> assertThat(status.role()).isNotEqualTo(Role.FAILED));
            int before = changes.size();

            disk.failNextFlush();
            CompletableFuture<Object> proposal = node.propose(new byte[8]);
            for (int i = 0; i < 10 && node.status().failure() == null; i++) {
                step(node); // the core places it, the log writer's flush fails
            }
            RaftStatus failed = node.status();
            assertThat(failed.failure()).as("the flush failed").isNotNull();
            assertThat(failed.role()).isEqualTo(Role.FAILED);
            assertThat(failed.isLeader()).isFalse();

            step(node); // every task notices the stop; the shutdown routine reports the proposal
            step(node);
            assertThat(proposal).isCompletedExceptionally();
            assertThat(node.status().role()).isEqualTo(Role.FAILED);
            List<RaftStatus> after = changes.subList(before, changes.size());
            assertThat(after).as("the listener heard of the failure once").hasSize(1);
            assertThat(after.get(0).role()).isEqualTo(Role.FAILED);
            assertThat(after.get(0).failure()).isEqualTo(failed.failure());
        }
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
