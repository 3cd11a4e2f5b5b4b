package io.ringraft.net.netty.internal.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.ringraft.api.Bytes;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftHost;
import io.ringraft.api.RaftNode;
import io.ringraft.api.RaftStatus;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.local.InMemorySnapshotStore;
import io.ringraft.local.LocalNetwork;
import io.ringraft.messaging.ApplyContext;
import io.ringraft.messaging.InboundMessage;
import io.ringraft.messaging.KeyFilter;
import io.ringraft.messaging.MessageRoute;
import io.ringraft.messaging.MessagingDriver;
import io.ringraft.messaging.MessagingGroup;
import io.ringraft.messaging.MessagingStateMachine;
import io.ringraft.messaging.OutboxSettings;
import io.ringraft.net.netty.internal.codec.WireFormat;
import io.ringraft.spi.StateMachine;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The serving side of remote subscriptions, on one connection ({@link EmbeddedChannel}: every task runs on the
 * test's thread, so what the replica sends is counted exactly) in front of a real one-node messaging group: it
 * sends no more batches than the subscriber's credit however much is committed, one more per batch granted,
 * never more than the window, nothing after UNSUBSCRIBE; batches follow each other without a gap; a purged
 * start is answered PURGED with the purge point and the newest snapshot; an idle subscription sends what is
 * applied later.
 */
class SubscriptionStreamTest {

    private static final long GROUP = 5;
    private static final byte[] KEY = "k".getBytes(StandardCharsets.UTF_8);

    private final MessagingDriver driver = MessagingDriver.start("messaging-test", Duration.ofMillis(5));
    private RaftHost host;
    private MessagingGroup group;
    private EmbeddedChannel channel;

    @AfterEach
    void close() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
        driver.close();
        if (host != null) {
            host.close();
        }
    }

    private void start(RaftConfig config) throws Exception {
        host = RaftHost.builder().nodeId(1).transport(new LocalNetwork()).logStorage(id -> new InMemoryLogStorage())
                .snapshotStore(id -> new InMemorySnapshotStore()).groupConfig(config).workers(1).ioThreads(1).build();
        group = MessagingGroup.create(GROUP, new Quiet(), OutboxSettings.defaults());
        RaftNode node = host.createGroup(GROUP, Set.of(1L), group.stateMachine());
        group.attach(node, MessageRoute.through(host), driver);
        node.demandLeader(); // a host group starts dormant: it elects once something needs it
        await("a leader", node::isLeader);
        ServedGroup served = new ServedGroup(node, null, null, group);
        channel = new EmbeddedChannel(new ClientRequestHandler(id -> id == GROUP ? served : null,
                new ServerLimits(16, 16), Map.of(), () -> { }));
    }

    private void propose(int count) throws Exception {
        List<CompletableFuture<Object>> all = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            all.add(group.propose(List.of(KEY), ByteBuffer.allocate(8).putLong(i).array()));
        }
        for (CompletableFuture<Object> f : all) {
            f.get(20, TimeUnit.SECONDS);
        }
    }

    private void send(ClientOp op, long requestId, long subscription, long credit, byte[] payload) {
        ByteBuf frame = ClientCodec.encode(ByteBufAllocator.DEFAULT, new ClientRequest(GROUP, requestId, op, subscription,
                credit, 0, false, 0, 0, payload));
        channel.writeInbound(frame);
    }

    private void subscribe(long requestId, long from, int window) {
        send(ClientOp.SUBSCRIBE, requestId, 0, 0, SubscriptionCodec.encodeSpec(new SubscriptionSpec(from, window, window,
                10, 1024, KeyFilter.of(KEY))));
    }

    /** Runs every task the connection has queued now, and reads what it sent. */
    private List<Object> drain() {
        for (int round = 0; round < 1000 && channel.hasPendingTasks(); round++) {
            channel.runPendingTasks();
        }
        List<Object> frames = new ArrayList<>();
        ByteBuf frame;
        while ((frame = channel.readOutbound()) != null) {
            try {
                byte type = frame.getByte(frame.readerIndex() + 1);
                frames.add(type == WireFormat.SUBSCRIPTION_BATCH ? SubscriptionCodec.decodeBatch(frame)
                        : ClientCodec.decodeResponse(frame));
            } finally {
                frame.release();
            }
        }
        return frames;
    }

    @Test
    void theReplicaSendsNoMoreBatchesThanTheSubscriberGrants() throws Exception {
        start(RaftConfig.hostBuilder().build());
        propose(300); // 30 batches of 10 are there to send
        subscribe(7, 1, 3);
        List<Object> sent = drain();
        assertThat(sent).hasSize(3).allMatch(SubscriptionBatch.class::isInstance); // paused at the window
        assertThat(drain()).isEmpty(); // and stays paused: nothing queued, nothing scheduled
        assertThat(channel.hasPendingTasks()).isFalse();

        send(ClientOp.CREDIT, 8, 7, 1, null);
        List<Object> one = drain();
        assertThat(one).hasSize(1);
        send(ClientOp.CREDIT, 9, 7, 1_000, null); // more than the window: capped at 3
        List<Object> three = drain();
        assertThat(three).hasSize(3);
        sent.addAll(one);
        sent.addAll(three);

        long next = 1;
        long value = 0;
        for (Object frame : sent) {
            SubscriptionBatch batch = (SubscriptionBatch) frame;
            assertThat(batch.requestId()).isEqualTo(7);
            assertThat(batch.fromIndex()).isEqualTo(next); // no gap, no overlap
            for (var entry : batch.entries()) {
                assertThat(ByteBuffer.wrap(entry.command()).getLong()).isEqualTo(value++);
            }
            next = batch.nextIndex();
        }
        assertThat(value).isEqualTo(next - 2); // every command up to there (index 1 is the election's entry)
        assertThat(next).isEqualTo(71); // 7 batches of 10 log entries

        send(ClientOp.UNSUBSCRIBE, 10, 7, 0, null);
        send(ClientOp.CREDIT, 11, 7, 3, null);
        assertThat(drain()).isEmpty();
    }

    @Test
    void anIdleSubscriptionSendsWhatIsAppliedLater() throws Exception {
        start(RaftConfig.hostBuilder().build());
        propose(5);
        subscribe(3, 1, 4);
        List<SubscriptionBatch> batches = new ArrayList<>();
        List<Long> values = new ArrayList<>();
        collect(batches, values, 5); // what was applied before: one batch, or more if it looked while applying
        propose(1);
        collect(batches, values, 6); // the subscription was idle; the entry applied later comes too
        assertThat(values).containsExactly(0L, 1L, 2L, 3L, 4L, 0L); // the 6th proposal's value is 0
        for (int i = 1; i < batches.size(); i++) {
            assertThat(batches.get(i).fromIndex()).as("batch %d continues the one before", i)
                    .isEqualTo(batches.get(i - 1).nextIndex());
        }
    }

    /** Adds the batches the connection sends, and their entries' values, until {@code values} holds {@code count}. */
    private void collect(List<SubscriptionBatch> batches, List<Long> values, int count) {
        while (values.size() < count) {
            for (Object frame : sent()) {
                SubscriptionBatch batch = (SubscriptionBatch) frame;
                batches.add(batch);
                batch.entries().forEach(entry -> values.add(ByteBuffer.wrap(entry.command()).getLong()));
            }
        }
    }

    /** What the connection sends once the replica's applied index has moved (it looks again every 1 to 8 ms). */
    private List<Object> sent() {
        List<Object> frames = new ArrayList<>();
        await("a frame", () -> {
            channel.runScheduledPendingTasks();
            frames.addAll(drain());
            return !frames.isEmpty();
        });
        return frames;
    }

    @Test
    void aPurgedStartIsAnsweredWithThePurgePointAndTheNewestSnapshot() throws Exception {
        start(RaftConfig.hostBuilder().snapshotIntervalEntries(20).snapshotLogTailEntries(2).build());
        propose(60);
        await("the log purged", () -> group.node().status().purgedIndex() > 0);
        subscribe(4, 1, 2);
        List<Object> answer = drain();
        assertThat(answer).hasSize(1);
        ClientResponse response = (ClientResponse) answer.get(0);
        RaftStatus status = group.node().status();
        assertThat(response.status()).isEqualTo(ClientStatus.PURGED);
        ByteBuffer points = ByteBuffer.wrap(response.payload());
        long purged = points.getLong();
        long snapshot = points.getLong();
        assertThat(purged).isPositive().isLessThanOrEqualTo(status.purgedIndex());
        assertThat(snapshot).isGreaterThanOrEqualTo(purged);
        subscribe(5, purged + 1, 2); // from after the purge point it is served
        assertThat(drain()).isNotEmpty().allMatch(SubscriptionBatch.class::isInstance);
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting for " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }

    /** Applies nothing; snapshots are empty. */
    private static final class Quiet implements MessagingStateMachine {
        @Override
        public Object apply(Bytes command, ApplyContext context) {
            return 0L;
        }

        @Override
        public void receive(InboundMessage message, ApplyContext context) {
        }

        @Override
        public StateMachine.Snapshot snapshot() {
            return out -> { };
        }

        @Override
        public void restore(java.io.InputStream data) {
        }
    }
}
