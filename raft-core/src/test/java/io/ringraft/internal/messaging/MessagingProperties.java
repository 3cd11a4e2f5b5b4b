package io.ringraft.internal.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.messaging.OutboxSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Three messaging groups driven by random operations: transfers between them, deliveries of any batch
 * from any sequence (stale, duplicated, out of order, with gaps), acknowledgements of what a delivery
 * answered (possibly stale), snapshots, and crashes that restore the last snapshot and replay the log.
 * After every operation money is conserved (balances plus money sent and not yet received), and the
 * bank's own receive checks every message arrives exactly once and in order; at the end an orderly
 * drain delivers everything and empties every outbox.
 */
class MessagingProperties {

    private static final int GROUPS = 3;
    private static final int ACCOUNTS = 3;
    private static final long INITIAL = 50;

    @Property(tries = 200)
    void messagesApplyExactlyOnceInOrderAndMoneyIsConserved(@ForAll("operations") List<int[]> operations) {
        OutboxSettings settings = new OutboxSettings(12, 8, 3, 64 * 1024, Duration.ZERO);
        List<MachineHarness> groups = new ArrayList<>();
        for (int g = 1; g <= GROUPS; g++) {
            groups.add(new MachineHarness(g, settings, ACCOUNTS, INITIAL));
        }
        long total = GROUPS * ACCOUNTS * INITIAL;
        for (int[] op : operations) {
            MachineHarness g = groups.get(op[1] % GROUPS);
            MachineHarness other = groups.get((op[1] + 1 + op[2] % (GROUPS - 1)) % GROUPS);
            switch (op[0]) {
                case 0, 1 -> g.transfer(op[3] % ACCOUNTS, other.groupId, op[4] % ACCOUNTS, 1 + op[4] % 20);
                case 2, 3 -> { // a delivery from any sequence, of 1..3 messages, answered by an ACK sometimes
                    byte[] delivery = g.deliveryTo(other.groupId, 1 + op[3] % 15, 1 + op[4] % 3);
                    if (delivery != null) {
                        Object applied = other.applyEntry(delivery).result();
                        if (op[0] == 3) {
                            g.applyEntry(Envelope.ack(other.groupId, (Long) applied));
                        }
                    }
                }
                case 4 -> g.takeSnapshot();
                case 5 -> g.crashAndReplay(ACCOUNTS, INITIAL);
                default -> throw new IllegalStateException();
            }
            assertThat(moneyInSystem(groups)).isEqualTo(total);
        }
        // Drain: deliver from the first unacknowledged message until every outbox is empty.
        for (int round = 0; round < 100; round++) {
            for (MachineHarness g : groups) {
                for (long target : g.machine.state().targetsWithPending()) {
                    MachineHarness t = groups.get((int) target - 1);
                    byte[] delivery = g.deliveryTo(target, g.machine.state().acknowledgedUpTo(target) + 1, 3);
                    g.applyEntry(Envelope.ack(target, (Long) t.applyEntry(delivery).result()));
                }
            }
        }
        for (MachineHarness g : groups) {
            assertThat(g.machine.status().depth()).isZero();
            for (MachineHarness t : groups) {
                assertThat(t.bank.messagesReceivedFrom(g.groupId)).isEqualTo(g.bank.messagesSentTo(t.groupId));
            }
        }
        assertThat(groups.stream().mapToLong(g -> g.bank.total()).sum()).isEqualTo(total);
    }

    private static long moneyInSystem(List<MachineHarness> groups) {
        long sum = 0;
        for (MachineHarness g : groups) {
            sum += g.bank.total();
            for (MachineHarness t : groups) {
                sum += g.bank.sentTo(t.groupId) - t.bank.receivedFrom(g.groupId);
            }
        }
        return sum;
    }

    @Provide
    Arbitrary<List<int[]>> operations() {
        Arbitrary<int[]> op = Arbitraries.integers().between(0, 1000).array(int[].class).ofSize(5)
                .map(a -> {
                    a[0] = a[0] % 6;
                    return a;
                });
        return op.list().ofMinSize(1).ofMaxSize(120);
    }
}
