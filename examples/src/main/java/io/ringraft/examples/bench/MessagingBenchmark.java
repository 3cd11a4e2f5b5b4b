package io.ringraft.examples.bench;

import io.ringraft.api.Bytes;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftHost;
import io.ringraft.api.RaftNode;
import io.ringraft.examples.FreePorts;
import io.ringraft.messaging.ApplyContext;
import io.ringraft.messaging.CommittedEntry;
import io.ringraft.messaging.InboundMessage;
import io.ringraft.messaging.KeyFilter;
import io.ringraft.messaging.KeyedSubscription;
import io.ringraft.messaging.MessageRoute;
import io.ringraft.messaging.MessagingDriver;
import io.ringraft.messaging.MessagingGroup;
import io.ringraft.messaging.MessagingStateMachine;
import io.ringraft.messaging.OutboxSettings;
import io.ringraft.net.netty.NettyTransport;
import io.ringraft.storage.wal.SharedLog;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * The messaging benchmark (issue 15): three {@link RaftHost}s in one JVM over loopback Netty, each with a
 * {@link SharedLog} (fsync on), holding two messaging groups (1: source, 2: target).
 *
 * <ol>
 *   <li><b>Outbox.</b> {@code --window} commands outstanding at group 1's leader for {@code --seconds}; each
 *       command's apply emits one 100-byte message to group 2. Latency per message: from the first time any
 *       replica of group 1 applied its command (about when the leader saw it committed) to the first time
 *       any replica of group 2 applied the message (one JVM: one clock), as an HdrHistogram; throughput:
 *       messages applied by group 2 per second.</li>
 *   <li><b>Fan-out.</b> {@code --entries} keyed commands in group 2, then 1, 10 and 100
 *       {@link KeyedSubscription}s on one replica read the whole log from index 1 (one thread polls them in
 *       turn, 256 entries per poll); entries per second delivered in total and per subscriber.</li>
 * </ol>
 * With {@code --rate R} the commands are paced at R per second (open loop, still at most {@code --window}
 * outstanding), which measures latency below the delivery capacity; without, the load is closed-loop and the
 * outbox fills to its high-water mark (the latency is then mostly queueing in the outbox).
 * {@code --in-flight N} sets {@link OutboxSettings#maxBatchesInFlight()} (default
 * {@link OutboxSettings#DEFAULT_BATCHES_IN_FLIGHT}; 1 is the unpipelined delivery).
 * Usage: {@code MessagingBenchmark [--window 256] [--rate 0] [--seconds 10] [--entries 20000] [--in-flight 8]}.
 */
public final class MessagingBenchmark {

    private static final Set<Long> VOTERS = Set.of(1L, 2L, 3L);
    /** Benchmark probes, not replicated state: first apply time of each message id in each group. */
    private static final ConcurrentHashMap<Long, Long> SOURCE_APPLIED = new ConcurrentHashMap<>();
    private static final Histogram LATENCY = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    private static final AtomicLong DELIVERED = new AtomicLong();

    /** Group 1 emits a message per command; group 2 records the latency of each message it receives. */
    static final class Probe implements MessagingStateMachine {
        @Override
        public Object apply(Bytes command, ApplyContext context) {
            if (command.length() >= 8 && command.getByte(0) == 1) {
                long id = command.getLong(1);
                SOURCE_APPLIED.putIfAbsent(id, System.nanoTime());
                context.emit(2, new byte[0], ByteBuffer.allocate(100).putLong(id).array());
            }
            return null;
        }

        @Override
        public void receive(InboundMessage message, ApplyContext context) {
            long id = ByteBuffer.wrap(message.payload()).getLong();
            Long start = SOURCE_APPLIED.get(id);
            // the first replica to apply it measures it; the id stays (marked -1) so that no late replica
            // of either group measures it again (the map grows by one entry per message: a benchmark)
            if (start != null && start >= 0 && SOURCE_APPLIED.replace(id, start, -1L)) {
                synchronized (LATENCY) {
                    LATENCY.recordValue(Math.max(1, System.nanoTime() - start));
                }
                DELIVERED.incrementAndGet();
            }
        }
    }

    private MessagingBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int window = 256;
        double seconds = 10;
        int entries = 20_000;
        int rate = 0;
        int inFlight = OutboxSettings.DEFAULT_BATCHES_IN_FLIGHT;
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--window" -> window = Integer.parseInt(args[i + 1]);
                case "--seconds" -> seconds = Double.parseDouble(args[i + 1]);
                case "--entries" -> entries = Integer.parseInt(args[i + 1]);
                case "--rate" -> rate = Integer.parseInt(args[i + 1]);
                case "--in-flight" -> inFlight = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path dir = Files.createTempDirectory("ringraft-msgbench");
        int[] ports = FreePorts.pick(3);
        List<AutoCloseable> closing = new ArrayList<>();
        MessagingGroup[][] groups = new MessagingGroup[4][3];
        try {
            for (long h = 1; h <= 3; h++) {
                NettyTransport.Builder tb = NettyTransport.builder().clusterId("ringraft-msgbench").nodeId(h)
                        .bind("127.0.0.1", ports[(int) h - 1]);
                for (int j = 1; j <= 3; j++) {
                    if (j != h) {
                        tb.peer(j, "127.0.0.1:" + ports[j - 1]);
                    }
                }
                NettyTransport netty = tb.build();
                SharedLog wal = SharedLog.builder(dir.resolve("host-" + h).resolve("wal")).clusterId(0x15)
                        .nodeId(h).build();
                Files.createDirectories(dir.resolve("host-" + h));
                wal.open();
                RaftHost host = RaftHost.builder().nodeId(h).transport(netty).logStorage(wal.asFactory())
                        .groupConfig(RaftConfig.hostBuilder().quiesceAfterMillis(0).build()).workers(1).ioThreads(1)
                        .build();
                MessagingDriver driver = MessagingDriver.start("messaging-" + h, Duration.ofMillis(10));
                closing.add(0, wal::close);
                closing.add(0, netty);
                closing.add(0, host);
                closing.add(0, driver);
                OutboxSettings settings = new OutboxSettings(100_000, 80_000, 32, 4 << 10, Duration.ofMillis(20),
                        inFlight);
                for (int g = 1; g <= 2; g++) {
                    MessagingGroup group = MessagingGroup.create(g, new Probe(), settings);
                    RaftNode node = host.createGroup(g, VOTERS, group.stateMachine());
                    group.attach(node, MessageRoute.through(host), driver);
                    groups[g][(int) h - 1] = group;
                }
            }
            System.out.printf(Locale.ROOT, "outbox: %d batches of at most 32 messages in flight per pair%n", inFlight);
            outbox(groups, window, seconds, rate);
            fanOut(groups, entries);
        } finally {
            for (AutoCloseable c : closing) {
                try {
                    c.close();
                } catch (Exception e) {
                    System.err.println("closing: " + e);
                }
            }
        }
    }

    private static MessagingGroup leader(MessagingGroup[][] groups, int group) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            for (MessagingGroup g : groups[group]) {
                if (g.node().isLeader()) {
                    return g;
                }
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException("group " + group + " has no leader");
    }

    private static void outbox(MessagingGroup[][] groups, int window, double seconds, int rate) throws Exception {
        MessagingGroup source = leader(groups, 1);
        leader(groups, 2);
        Semaphore permits = new Semaphore(window);
        AtomicLong failed = new AtomicLong();
        long warmupEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        long end = warmupEnd + (long) (seconds * 1e9);
        boolean measuring = false;
        long deliveredAtStart = 0;
        long id = 0;
        while (System.nanoTime() < end) {
            if (!measuring && System.nanoTime() >= warmupEnd) {
                synchronized (LATENCY) {
                    LATENCY.reset();
                }
                deliveredAtStart = DELIVERED.get();
                measuring = true;
            }
            if (rate > 0) { // open loop: one command every 1/rate s (the window still bounds what is outstanding)
                long due = warmupEnd - TimeUnit.SECONDS.toNanos(3) + id * 1_000_000_000L / rate;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                }
            }
            if (!permits.tryAcquire(10, TimeUnit.MILLISECONDS)) {
                continue;
            }
            byte[] command = ByteBuffer.allocate(9).put((byte) 1).putLong(++id).array();
            CompletableFuture<Object> f = source.propose(command);
            f.whenComplete((r, e) -> {
                if (e != null) {
                    failed.incrementAndGet();
                }
                permits.release();
            });
        }
        long delivered = DELIVERED.get() - deliveredAtStart;
        synchronized (LATENCY) {
            System.out.printf(Locale.ROOT, "outbox: window %d, rate %s, %.1f s measured: %,.0f messages/s applied by the target;"
                            + " source apply -> target apply p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms;"
                            + " %d proposals failed%n", window, rate > 0 ? rate + "/s" : "closed loop", seconds, delivered / seconds,
                    LATENCY.getValueAtPercentile(50) / 1e6, LATENCY.getValueAtPercentile(99) / 1e6,
                    LATENCY.getValueAtPercentile(99.9) / 1e6, LATENCY.getMaxValue() / 1e6, failed.get());
        }
        long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (source.status().depth() > 0 && System.nanoTime() < drainDeadline) {
            Thread.sleep(10);
        }
        System.out.printf(Locale.ROOT, "outbox: depth after the run %d%n", source.status().depth());
    }

    private static void fanOut(MessagingGroup[][] groups, int entries) throws Exception {
        MessagingGroup target = leader(groups, 2);
        Semaphore permits = new Semaphore(256);
        byte[] key = {7};
        for (int i = 0; i < entries; i++) {
            permits.acquire();
            target.propose(List.of(key), new byte[100]).whenComplete((r, e) -> permits.release());
        }
        permits.acquire(256);
        permits.release(256);
        RaftNode replica = target.node();
        long last = replica.status().appliedIndex();
        for (int subscribers : new int[] {1, 10, 100}) {
            List<KeyedSubscription> subs = new ArrayList<>();
            for (int s = 0; s < subscribers; s++) {
                subs.add(KeyedSubscription.open(replica, 1, KeyFilter.of(key)));
            }
            long delivered = 0;
            long start = System.nanoTime();
            boolean behind = true;
            while (behind) {
                behind = false;
                for (KeyedSubscription sub : subs) {
                    if (sub.nextIndex() <= last) {
                        List<CommittedEntry> got = sub.poll(256);
                        delivered += got.size();
                        behind = true;
                    }
                }
            }
            double secs = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "fan-out: %d subscribers read %,d matching entries each from one replica"
                            + " in %.2f s: %,.0f entries/s in total, %,.0f per subscriber%n", subscribers,
                    delivered / subscribers, secs, delivered / secs, delivered / secs / subscribers);
        }
    }
}
