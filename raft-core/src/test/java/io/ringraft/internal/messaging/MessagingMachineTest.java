package io.ringraft.internal.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.messaging.BankMachine;
import io.ringraft.messaging.OutboxSettings;
import io.ringraft.messaging.OutboxStatus;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessagingMachineTest {

    private static final OutboxSettings SETTINGS = new OutboxSettings(10, 6, 4, 64 * 1024, Duration.ofMillis(10));
    /** The high-water mark at the capacity: commands fill the outbox. */
    private static final OutboxSettings AT_CAPACITY = new OutboxSettings(10, 10, 4, 64 * 1024, Duration.ofMillis(10));

    private final MachineHarness a = new MachineHarness(1, SETTINGS, 4, 100);
    private final MachineHarness b = new MachineHarness(2, SETTINGS, 4, 100);

    @Test
    void aCommandEmitsIntoTheOutboxAtItsIndexAndStatusShowsDepthAndAge() {
        a.transfer(0, 1, 1, 5); // local: no message
        assertThat(a.transfer(0, 2, 3, 10).result()).isEqualTo(BankMachine.DONE);
        a.clock[0] += 250_000_000L;
        assertThat(a.transfer(1, 2, 3, 7).result()).isEqualTo(BankMachine.DONE);
        a.clock[0] += 250_000_000L;

        OutboxStatus status = a.machine.status();
        assertThat(status.depth()).isEqualTo(2);
        assertThat(status.depthPerTarget()).containsExactly(java.util.Map.entry(2L, 2));
        assertThat(status.oldestIndex()).isEqualTo(2); // the second entry emitted the oldest message
        assertThat(status.oldestAgeMillis()).isEqualTo(500);
        assertThat(status.bytes()).isEqualTo(2 * (8 + 16));
        assertThat(a.bank.total()).isEqualTo(400 - 17);
    }

    @Test
    void deliveredMessagesApplyOnceInOrderAndTheResultIsTheLastAppliedSequence() {
        for (int i = 0; i < 3; i++) {
            a.transfer(0, 2, 1, 1);
        }
        byte[] all = a.deliveryTo(2, 1, 10);
        byte[] firstTwo = a.deliveryTo(2, 1, 2);
        byte[] third = a.deliveryTo(2, 3, 10);

        assertThat(b.applyEntry(third).result()).isEqualTo(0L); // a gap: waits
        assertThat(b.bank.balance(1)).isEqualTo(100);
        assertThat(b.applyEntry(firstTwo).result()).isEqualTo(2L);
        assertThat(b.applyEntry(firstTwo).result()).isEqualTo(2L); // a duplicate: dropped
        assertThat(b.applyEntry(all).result()).isEqualTo(3L); // 1, 2 dropped, 3 applied
        assertThat(b.applyEntry(all).result()).isEqualTo(3L);
        assertThat(b.bank.balance(1)).isEqualTo(103);
        assertThat(b.bank.messagesReceivedFrom(1)).isEqualTo(3);
        assertThat(b.machine.status().lastAppliedPerSource()).containsEntry(1L, 3L);
    }

    @Test
    void anAcknowledgementTrimsUpToItsSequenceOnly() {
        for (int i = 0; i < 3; i++) {
            a.transfer(0, 2, 1, 1);
        }
        a.applyEntry(Envelope.ack(2, 2));
        assertThat(a.machine.status().depth()).isEqualTo(1);
        assertThat(a.machine.state().acknowledgedUpTo(2)).isEqualTo(2);
        a.applyEntry(Envelope.ack(2, 1)); // stale: nothing more
        assertThat(a.machine.status().depth()).isEqualTo(1);
        a.applyEntry(Envelope.ack(2, 3));
        OutboxStatus status = a.machine.status();
        assertThat(status.depth()).isZero();
        assertThat(status.oldestIndex()).isZero();
        assertThat(status.oldestAgeMillis()).isZero();
        a.transfer(0, 2, 1, 1); // sequences go on after a trim
        assertThat(a.machine.state().batch(2, 1, 10, 1 << 20)).extracting(OutboxState.Pending::sequence)
                .containsExactly(4L);
    }

    @Test
    void atCapacityEmitFailsAndTheCommandIsRefusedWithoutTouchingTheState() {
        MachineHarness full = new MachineHarness(1, AT_CAPACITY, 4, 100);
        for (int i = 0; i < 10; i++) {
            assertThat(full.transfer(0, 2, 1, 1).result()).isEqualTo(BankMachine.DONE);
        }
        assertThat(full.machine.refusing()).isTrue();
        MachineHarness.Outcome refused = full.transfer(0, 2, 1, 1);
        assertThat(refused.rejectCode()).isEqualTo(MessagingMachine.ABOVE_HIGH_WATER_MARK); // before emit
        assertThat(full.bank.balance(0)).isEqualTo(90);
        assertThat(full.machine.status().depth()).isEqualTo(10);

        // one command below the mark that emits past the capacity: emit answers false from the capacity on
        List<Boolean> emitted = new java.util.ArrayList<>();
        MachineHarness burst = new MachineHarness(3, SETTINGS, 0, 0);
        burst.machine = new MessagingMachine(3, new io.ringraft.messaging.MessagingStateMachine() {
            @Override
            public Object apply(io.ringraft.api.Bytes command, io.ringraft.messaging.ApplyContext context) {
                for (int i = 0; i < command.getByte(0); i++) {
                    emitted.add(context.emit(4, new byte[0], new byte[] {(byte) i}));
                }
                return null;
            }

            @Override
            public void receive(io.ringraft.messaging.InboundMessage message, io.ringraft.messaging.ApplyContext context) {
            }
        }, SETTINGS, () -> 0L);
        burst.applyEntry(Envelope.user(new byte[] {12}, 0, 1));
        assertThat(emitted).containsExactly(true, true, true, true, true, true, true, true, true, true, false, false);
        assertThat(burst.machine.status().depth()).isEqualTo(10);
    }

    @Test
    void aCommandThatEmitsAndThenRefusesLeavesTheOutboxAsItFoundIt() {
        // command {n, r}: emit n messages, alternately to groups 4 and 5, then refuse if r == 1
        MachineHarness h = new MachineHarness(3, SETTINGS, 0, 0);
        h.machine = new MessagingMachine(3, new io.ringraft.messaging.MessagingStateMachine() {
            @Override
            public Object apply(io.ringraft.api.Bytes command, io.ringraft.messaging.ApplyContext context) {
                for (int i = 0; i < command.getByte(0); i++) {
                    context.emit(4 + i % 2, new byte[0], new byte[] {command.getByte(0), (byte) i});
                }
                if (command.getByte(1) == 1) {
                    context.reject(9, "refused after emitting");
                }
                return null;
            }

            @Override
            public void receive(io.ringraft.messaging.InboundMessage message, io.ringraft.messaging.ApplyContext context) {
            }
        }, SETTINGS, () -> 0L);
        h.applyEntry(Envelope.user(new byte[] {3, 0}, 0, 2)); // 4: 1, 2; 5: 1
        OutboxStatus before = h.machine.status();

        assertThat(h.applyEntry(Envelope.user(new byte[] {5, 1}, 0, 2)).rejectCode()).isEqualTo(9);
        assertThat(h.machine.status()).as("outbox unchanged").isEqualTo(before);
        assertThat(h.machine.status().depth()).isEqualTo(3);

        h.applyEntry(Envelope.user(new byte[] {2, 0}, 0, 2)); // the next sequences are the ones taken back
        assertThat(h.machine.state().batch(4, 1, 10, 1 << 20)).extracting(OutboxState.Pending::sequence)
                .containsExactly(1L, 2L, 3L);
        assertThat(h.machine.state().batch(5, 1, 10, 1 << 20)).extracting(OutboxState.Pending::sequence)
                .containsExactly(1L, 2L);
        assertThat(h.machine.state().batch(4, 3, 10, 1 << 20).get(0).payload()).containsExactly(2, 0);
    }

    @Test
    void aCommandThatReachesTheLogPastTheHighWaterMarkIsRefusedWhenAppliedAndChangesNothing() {
        for (int i = 0; i < 6; i++) {
            a.transfer(0, 2, 1, 1);
        }
        assertThat(a.machine.refusing()).isTrue();
        byte[] before = a.snapshot();
        byte[] transfer = BankMachine.transfer(1, 2, 1, 5);
        byte[] local = BankMachine.transfer(1, 1, 2, 5); // emits nothing, but is a new command all the same
        List<MachineHarness.Outcome> outcomes = a.applyEntries(List.of(Envelope.user(transfer, 0, transfer.length),
                Envelope.keyed(List.of(new byte[] {7}), local)));
        assertThat(outcomes).allSatisfy(o -> assertThat(o.rejectCode())
                .isEqualTo(MessagingMachine.ABOVE_HIGH_WATER_MARK));
        assertThat(Arrays.equals(a.snapshot(), before)).isTrue();

        // deliveries and acknowledgements still apply, and below the mark commands do again
        assertThat(b.applyEntry(a.deliveryTo(2, 1, 10)).result()).isEqualTo(6L);
        a.applyEntry(Envelope.ack(2, 6));
        assertThat(a.machine.refusing()).isFalse();
        assertThat(a.applyEntry(Envelope.user(transfer, 0, transfer.length)).result()).isEqualTo(BankMachine.DONE);
    }

    @Test
    void refusingStartsAtTheHighWaterMarkAndEndsBelowIt() {
        for (int i = 0; i < 5; i++) {
            a.transfer(0, 2, 1, 1);
        }
        assertThat(a.machine.refusing()).isFalse();
        a.transfer(0, 2, 1, 1);
        assertThat(a.machine.refusing()).isTrue();
        assertThat(a.machine.status().refusing()).isTrue();
        a.applyEntry(Envelope.ack(2, 1));
        assertThat(a.machine.refusing()).isFalse();
    }

    @Test
    void inboundMessagesApplyEvenWhenTheReceiversOutboxIsFullSoGroupsThatMessageEachOtherCannotDeadlock() {
        MachineHarness a = new MachineHarness(1, AT_CAPACITY, 4, 100);
        MachineHarness b = new MachineHarness(2, AT_CAPACITY, 4, 100);
        for (int i = 0; i < 10; i++) {
            a.transfer(0, 2, 1, 1); // both outboxes full of messages to each other
            b.transfer(0, 1, 1, 1);
        }
        assertThat(a.machine.refusing()).isTrue();
        assertThat(a.machine.status().depth()).isEqualTo(AT_CAPACITY.capacity());
        assertThat(b.applyEntry(a.deliveryTo(2, 1, 10)).result()).isEqualTo(10L);
        assertThat(a.applyEntry(b.deliveryTo(1, 1, 10)).result()).isEqualTo(10L);
        assertThat(b.bank.balance(1)).isEqualTo(100 + 10);
        assertThat(a.bank.balance(1)).isEqualTo(100 + 10);
        assertThat(a.machine.status().depth()).isEqualTo(10); // until the acknowledgements
    }

    @Test
    void theSnapshotCarriesOutboxDeduplicationAndApplicationStateAndIsAPointInTimeCopy() {
        a.transfer(0, 2, 1, 3);
        byte[] delivery = a.deliveryTo(2, 1, 10);
        b.transfer(2, 1, 0, 4); // b has an outbox too
        b.applyEntry(delivery);
        var view = b.machine.snapshot();
        b.transfer(2, 1, 0, 1); // after the view: not in it
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            view.writeTo(out);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        b.restartFrom(out.toByteArray());

        assertThat(b.bank.balance(1)).isEqualTo(103);
        assertThat(b.bank.balance(2)).isEqualTo(96);
        OutboxStatus status = b.machine.status();
        assertThat(status.depth()).isEqualTo(1);
        assertThat(status.lastAppliedPerSource()).containsEntry(1L, 1L);
        assertThat(b.applyEntry(delivery).result()).isEqualTo(1L); // still a duplicate after the restart
        assertThat(b.bank.balance(1)).isEqualTo(103);
        assertThat(b.machine.state().batch(1, 1, 10, 1 << 20)).extracting(OutboxState.Pending::sequence)
                .containsExactly(1L);
        b.transfer(2, 1, 0, 1);
        assertThat(b.machine.state().batch(1, 1, 10, 1 << 20)).extracting(OutboxState.Pending::sequence)
                .containsExactly(1L, 2L);
    }

    @Test
    void aSnapshotOfAnotherKindIsRefusedClearly() {
        assertThatThrownBy(() -> b.machine.restore(new ByteArrayInputStream(new byte[] {1, 2, 3, 4, 5})))
                .isInstanceOf(IOException.class).hasMessageContaining("not a messaging group's snapshot");
    }

    @Test
    void entriesThatAreNoEnvelopeAreRefusedAndChangeNothing() {
        byte[] before = a.snapshot();
        List<MachineHarness.Outcome> outcomes = a.applyEntries(List.of(new byte[0], new byte[] {9, 1},
                new byte[] {Envelope.ACK, 1}, new byte[] {Envelope.DELIVER, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 5}));
        assertThat(outcomes).allSatisfy(o -> assertThat(o.rejectCode()).isEqualTo(MessagingMachine.MALFORMED));
        assertThat(Arrays.equals(a.snapshot(), before)).isTrue();
    }

    @Test
    void theApplyContextRefusesSelfMessagesAndRejectingAMessageAndUseOutsideApply() {
        io.ringraft.messaging.ApplyContext[] kept = new io.ringraft.messaging.ApplyContext[1];
        MessagingMachine machine = new MessagingMachine(5, new io.ringraft.messaging.MessagingStateMachine() {
            @Override
            public Object apply(io.ringraft.api.Bytes command, io.ringraft.messaging.ApplyContext context) {
                kept[0] = context;
                if (command.getByte(0) == 1) {
                    context.emit(5, new byte[0], new byte[0]);
                }
                return null;
            }

            @Override
            public void receive(io.ringraft.messaging.InboundMessage message,
                                io.ringraft.messaging.ApplyContext context) {
                context.reject(1, "no");
            }
        }, SETTINGS, () -> 0L);
        MachineHarness harness = new MachineHarness(5, SETTINGS, 0, 0);
        harness.machine = machine;
        harness.applyEntry(Envelope.user(new byte[] {0}, 0, 1));
        assertThatThrownBy(() -> kept[0].emit(6, new byte[0], new byte[0])).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> harness.applyEntry(Envelope.user(new byte[] {1}, 0, 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("to itself");
        a.transfer(0, 5, 0, 1);
        assertThatThrownBy(() -> harness.applyEntry(a.deliveryTo(5, 1, 1)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("cannot be refused");
    }
}
