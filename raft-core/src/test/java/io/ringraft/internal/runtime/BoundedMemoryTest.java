package io.ringraft.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.IndeterminateException;
import io.ringraft.api.NotLeaderException;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftNode;
import io.ringraft.api.RaftStatus;
import io.ringraft.api.RejectedException;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.local.LocalNetwork;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.StateMachine;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Catalogue B23 on real threads: a leader cut off from every follower while a few threads flood it
 * with proposals. Nothing may grow with the flood: proposers get {@link RejectedException} once the
 * ring and the proposal queue are full, the futures of refused proposals are complete when
 * {@code propose} returns, the futures still waiting never exceed {@code maxPendingFutures}, and the
 * heap retained after the flood stays under a bound derived from the configuration. When the leader
 * is reachable again every waiting future completes.
 */
class BoundedMemoryTest {

    private static final int PROPOSALS = 200_000;
    private static final int THREADS = 4;
    private static final int PAYLOAD_BYTES = 256;
    /** Generous per waiting proposal: its future, the table's record and our list's reference. */
    private static final long BYTES_PER_PENDING_FUTURE = 200;
    private static final long SLACK_BYTES = 32L << 20;

    /** Applies nothing but counts; returns the index. */
    static final class CountingStateMachine implements StateMachine {
        final AtomicLong applied = new AtomicLong();

        @Override
        public void apply(LogEntries entries, ApplyResults results) {
            for (int i = 0; i < entries.count(); i++) {
                results.set(i, entries.firstIndex() + i);
            }
            applied.addAndGet(entries.count());
        }
    }

    private final LocalNetwork network = new LocalNetwork();
    private final List<RaftNode> nodes = new ArrayList<>();

    @AfterEach
    void closeAll() {
        nodes.forEach(RaftNode::close);
    }

    @Test
    void aLeaderWithoutQuorumRejectsAProposalFloodWithBoundedHeapAndDrainsWhenHealed() throws Exception {
        // Without check-quorum the cut-off leader keeps leading: only its bounds stop the flood.
        RaftConfig config = RaftConfig.builder().tickMillis(5).heartbeatIntervalMillis(20).electionTimeoutMillis(150)
                .checkQuorum(false).ringCapacityEntries(4096).ringCapacityBytes(2 << 20).maxEntryBytes(1024)
                .proposalQueueBytes(1 << 20).maxPendingFutures(8192).build();
        for (long id = 1; id <= 3; id++) {
            nodes.add(RaftNode.builder().nodeId(id).voters(1, 2, 3).config(config)
                    .stateMachine(new CountingStateMachine()).logStorage(new InMemoryLogStorage())
                    .transport(network).randomSeed(id).build());
        }
        nodes.forEach(RaftNode::start);
        RaftNode leader = awaitLeader();
        leader.propose(new byte[PAYLOAD_BYTES]).get(20, TimeUnit.SECONDS);

        network.isolate(leader.groupId(), leader.nodeId());
        long before = usedHeapAfterGc();

        AtomicLong rejected = new AtomicLong();
        ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
        List<List<CompletableFuture<Object>>> waitingPerThread = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            List<CompletableFuture<Object>> waiting = new ArrayList<>();
            waitingPerThread.add(waiting);
            byte[] payload = new byte[PAYLOAD_BYTES]; // copied into the proposal queue by propose
            payload[0] = (byte) t;
            Thread thread = new Thread(() -> {
                for (int i = 0; i < PROPOSALS / THREADS; i++) {
                    CompletableFuture<Object> future = leader.propose(payload);
                    if (!future.isDone()) {
                        waiting.add(future);
                        continue;
                    }
                    Throwable cause = causeOf(future);
                    if (cause instanceof RejectedException) {
                        rejected.incrementAndGet();
                    } else {
                        unexpected.add("proposal " + i + " completed at once with " + cause);
                    }
                }
            }, "proposer-" + t);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(60));
            assertThat(thread.isAlive()).as("%s finished", thread.getName()).isFalse();
        }
        long after = usedHeapAfterGc();

        List<CompletableFuture<Object>> waiting = new ArrayList<>();
        waitingPerThread.forEach(waiting::addAll);
        RaftStatus status = leader.status();
        assertThat(unexpected).isEmpty();
        assertThat(status.isLeader()).isTrue();
        assertThat(rejected.get()).as("proposals refused by back-pressure").isGreaterThan(PROPOSALS / 2);
        assertThat(rejected.get() + waiting.size()).isEqualTo(PROPOSALS);
        assertThat(waiting.size()).as("futures waiting").isLessThanOrEqualTo(config.maxPendingFutures());
        assertThat(status.lastLogId().index() - status.committedIndex()).as("uncommitted entries")
                .isLessThanOrEqualTo(config.ringCapacityEntries());
        long bound = config.ringCapacityBytes() + config.proposalQueueBytes()
                + config.maxPendingFutures() * BYTES_PER_PENDING_FUTURE + SLACK_BYTES;
        assertThat(after - before).as("heap retained after the flood of %d proposals (bound %d)", PROPOSALS, bound)
                .isLessThan(bound);

        System.out.println("bounded memory: " + PROPOSALS + " proposals, " + rejected.get() + " rejected, "
                + waiting.size() + " waiting, heap retained " + (after - before) + " bytes (bound " + bound + ")");

        network.heal(leader.groupId(), leader.nodeId());
        await("every waiting proposal completes", () -> waiting.stream().allMatch(CompletableFuture::isDone));
        for (CompletableFuture<Object> future : waiting) {
            if (future.isCompletedExceptionally()) {
                assertThat(causeOf(future)).isInstanceOfAny(IndeterminateException.class, NotLeaderException.class);
            }
        }
        assertThat(proposeAtTheLeader()).isInstanceOf(Long.class);
    }

    /**
     * Proposes at the current leader, again at the next one if leadership moves meanwhile (after the
     * heal an election timeout of 150 ms can pass on a loaded 2-core machine, and the proposal is then
     * indeterminate): the healed cluster takes proposals again, whoever leads it.
     */
    private Object proposeAtTheLeader() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                return awaitLeader().propose(new byte[PAYLOAD_BYTES]).get(20, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                boolean leaderMoved = e.getCause() instanceof IndeterminateException
                        || e.getCause() instanceof NotLeaderException;
                if (!leaderMoved || System.nanoTime() - deadline > 0) {
                    throw e;
                }
            }
        }
    }

    private static Throwable causeOf(CompletableFuture<Object> future) {
        try {
            future.join();
            return null;
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    private static long usedHeapAfterGc() {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }

    private RaftNode awaitLeader() {
        RaftNode[] leader = new RaftNode[1];
        await("a leader of the highest term", () -> {
            long maxTerm = nodes.stream().mapToLong(n -> n.status().term()).max().orElse(0);
            for (RaftNode node : nodes) {
                RaftStatus status = node.status();
                if (status.isLeader() && status.term() == maxTerm && !status.closed()) {
                    leader[0] = node;
                    return true;
                }
            }
            return false;
        });
        return leader[0];
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }
}
