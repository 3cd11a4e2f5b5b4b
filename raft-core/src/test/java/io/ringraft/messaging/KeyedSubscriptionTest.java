package io.ringraft.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.api.Bytes;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftHost;
import io.ringraft.api.RaftNode;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.local.InMemorySnapshotStore;
import io.ringraft.local.LocalNetwork;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
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

/** Keyed subscriptions to a messaging group's committed log on three real hosts. */
class KeyedSubscriptionTest {

    private static final Set<Long> HOSTS = Set.of(1L, 2L, 3L);

    /** Records every command it applies, in order (its bytes name its keys, for the check). */
    static final class Recorder implements MessagingStateMachine {
        final List<String> applied = Collections.synchronizedList(new ArrayList<>());

        @Override
        public Object apply(Bytes command, ApplyContext context) {
            applied.add(new String(command.toByteArray(), StandardCharsets.UTF_8));
            return context.index();
        }

        @Override
        public void receive(InboundMessage message, ApplyContext context) {
        }

        @Override
        public io.ringraft.spi.StateMachine.Snapshot snapshot() {
            List<String> copy = List.copyOf(applied);
            return out -> out.write(String.join("\n", copy).getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void restore(java.io.InputStream in) throws java.io.IOException {
            String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            applied.clear();
            if (!all.isEmpty()) {
                applied.addAll(List.of(all.split("\n")));
            }
        }
    }

    private final LocalNetwork network = new LocalNetwork();
    private final List<RaftHost> hosts = new ArrayList<>();
    private final List<MessagingDriver> drivers = new ArrayList<>();
    private final Map<Long, MessagingGroup> replicas = new ConcurrentHashMap<>();
    private final Map<Long, Recorder> recorders = new ConcurrentHashMap<>();

    @AfterEach
    void close() {
        drivers.forEach(MessagingDriver::close);
        hosts.forEach(RaftHost::close);
    }

    private void start(RaftConfig config) {
        for (long h = 1; h <= 3; h++) {
            RaftHost host = RaftHost.builder().nodeId(h).transport(network).logStorage(id -> new InMemoryLogStorage())
                    .snapshotStore(id -> new InMemorySnapshotStore()).groupConfig(config).workers(1).ioThreads(1).build();
            hosts.add(host);
            MessagingDriver driver = MessagingDriver.start("messaging-" + h, Duration.ofMillis(5));
            drivers.add(driver);
            Recorder recorder = new Recorder();
            MessagingGroup group = MessagingGroup.create(1, recorder, OutboxSettings.defaults());
            RaftNode node = host.createGroup(1, HOSTS, group.stateMachine());
            group.attach(node, MessageRoute.through(host), driver);
            replicas.put(h, group);
            recorders.put(h, recorder);
        }
    }

    /** The leader once it serves (its election's entry committed). */
    private MessagingGroup leader() throws Exception {
        // Host groups start dormant (RaftConfig.startDormant): asking for a leader is what makes one campaign.
        replicas.values().iterator().next().node().awaitLeader(java.time.Duration.ofSeconds(30));
        MessagingGroup[] found = new MessagingGroup[1];
        await("a serving leader", () -> {
            for (MessagingGroup replica : replicas.values()) {
                if (replica.node().isLeader()) {
                    found[0] = replica;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private static byte[] key(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void everyMatchingEntryComesOnceInOrderAcrossResubscribesToOtherReplicasAndLeaderChanges() throws Exception {
        start(RaftConfig.hostDefaults());
        KeyedSubscription subscription = KeyedSubscription.open(replicas.get(2L).node(), 1, KeyFilter.of(key("a")));
        List<String> received = new ArrayList<>();
        for (int round = 0; round < 4; round++) {
            List<CompletableFuture<Object>> pending = new ArrayList<>();
            MessagingGroup leader = leader();
            for (int i = 0; i < 25; i++) {
                String id = round + "-" + i;
                pending.add(switch (i % 4) {
                    case 0 -> leader.propose(List.of(key("a")), key("a " + id));
                    case 1 -> leader.propose(List.of(key("b"), key("a")), key("ba " + id));
                    case 2 -> leader.propose(List.of(key("b")), key("b " + id));
                    default -> leader.propose(key("none " + id));
                });
            }
            for (CompletableFuture<Object> f : pending) {
                try {
                    f.get(20, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    // refused around a leader change: applied or not, the recorder tells
                }
            }
            RaftNode node = leader.node();
            node.transferLeadership(node.nodeId() % 3 + 1).exceptionally(e -> null).get(20, TimeUnit.SECONDS);
            received.addAll(texts(subscription.poll(7))); // a slow subscriber: a few entries per call
            // resume on another replica from the stored cursor
            subscription = KeyedSubscription.open(replicas.get((long) (round % 3 + 1)).node(), subscription.nextIndex(),
                    KeyFilter.of(key("a")));
        }
        KeyedSubscription last = subscription;
        long commit = leader().node().status().committedIndex();
        await("the subscription caught up", () -> {
            received.addAll(texts(last.poll(5)));
            return last.nextIndex() > commit;
        });
        await("replica 1 applied as far", () -> replicas.get(1L).node().status().appliedIndex() >= commit);
        List<String> expected = recorders.get(1L).applied.stream()
                .filter(s -> s.startsWith("a ") || s.startsWith("ba ")).toList();
        assertThat(expected).hasSizeGreaterThanOrEqualTo(30);
        assertThat(received).isEqualTo(expected.subList(0, received.size()));
        assertThat(received).hasSameSizeAs(expected);
    }

    @Test
    void pollReadsAtMostTheAskedNumberOfEntriesAndNothingPastTheAppliedIndex() throws Exception {
        start(RaftConfig.hostDefaults());
        MessagingGroup leader = leader();
        for (int i = 0; i < 10; i++) {
            leader.propose(key("x" + i)).get(20, TimeUnit.SECONDS);
        }
        KeyedSubscription subscription = KeyedSubscription.open(leader.node(), 1, KeyFilter.any());
        List<CommittedEntry> first = subscription.poll(3);
        assertThat(subscription.nextIndex()).isEqualTo(4);
        assertThat(first.size()).isLessThanOrEqualTo(3);
        List<CommittedEntry> rest = new ArrayList<>(first);
        // the status' applied index, which bounds what is served, is published a little after the futures
        await("every command read", () -> {
            rest.addAll(subscription.poll(100));
            return rest.size() >= 10;
        });
        // nothing else was proposed: whatever more the replica applied since (a new leader's entry) is no command
        assertThat(subscription.poll(100)).isEmpty();
        assertThat(texts(rest)).containsExactly("x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9");
        assertThat(rest).allSatisfy(e -> assertThat(e.keys()).isEmpty());
        assertThatThrownBy(() -> KeyedSubscription.open(leader.node(), 0, KeyFilter.any()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aPurgedStartingIndexIsRefusedNamingThePurgePointAndTheNewestSnapshot() throws Exception {
        start(RaftConfig.hostBuilder().snapshotIntervalEntries(20).snapshotLogTailEntries(2).build());
        MessagingGroup leader = leader();
        for (int i = 0; i < 60; i++) {
            leader.propose(List.of(key("k")), key("k" + i)).get(20, TimeUnit.SECONDS);
        }
        RaftNode node = leader.node();
        await("the leader purged its log", () -> node.status().purgedIndex() > 0);
        KeyedSubscription subscription = KeyedSubscription.open(node, 1, KeyFilter.of(key("k")));
        assertThatThrownBy(() -> subscription.poll(10)).isInstanceOfSatisfying(HistoryPurgedException.class, e -> {
            assertThat(e.requestedIndex()).isEqualTo(1);
            assertThat(e.purgedIndex()).isPositive();
            assertThat(e.snapshotIndex()).isGreaterThanOrEqualTo(e.purgedIndex());
            assertThat(e.getMessage()).contains("purged up to " + e.purgedIndex())
                    .contains("newest snapshot up to " + e.snapshotIndex());
        });
        assertThat(subscription.nextIndex()).isEqualTo(1); // nothing lost: the cursor did not move
    }

    private static List<String> texts(List<CommittedEntry> entries) {
        return entries.stream().map(e -> new String(e.command(), StandardCharsets.UTF_8)).toList();
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
