package io.ringraft.noflag;

import io.ringraft.api.Admission;
import io.ringraft.api.Bytes;
import io.ringraft.api.ProposalListener;
import io.ringraft.api.RaftException;
import io.ringraft.api.RaftNode;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.local.LocalNetwork;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.StateMachine;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A service as an application writes it, run by {@link NoJvmFlagTest} in a child JVM started with no
 * option at all: a one-node group that proposes through every form of the API ({@code byte[]}, heap
 * and direct {@link ByteBuffer}, with a future and with a listener), applies them in a state machine
 * that reads the payloads as {@link Bytes}, and answers a linearizable read. Prints
 * {@code applied N sum S} and exits 0 when everything matched, exits 1 otherwise.
 */
public final class NoFlagService {

    static final int COMMANDS = 200;

    /** Adds the big-endian long each command holds; a read answers the sum. */
    static final class Sum implements StateMachine {
        private long sum;
        private long applied;

        @Override
        public void apply(LogEntries entries, ApplyResults results) {
            for (int i = 0; i < entries.count(); i++) {
                Bytes payload = entries.payloadAt(i);
                sum += payload.getLong(0);
                applied++;
                results.set(i, sum);
            }
        }

        @Override
        public Object query(Bytes query) {
            return query.getByte(0) == 's' ? sum : applied;
        }
    }

    private NoFlagService() {
    }

    /** Exits 1 naming the refusal unless {@code admission} accepted the proposal. */
    private static void accepted(Admission admission) {
        if (admission != Admission.ACCEPTED) {
            System.out.println("tryPropose refused: " + admission);
            System.exit(1);
        }
    }

    public static void main(String[] args) throws Exception {
        CountDownLatch listened = new CountDownLatch(COMMANDS / 2);
        AtomicLong failures = new AtomicLong();
        ProposalListener listener = new ProposalListener() {
            @Override
            public void onApplied(long correlationId, long index, Object result) {
                listened.countDown();
            }

            @Override
            public void onFailed(long correlationId, RaftException reason) {
                failures.incrementAndGet();
                listened.countDown();
            }
        };
        try (RaftNode node = RaftNode.builder().nodeId(1).voters(1).stateMachine(new Sum())
                .logStorage(new InMemoryLogStorage()).transport(new LocalNetwork())
                .proposalListener(listener).build()) {
            node.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!node.status().isLeader()) {
                if (System.nanoTime() > deadline) {
                    System.out.println("no leader: " + node.status());
                    System.exit(1);
                }
                Thread.sleep(5);
            }
            long expected = 0;
            ByteBuffer direct = ByteBuffer.allocateDirect(Long.BYTES);
            byte[] array = new byte[Long.BYTES + 4];
            for (long value = 1; value <= COMMANDS; value++) {
                expected += value;
                switch ((int) (value % 4)) {
                    case 0 -> node.propose(ByteBuffer.allocate(Long.BYTES).putLong(0, value)).get(10, TimeUnit.SECONDS);
                    case 1 -> node.propose(ByteBuffer.allocate(Long.BYTES).putLong(value).array()).get(10, TimeUnit.SECONDS);
                    case 2 -> {
                        ByteBuffer.wrap(array).putLong(2, value);
                        Admission admission;
                        while ((admission = node.tryPropose(array, 2, Long.BYTES, value)) == Admission.QUEUE_FULL) {
                            Thread.onSpinWait();
                        }
                        accepted(admission);
                    }
                    default -> {
                        direct.putLong(0, value);
                        Admission admission;
                        while ((admission = node.tryPropose(direct, value)) == Admission.QUEUE_FULL) {
                            Thread.onSpinWait();
                        }
                        accepted(admission);
                    }
                }
            }
            if (!listened.await(20, TimeUnit.SECONDS) || failures.get() != 0) {
                System.out.println("listener: " + listened.getCount() + " outstanding, " + failures.get() + " failed");
                System.exit(1);
            }
            Object sum = node.read(new byte[] {'s'}).get(10, TimeUnit.SECONDS);
            Object applied = node.read(ByteBuffer.wrap(new byte[] {'n'})).get(10, TimeUnit.SECONDS);
            System.out.println("applied " + applied + " sum " + sum);
            if (!Long.valueOf(expected).equals(sum) || !Long.valueOf(COMMANDS).equals(applied)) {
                System.out.println("expected applied " + COMMANDS + " sum " + expected);
                System.exit(1);
            }
        }
    }
}
