package io.ringraft.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.Bytes;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftNode;
import io.ringraft.api.RaftStatus;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.local.LocalNetwork;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.StateMachine;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link StateMachine#apply} reads its commands in place in the ring: the view must not change
 * during the call although the core keeps reclaiming and reusing slots for new entries. A 3-node
 * cluster on real threads with a ring of 16 slots and 16 KiB, so every slot and byte is reused
 * thousands of times, takes a stream of self-checking commands; the state machine checks each one,
 * lingers, and checks it and the whole batch again at the end of the call. Every node must see
 * intact commands and end with the same state. Bounded by counts; no sleeps.
 */
class ApplyViewStabilityTest {

    private static final int PROPOSERS = 2;
    private static final int PROPOSALS_PER_PROPOSER = 8_000;
    private static final int WINDOW = 32;
    private static final int MIN_LENGTH = 16;
    private static final int MAX_LENGTH = 1000;

    static long checksum(Bytes buffer, int length) {
        long h = 0xCBF29CE484222325L;
        for (int i = 0; i < length; i++) {
            h = (h ^ buffer.getByte(i)) * 0x100000001B3L;
        }
        return h;
    }

    static long checksum(byte[] bytes, int length) {
        long h = 0xCBF29CE484222325L;
        for (int i = 0; i < length; i++) {
            h = (h ^ bytes[i]) * 0x100000001B3L;
        }
        return h;
    }

    /** A command: random bytes followed by the checksum of them. */
    static byte[] command(SplittableRandom random) {
        byte[] bytes = new byte[MIN_LENGTH + random.nextInt(MAX_LENGTH - MIN_LENGTH + 1)];
        for (int i = 0; i < bytes.length - Long.BYTES; i++) {
            bytes[i] = (byte) random.nextInt();
        }
        long sum = checksum(bytes, bytes.length - Long.BYTES);
        for (int i = 0; i < Long.BYTES; i++) {
            bytes[bytes.length - Long.BYTES + i] = (byte) (sum >>> (8 * i));
        }
        return bytes;
    }

    /** Checks every command during the call, and again at its end; keeps a hash of what it applied. */
    static final class CheckingStateMachine implements StateMachine {
        final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        private final byte[] first = new byte[MAX_LENGTH];
        volatile long applied;
        volatile long hash;

        @Override
        public void apply(LogEntries entries, ApplyResults results) {
            long h = hash;
            for (int i = 0; i < entries.count(); i++) {
                Bytes payload = entries.payloadAt(i);
                check(entries.firstIndex() + i, payload, "when applied");
                if (i == 0) {
                    payload.getBytes(0, first, 0, payload.length());
                }
                h = h * 31 + payload.getLong(payload.length() - Long.BYTES, ByteOrder.LITTLE_ENDIAN);
                linger();
            }
            for (int i = 0; i < entries.count(); i++) {
                check(entries.firstIndex() + i, entries.payloadAt(i), "at the end of the call");
            }
            Bytes payload = entries.payloadAt(0);
            for (int i = 0; i < payload.length(); i++) {
                if (payload.getByte(i) != first[i]) {
                    error("entry " + entries.firstIndex() + " changed during the call");
                    break;
                }
            }
            hash = h;
            applied += entries.count();
        }

        private void check(long index, Bytes payload, String when) {
            int length = payload.length();
            if (length < MIN_LENGTH || payload.getLong(length - Long.BYTES, ByteOrder.LITTLE_ENDIAN)
                    != checksum(payload, length - Long.BYTES)) {
                error("entry " + index + " is torn or foreign " + when + " (" + length + " bytes)");
            }
        }

        private static void linger() {
            for (int i = 0; i < 50; i++) {
                Thread.onSpinWait();
            }
        }

        private void error(String message) {
            if (errors.size() < 20) {
                errors.add(message);
            }
        }
    }

    private final LocalNetwork network = new LocalNetwork();
    private final List<RaftNode> nodes = new ArrayList<>();
    private final List<CheckingStateMachine> machines = new ArrayList<>();

    @AfterEach
    void closeAll() {
        nodes.forEach(RaftNode::close);
    }

    @Test
    void theStateMachinesViewOfTheRingStaysIntactWhileSlotsAreReused() throws Exception {
        RaftConfig config = RaftConfig.builder().tickMillis(5).heartbeatIntervalMillis(20).electionTimeoutMillis(300)
                .ringCapacityEntries(16).ringCapacityBytes(16 << 10).maxEntryBytes(1024).maxBytesPerAppend(8 << 10)
                .proposalQueueBytes(64 << 10).build();
        for (long id = 1; id <= 3; id++) {
            CheckingStateMachine machine = new CheckingStateMachine();
            machines.add(machine);
            nodes.add(RaftNode.builder().nodeId(id).voters(1, 2, 3).config(config).stateMachine(machine)
                    .logStorage(new InMemoryLogStorage()).transport(network).randomSeed(id).build());
        }
        nodes.forEach(RaftNode::start);
        RaftNode leader = awaitLeader();

        AtomicLong succeeded = new AtomicLong();
        List<Thread> proposers = new ArrayList<>();
        for (int p = 0; p < PROPOSERS; p++) {
            SplittableRandom random = new SplittableRandom(100 + p);
            Thread proposer = new Thread(() -> {
                ArrayDeque<CompletableFuture<Object>> window = new ArrayDeque<>();
                RaftNode target = leader;
                for (int i = 0; i < PROPOSALS_PER_PROPOSER || !window.isEmpty(); i++) {
                    if (window.size() == WINDOW || (i >= PROPOSALS_PER_PROPOSER && !window.isEmpty())) {
                        if (completed(window.poll())) {
                            succeeded.incrementAndGet();
                        } else {
                            target = awaitLeader(); // a loaded machine may see an election: go on there
                        }
                    }
                    if (i < PROPOSALS_PER_PROPOSER) {
                        window.add(target.propose(command(random)));
                    }
                }
            }, "proposer-" + p);
            proposers.add(proposer);
            proposer.start();
        }
        for (Thread proposer : proposers) {
            proposer.join(TimeUnit.SECONDS.toMillis(90));
        }
        for (CheckingStateMachine machine : machines) {
            assertThat(machine.errors).as("commands that changed under apply").isEmpty();
        }
        for (Thread proposer : proposers) {
            assertThat(proposer.isAlive()).as("%s finished", proposer.getName()).isFalse();
        }
        long total = (long) PROPOSERS * PROPOSALS_PER_PROPOSER;
        assertThat(succeeded.get()).as("commands applied at the leader").isGreaterThan(total / 2);
        await("every node applied everything committed", () -> {
            long commit = nodes.stream().mapToLong(n -> n.status().committedIndex()).max().orElseThrow();
            return nodes.stream().allMatch(n -> n.status().appliedIndex() == commit)
                    && machines.stream().allMatch(m -> m.applied == machines.get(0).applied);
        });
        for (CheckingStateMachine machine : machines) {
            assertThat(machine.errors).as("commands that changed under apply").isEmpty();
            assertThat(machine.hash).as("same commands in the same order").isEqualTo(machines.get(0).hash);
        }
        assertThat(machines.get(0).applied / config.ringCapacityEntries()).as("slot reuses").isGreaterThan(500);
    }

    /** Whether the proposal was applied; false if it failed (its outcome is then not needed here). */
    private static boolean completed(CompletableFuture<Object> future) {
        try {
            future.get(30, TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private RaftNode awaitLeader() {
        RaftNode[] leader = new RaftNode[1];
        await("a leader", () -> {
            for (RaftNode node : nodes) {
                RaftStatus status = node.status();
                if (status.isLeader() && !status.closed()) {
                    leader[0] = node;
                    return true;
                }
            }
            return false;
        });
        return leader[0];
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }
}
