package io.ringraft.internal.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.messaging.OutboxSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The {@link Deliverer}'s pipelining: up to {@code maxBatchesInFlight} batches per pair in flight, answered
 * in any order, failed, duplicated, or overtaken, and leadership lost and regained meanwhile: every message
 * reaches the target once and in order ({@code BankMachine.receive} checks), and the outbox drains.
 */
class DelivererPipelineTest {

    private static final long SOURCE = 1;
    private static final long TARGET = 2;
    private static final long RETRY_NANOS = 10_000_000L;

    /** A delivery the route holds until the test answers it. */
    private record Held(byte[] entry, CompletableFuture<Object> future) {
    }

    private final long[] clock = {1_000_000_000L};
    private final List<Held> held = new ArrayList<>();
    private boolean leader = true;
    private MachineHarness source;
    private MachineHarness target;
    private Deliverer deliverer;

    private void start(int batchMessages, int inFlight, int messages) {
        OutboxSettings settings = new OutboxSettings(1_000, 900, batchMessages, 64 * 1024,
                Duration.ofNanos(RETRY_NANOS), inFlight);
        source = new MachineHarness(SOURCE, settings, 1, 1_000_000);
        target = new MachineHarness(TARGET, settings, 1, 0);
        SourceNode node = new SourceNode() {
            @Override
            public boolean isLeader() {
                return leader;
            }

            @Override
            public CompletableFuture<Object> propose(byte[] entry) { // an ACK: committed and applied at once
                return CompletableFuture.completedFuture(source.applyEntry(entry).result());
            }
        };
        deliverer = new Deliverer(source.machine, node, (group, entry) -> {
            assertThat(group).isEqualTo(TARGET);
            CompletableFuture<Object> future = new CompletableFuture<>();
            held.add(new Held(entry, future));
            return future;
        }, () -> clock[0], () -> { });
        for (int i = 0; i < messages; i++) {
            source.transfer(0, TARGET, 0, 1);
        }
    }

    /** The target's leader appends and applies the delivery; the route answers with the result. */
    private void answer(Held delivery) {
        held.remove(delivery);
        delivery.future().complete(target.applyEntry(delivery.entry()).result());
    }

    private void fail(Held delivery) {
        held.remove(delivery);
        delivery.future().completeExceptionally(new IllegalStateException("no leader"));
    }

    @Test
    void sendsUpToTheWindowOfBatchesAndTheNextOnesAsAnswersComeBack() {
        start(2, 3, 10);

        deliverer.doWork();
        assertThat(held).hasSize(3); // messages 1-2, 3-4, 5-6; not 7-10 yet
        deliverer.doWork();
        assertThat(held).hasSize(3);

        answer(held.get(0));
        deliverer.doWork();
        assertThat(held).hasSize(3); // 7-8 went out
        assertThat(target.bank.messagesReceivedFrom(SOURCE)).isEqualTo(2);
        assertThat(source.machine.status().depth()).isEqualTo(8); // acknowledged 1-2

        while (!held.isEmpty()) {
            answer(held.get(0));
            deliverer.doWork();
        }
        deliverer.doWork();
        assertThat(target.bank.messagesReceivedFrom(SOURCE)).isEqualTo(10);
        assertThat(target.bank.balance(0)).isEqualTo(10);
        assertThat(source.machine.status().depth()).isZero();
        assertThat(deliverer.sent()).isEqualTo(5); // no batch sent twice
    }

    @Test
    void aBatchAfterAGapRewindsOnlyOnceTheOthersAnsweredAndAFailureWaitsTheRetryDelay() {
        start(2, 3, 6);
        deliverer.doWork();
        Held first = held.get(0);
        Held second = held.get(1);
        Held third = held.get(2);

        answer(third); // overtook the others: applies nothing
        assertThat(target.bank.messagesReceivedFrom(SOURCE)).isZero();
        deliverer.doWork();
        assertThat(held).containsExactly(first, second); // nothing new while the earlier ones are out

        fail(first);
        answer(second); // a gap again: 1-2 never arrived
        deliverer.doWork();
        assertThat(held).isEmpty(); // the failure's retry delay
        assertThat(deliverer.gaps()).isEqualTo(2);
        assertThat(deliverer.failed()).isEqualTo(1);

        clock[0] += RETRY_NANOS;
        deliverer.doWork();
        assertThat(held).hasSize(3); // rewound: 1-2, 3-4, 5-6 again
        answer(held.get(0));
        answer(held.get(0));
        answer(held.get(0));
        deliverer.doWork();
        assertThat(target.bank.messagesReceivedFrom(SOURCE)).isEqualTo(6);
        assertThat(source.machine.status().depth()).isZero();
    }

    @Test
    void anyOrderOfAnswersFailuresDuplicatesAndLeadershipChangesDeliversEachMessageOnceInOrder() {
        for (long seed = 1; seed <= 200; seed++) {
            Random random = new Random(seed);
            held.clear();
            leader = true;
            int messages = 20 + random.nextInt(40);
            start(1 + random.nextInt(4), 1 + random.nextInt(6), messages);
            List<Held> answered = new ArrayList<>();
            for (int step = 0; step < 2_000 && source.machine.status().depth() > 0; step++) {
                int action = random.nextInt(10);
                if (action < 3) {
                    deliverer.doWork();
                } else if (action < 6 && !held.isEmpty()) {
                    Held delivery = held.get(random.nextInt(held.size()));
                    answered.add(delivery);
                    answer(delivery);
                } else if (action == 6 && !held.isEmpty()) {
                    fail(held.get(random.nextInt(held.size())));
                } else if (action == 7 && !answered.isEmpty()) { // a duplicated or late copy reaches the target
                    target.applyEntry(answered.get(random.nextInt(answered.size())).entry());
                } else if (action == 8) {
                    leader = random.nextInt(4) != 0;
                } else {
                    clock[0] += random.nextInt(2) * RETRY_NANOS;
                }
                if (step > 1_500) { // then a calm end: leading, answers in order
                    leader = true;
                    clock[0] += RETRY_NANOS;
                    if (!held.isEmpty()) {
                        answer(held.get(0));
                    }
                    deliverer.doWork();
                }
            }
            assertThat(source.machine.status().depth()).as("seed %d: the outbox drained", seed).isZero();
            assertThat(target.bank.messagesReceivedFrom(SOURCE)).as("seed %d", seed).isEqualTo(messages);
            assertThat(target.bank.balance(0)).as("seed %d", seed).isEqualTo(messages);
        }
    }
}
