package io.ringraft.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.api.RaftHost;
import io.ringraft.api.RaftNode;
import io.ringraft.api.RejectedByStateMachineException;
import io.ringraft.api.RejectedException;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.local.LocalNetwork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Messaging groups on three real hosts (threads, in-process network): delivery, drain, leader changes, bounds. */
class MessagingHostTest {

    private static final Set<Long> HOSTS = Set.of(1L, 2L, 3L);
    private static final OutboxSettings SETTINGS = new OutboxSettings(200, 100, 16, 64 * 1024, Duration.ofMillis(20));

    private final LocalNetwork network = new LocalNetwork();
    private final List<RaftHost> hosts = new ArrayList<>();
    private final List<MessagingDriver> drivers = new ArrayList<>();
    /** [host][group] */
    private final Map<Long, Map<Long, MessagingGroup>> groups = new ConcurrentHashMap<>();
    private final Map<Long, Map<Long, BankMachine>> banks = new ConcurrentHashMap<>();

    @AfterEach
    void close() {
        drivers.forEach(MessagingDriver::close);
        hosts.forEach(RaftHost::close);
    }

    /** Three hosts, each with a replica of every group in {@code ids}, delivering through {@code route}. */
    private void start(long[] ids, boolean reachTargets) {
        for (long h = 1; h <= 3; h++) {
            RaftHost host = RaftHost.builder().nodeId(h).transport(network).logStorage(id -> new InMemoryLogStorage())
                    .workers(1).ioThreads(1).build();
            hosts.add(host);
            MessagingDriver driver = MessagingDriver.start("messaging-" + h, Duration.ofMillis(5));
            drivers.add(driver);
            MessageRoute route = reachTargets ? MessageRoute.through(host)
                    : (target, entry) -> CompletableFuture.failedFuture(new IllegalStateException("unreachable"));
            for (long g : ids) {
                BankMachine bank = new BankMachine(g, 4, 1_000);
                MessagingGroup group = MessagingGroup.create(g, bank, SETTINGS);
                RaftNode node = host.createGroup(g, HOSTS, group.stateMachine());
                group.attach(node, route, driver);
                groups.computeIfAbsent(h, k -> new ConcurrentHashMap<>()).put(g, group);
                banks.computeIfAbsent(h, k -> new ConcurrentHashMap<>()).put(g, bank);
            }
        }
    }

    /** The group's leader once it serves (its election's entry committed). */
    private MessagingGroup leader(long group) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            long leader = groups.get(1L).get(group).node().awaitLeader(Duration.ofSeconds(20));
            MessagingGroup replica = groups.get(leader).get(group);
            if (replica.node().isLeader()) {
                return replica;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("group " + group + " has no serving leader");
            }
            Thread.sleep(1);
        }
    }

    /** Proposes through the current leader until it is accepted (leaders may move meanwhile). */
    private Object propose(long group, byte[] command) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try {
                return leader(group).propose(command).get(20, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (System.nanoTime() > deadline || !(e.getCause() instanceof io.ringraft.api.NotLeaderException)) {
                    throw e;
                }
            }
        }
    }

    @Test
    void transfersBetweenGroupsCreditExactlyOnceAndEveryOutboxDrains() throws Exception {
        start(new long[] {1, 2}, true);
        for (int i = 0; i < 30; i++) {
            assertThat(propose(1, BankMachine.transfer(i % 4, 2, i % 3, 10))).isEqualTo(BankMachine.DONE);
            assertThat(propose(2, BankMachine.transfer(i % 4, 1, 3, 1))).isEqualTo(BankMachine.DONE);
        }
        awaitDrained();
        for (long h = 1; h <= 3; h++) {
            BankMachine one = banks.get(h).get(1L);
            BankMachine two = banks.get(h).get(2L);
            assertThat(two.messagesReceivedFrom(1)).isEqualTo(30);
            assertThat(one.messagesReceivedFrom(2)).isEqualTo(30);
            assertThat(one.total() + two.total()).isEqualTo(8_000);
            assertThat(two.balance(0)).isEqualTo(1_000 + 10 * 10 - 8); // 10 credits, 8 debits of 1
            assertThat(groups.get(h).get(1L).status().lastAppliedPerSource()).containsEntry(2L, 30L);
        }
    }

    @Test
    void deliveryGoesOnAcrossLeaderChangesOfBothGroups() throws Exception {
        start(new long[] {1, 2}, true);
        for (int round = 0; round < 4; round++) {
            List<CompletableFuture<Object>> pending = new ArrayList<>();
            MessagingGroup source = leader(1);
            for (int i = 0; i < 20; i++) {
                pending.add(source.propose(BankMachine.transfer(i % 4, 2, 0, 1)));
            }
            for (CompletableFuture<Object> f : pending.subList(0, 10)) { // messages in the outbox, more coming
                assertThat(f.get(20, TimeUnit.SECONDS)).isEqualTo(BankMachine.DONE);
            }
            for (long g = 1; g <= 2; g++) { // move both leaders while messages are in flight
                RaftNode node = leader(g).node();
                long next = node.nodeId() % 3 + 1;
                node.transferLeadership(next).exceptionally(e -> null).get(20, TimeUnit.SECONDS);
            }
            for (CompletableFuture<Object> f : pending) {
                try {
                    f.get(20, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    // a proposal caught by the transfer may fail; the bank counts what was applied
                }
            }
        }
        awaitDrained();
        for (long h = 1; h <= 3; h++) {
            BankMachine one = banks.get(h).get(1L);
            BankMachine two = banks.get(h).get(2L);
            assertThat(one.messagesSentTo(2)).isPositive();
            assertThat(two.messagesReceivedFrom(1)).isEqualTo(one.messagesSentTo(2));
            assertThat(one.total() + two.total()).isEqualTo(8_000);
        }
    }

    @Test
    void aFullOutboxRefusesProposalsAndStatusShowsTheOldestUndeliveredMessage() throws Exception {
        start(new long[] {1}, false); // group 2 is nowhere: nothing can be delivered
        MessagingGroup source = leader(1);
        int accepted = 0;
        RejectedException refused = null;
        for (int i = 0; i < SETTINGS.highWaterMark() + 50 && refused == null; i++) {
            try {
                assertThat(source.propose(BankMachine.transfer(i % 4, 2, 0, 1)).get(20, TimeUnit.SECONDS))
                        .isEqualTo(BankMachine.DONE);
                accepted++;
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(RejectedException.class);
                refused = (RejectedException) e.getCause();
            }
        }
        assertThat(accepted).isEqualTo(SETTINGS.highWaterMark());
        assertThat(refused).hasMessageContaining("high-water mark");
        OutboxStatus status = source.status();
        assertThat(status.depth()).isEqualTo(SETTINGS.highWaterMark());
        assertThat(status.refusing()).isTrue();
        assertThat(status.oldestIndex()).isPositive();
        long age = status.oldestAgeMillis();
        await("the oldest message ages", () -> source.status().oldestAgeMillis() > age);

        // past MessagingGroup: the raw envelope on RaftNode.propose enters the log, and is refused when applied
        BankMachine bank = banks.get(source.node().nodeId()).get(1L);
        long balance = bank.balance(0);
        assertThatThrownBy(() -> source.node().propose(MessagingGroup.envelope(BankMachine.transfer(0, 2, 0, 1)))
                .get(20, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(RejectedByStateMachineException.class, e -> {
                    assertThat(e.code()).isEqualTo(-16);
                    assertThat(e.mayHaveTakenEffect()).isFalse();
                    assertThat(e).hasMessageContaining("high-water mark");
                });
        assertThat(source.status().depth()).isEqualTo(SETTINGS.highWaterMark());
        assertThat(bank.balance(0)).isEqualTo(balance);
    }

    /** Every outbox empty on every replica, and every replica of a group applied as far as the others. */
    private void awaitDrained() throws InterruptedException {
        await("every outbox drained on every replica", () -> {
            for (long g : groups.get(1L).keySet()) {
                long applied = -1;
                for (Map<Long, MessagingGroup> byGroup : groups.values()) {
                    MessagingGroup replica = byGroup.get(g);
                    io.ringraft.api.RaftStatus status = replica.node().status();
                    if (replica.status().depth() != 0 || status.appliedIndex() != status.committedIndex()
                            || applied >= 0 && status.appliedIndex() != applied) {
                        return false;
                    }
                    applied = status.appliedIndex();
                }
            }
            return true;
        });
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 30 s: " + what);
            }
            Thread.sleep(5);
        }
    }
}
