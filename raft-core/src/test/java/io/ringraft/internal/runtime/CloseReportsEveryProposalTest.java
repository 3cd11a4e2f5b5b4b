package io.ringraft.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.IndeterminateException;
import io.ringraft.api.RaftConfig;
import io.ringraft.internal.runtime.NodeRuntime;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.local.LocalNetwork;
import io.ringraft.spi.StateMachine;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, bug 2: {@code close()} must report every {@code tryPropose} proposal that is in the log but
 * not applied. The core's thread used to report them in a duty cycle after it saw the node closing, but
 * its runner could exit before running that cycle; close() itself only failed queued proposals and
 * futures, so such proposals got no listener call at all.
 *
 * <p>Made deterministic with real threads: the applier is held inside the state machine (so entries stay
 * unapplied), and the core is held inside a duty cycle (in its clock) until close() is joining its
 * thread, so it never runs another cycle.
 */
class CloseReportsEveryProposalTest {

    private static final int PROPOSALS = 64;

    @Test
    void closeReportsEveryListenerProposalInTheLogExactlyOnce() throws Exception {
        CountDownLatch applierGate = new CountDownLatch(1);
        StateMachine stateMachine = (entries, results) -> {
            awaitUninterruptibly(applierGate);
            for (int i = 0; i < entries.count(); i++) {
                results.set(i, entries.firstIndex() + i);
            }
        };
        HoldableClock clock = new HoldableClock();
        ProposalReports reports = new ProposalReports();
        RaftConfig config = RaftConfig.builder().tickMillis(5).heartbeatIntervalMillis(10).electionTimeoutMillis(50)
                .batchEntries(8).build();
        NodeRuntime node = new NodeRuntime(1, 1, new long[] {1}, config, stateMachine, new InMemoryLogStorage(),
                new LocalNetwork(), reports, NodeRuntime.Threading.DEDICATED, clock, new SplittableRandom(1));
        Thread closer = new Thread(node::close, "closer");
        try {
            node.start();
            await("leadership", () -> node.status().isLeader());
            byte[] command = new byte[8];
            for (long id = 1; id <= PROPOSALS; id++) {
                assertThat(node.tryPropose((byte) 1, id, command, 0, 8)).as("proposal %d queued", id)
                        .isEqualTo(io.ringraft.api.Admission.ACCEPTED);
            }
            await("every proposal committed, the applier held in its first batch", () -> {
                var status = node.status();
                return status.lastLogId().index() > PROPOSALS && status.committedIndex() == status.lastLogId().index();
            });
            clock.holdCore();
            await("the core held inside a duty cycle", clock::coreHeld);
            closer.start();
            await("close() joining the core's thread", () -> node.status().closed()
                    && closer.getState() == Thread.State.TIMED_WAITING);
        } finally {
            clock.release();
            applierGate.countDown();
        }
        closer.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(closer.isAlive()).as("close() returned").isFalse();
        for (long id = 1; id <= PROPOSALS; id++) {
            var calls = reports.of(id);
            assertThat(calls).as("listener calls for proposal %d", id).hasSize(1);
            if (calls.get(0).failure() != null) {
                assertThat(calls.get(0).failure()).as("proposal %d", id).isInstanceOf(IndeterminateException.class);
            }
        }
        assertThat(reports.failedCount()).as("proposals in the log but not applied when the node closed")
                .isPositive();
        assertThat(node.completionsSettled()).isTrue();
    }

    /** {@link System#nanoTime()}, except that the core's thread can be held inside its next call. */
    private static final class HoldableClock implements LongSupplier {
        private final CountDownLatch gate = new CountDownLatch(1);
        private volatile boolean holding;
        private volatile boolean held;

        @Override
        public long getAsLong() {
            if (holding && Thread.currentThread().getName().startsWith("ringraft-core")) {
                held = true;
                awaitUninterruptibly(gate);
            }
            return System.nanoTime();
        }

        void holdCore() {
            holding = true;
        }

        boolean coreHeld() {
            return held;
        }

        void release() {
            holding = false;
            gate.countDown();
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // close() interrupts a thread it waits for too long; keep holding
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Polls {@code condition} until it holds; fails after 30 seconds. */
    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("waiting for %s", what).isNegative();
            Thread.sleep(1);
        }
    }
}
