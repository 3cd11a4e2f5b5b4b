package io.ringraft.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.Admission;
import io.ringraft.api.Bytes;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftNode;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.local.LocalNetwork;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.Agent;
import org.junit.jupiter.api.Test;

/**
 * A leader's proposals are read in place from the proposal queue's array (the ring's entries point
 * there: one copy, from the caller's buffer): their bytes reach the state machine intact, the queue's
 * bytes are freed once the ring lets go of the entries (so far more than the queue holds flows through
 * it), and a queue full of proposals the ring still holds refuses more ({@link Admission#QUEUE_FULL})
 * until they are applied. Deterministic: the node's tasks run only when the test steps them.
 */
class ProposalsHeldInPlaceTest {

    private static final int QUEUE_BYTES = 8 << 10;
    private static final int COMMAND_BYTES = 200;
    private static final RaftConfig CONFIG = RaftConfig.builder().tickMillis(1).heartbeatIntervalMillis(2)
            .electionTimeoutMillis(4).maxEntryBytes(512).proposalQueueBytes(QUEUE_BYTES)
            .ringCapacityEntries(128).ringCapacityBytes(16 << 10).build();

    /** A command whose bytes all derive from its number, so a torn or overwritten payload shows. */
    private static byte[] command(long n) {
        ByteBuffer b = ByteBuffer.allocate(COMMAND_BYTES);
        for (int i = 0; i < COMMAND_BYTES / Long.BYTES; i++) {
            b.putLong(n * 1_000_003L + i);
        }
        return b.array();
    }

    /** The state machine's result: the command's number if every byte is as {@link #command} made it, else -1. */
    private static long check(Bytes payload) {
        if (payload.length() != COMMAND_BYTES) {
            return -1;
        }
        long n = payload.getLong(0) / 1_000_003L;
        byte[] expected = command(n);
        for (int i = 0; i < COMMAND_BYTES; i++) {
            if (payload.getByte(i) != expected[i]) {
                return -1;
            }
        }
        return n;
    }

    private static RaftNode singleNode() {
        return RaftNode.builder().nodeId(1).voters(1).config(CONFIG)
                .stateMachine((entries, results) -> {
                    for (int i = 0; i < entries.count(); i++) {
                        results.set(i, check(entries.payloadAt(i)));
                    }
                })
                .proposalListener(new ProposalReports())
                .logStorage(new InMemoryLogStorage()).transport(new LocalNetwork()).externalScheduling().build();
    }

    private static void step(RaftNode node, boolean applier) throws Exception {
        for (Agent agent : node.agents()) {
            if (applier || !agent.roleName().startsWith("ringraft-applier")) {
                agent.doWork();
            }
        }
    }

    private static void awaitLeader(RaftNode node) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!node.status().isLeader()) {
            step(node, true);
            assertThat(System.nanoTime() - deadline).as("the node leads").isNegative();
        }
    }

    @Test
    void farMoreThanTheQueueHoldsFlowsThroughItIntact() throws Exception {
        RaftNode node = singleNode();
        try {
            node.start();
            awaitLeader(node);
            int commands = 50 * QUEUE_BYTES / COMMAND_BYTES; // fifty queues' worth
            List<CompletableFuture<Object>> results = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (long n = 0; n < commands; n++) {
                byte[] command = command(n);
                CompletableFuture<Object> result;
                while (true) {
                    result = node.propose(command);
                    if (!result.isCompletedExceptionally()) {
                        break;
                    }
                    step(node, true); // the queue was full: let the node catch up
                    assertThat(System.nanoTime() - deadline).as("proposal %d accepted in time", n).isNegative();
                }
                results.add(result);
                if (n % 16 == 0) {
                    step(node, true);
                }
            }
            while (!results.get(results.size() - 1).isDone()) {
                step(node, true);
                assertThat(System.nanoTime() - deadline).as("every proposal applied in time").isNegative();
            }
            for (int n = 0; n < commands; n++) {
                assertThat(results.get(n).join()).as("command %d as applied", n).isEqualTo((long) n);
            }
        } finally {
            node.close();
        }
    }

    @Test
    void aQueueFullOfUnappliedProposalsRefusesUntilTheyAreApplied() throws Exception {
        RaftNode node = singleNode();
        try {
            node.start();
            awaitLeader(node);
            // The applier does not run: what the core takes stays in the ring, and in the queue.
            long accepted = 0;
            for (int attempt = 0; attempt < 1_000; attempt++) {
                Admission admission = node.tryPropose(command(accepted), 0, COMMAND_BYTES, accepted);
                if (admission == Admission.ACCEPTED) {
                    accepted++;
                }
                step(node, false);
            }
            // 216-byte records: the queue holds 37 of them; the ring's 128 slots (less those kept for
            // later leaders) are not what stops them.
            assertThat(accepted).as("proposals held, bounded by the queue").isEqualTo(QUEUE_BYTES / 216);
            assertThat(node.tryPropose(command(accepted), 0, COMMAND_BYTES, accepted)).isEqualTo(Admission.QUEUE_FULL);

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            Admission admission;
            while ((admission = node.tryPropose(command(accepted), 0, COMMAND_BYTES, accepted)) != Admission.ACCEPTED) {
                assertThat(admission).isEqualTo(Admission.QUEUE_FULL);
                step(node, true); // applied, reclaimed, freed
                assertThat(System.nanoTime() - deadline).as("room again once applied").isNegative();
            }
        } finally {
            node.close();
        }
    }
}
