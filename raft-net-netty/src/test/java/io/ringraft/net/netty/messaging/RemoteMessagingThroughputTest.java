package io.ringraft.net.netty.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.client.RaftClient;
import io.ringraft.messaging.KeyFilter;
import io.ringraft.messaging.MessagingGroup;
import io.ringraft.messaging.OutboxSettings;
import io.ringraft.messaging.RemoteSubscription;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Figures for docs/messaging.md, off by default ({@code -Dringraft.remotebench=true}): a remote subscriber
 * reading a committed backlog over TCP (entries per second), and messages routed through the client protocol
 * to a group with no replica in the source's process (messages per second, source commit to target apply).
 * In-memory logs, every host in this JVM; the numbers print on standard output. Sizes:
 * {@code -Dringraft.remotebench.entries} (default 50,000), {@code -Dringraft.remotebench.subscribers} (fan-out, 10)
 * and {@code -Dringraft.remotebench.messages} (20,000).
 */
@EnabledIfSystemProperty(named = "ringraft.remotebench", matches = "true")
class RemoteMessagingThroughputTest {

    private RemoteGroups groups;

    @AfterEach
    void close() {
        if (groups != null) {
            groups.close();
        }
    }

    @Test
    void remoteSubscriptionAndRoutedDeliveryThroughput() throws Exception {
        int entries = Integer.getInteger("ringraft.remotebench.entries", 50_000);
        int messages = Integer.getInteger("ringraft.remotebench.messages", 20_000);
        groups = new RemoteGroups(RemoteGroups.config().build(), OutboxSettings.defaults());
        groups.startSource();

        MessagingGroup leader = groups.targets[groups.targetLeader()];
        Semaphore window = new Semaphore(512);
        byte[] key = {1};
        for (int i = 0; i < entries; i++) {
            window.acquire();
            leader.propose(List.of(key), ByteBuffer.allocate(64).putLong(i).array())
                    .whenComplete((r, e) -> window.release());
        }
        window.acquire(512);
        try (RaftClient client = groups.client();
             RemoteSubscription subscription = client.group(RemoteGroups.TARGET).subscribe(1, KeyFilter.any(), 16, 256,
                     256 << 10)) {
            long start = System.nanoTime();
            long received = 0;
            while (received < entries) {
                received += subscription.poll(Duration.ofSeconds(10)).size();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "remote subscription: %d committed entries of 64 bytes (+1 key byte) read in"
                    + " %.2f s: %.0f entries/s (window 16 batches of 256)%n", entries, seconds, entries / seconds);
            assertThat(received).isEqualTo(entries);
        }

        int fanOut = Integer.getInteger("ringraft.remotebench.subscribers", 10);
        try (RaftClient client = groups.client()) {
            List<RemoteSubscription> subscriptions = new java.util.ArrayList<>();
            for (int s = 0; s < fanOut; s++) {
                subscriptions.add(client.group(RemoteGroups.TARGET).subscribe(1, KeyFilter.any(), 16, 256, 256 << 10));
            }
            java.util.concurrent.atomic.AtomicLong total = new java.util.concurrent.atomic.AtomicLong();
            List<Thread> readers = new java.util.ArrayList<>();
            long start = System.nanoTime();
            for (RemoteSubscription subscription : subscriptions) {
                Thread reader = new Thread(() -> {
                    long got = 0;
                    try {
                        while (got < entries) {
                            got += subscription.poll(Duration.ofSeconds(10)).size();
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        total.addAndGet(got);
                        subscription.close();
                    }
                });
                reader.start();
                readers.add(reader);
            }
            for (Thread reader : readers) {
                reader.join(TimeUnit.MINUTES.toMillis(5));
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "remote subscription fan-out: %d subscribers (one client, replicas in turn)"
                    + " read the backlog of %d entries each in %.2f s: %.0f entries/s in all%n", fanOut, entries, seconds,
                    total.get() / seconds);
            assertThat(total.get()).isEqualTo((long) entries * fanOut);
        }

        groups.targetLeader();
        for (int i = 0; i < 200; i++) { // warm-up: the route's connections and sessions
            groups.source.propose(Ledger.send(RemoteGroups.TARGET, 1)).get(10, TimeUnit.SECONDS);
        }
        RemoteGroups.await("the warm-up delivered", () -> groups.source.status().depth() == 0);
        int target = groups.targetLeader();
        long before = groups.ledgers[target].received();
        long sentBefore = groups.sourceLedger.sent();
        java.util.concurrent.atomic.AtomicLong refused = new java.util.concurrent.atomic.AtomicLong();
        long start = System.nanoTime();
        Semaphore outstanding = new Semaphore(256);
        while (groups.sourceLedger.sent() - sentBefore < messages) {
            outstanding.acquire();
            if (groups.source.refusing() || groups.sourceLedger.sent() - sentBefore + 256 - outstanding.availablePermits()
                    > messages) {
                outstanding.release();
                java.util.concurrent.locks.LockSupport.parkNanos(200_000); // back-pressure: wait for delivery
                continue;
            }
            CompletableFuture<Object> f = groups.source.propose(Ledger.send(RemoteGroups.TARGET, 1));
            f.whenComplete((r, e) -> {
                if (e != null) {
                    refused.incrementAndGet(); // the outbox at its high-water mark: back-pressure
                }
                outstanding.release();
            });
        }
        outstanding.acquire(256);
        long sent = groups.sourceLedger.sent() - sentBefore;
        outstanding.release(256);
        RemoteGroups.await("every message applied at the target", () -> groups.ledgers[target].received() - before >= sent);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "routed delivery: %d messages (%d proposals refused while the outbox was above its high-water mark)"
                + " through the client protocol in %.2f s: %.0f messages/s (%d batches in flight per pair, at most %d"
                + " messages a batch)%n", sent, refused.get(), seconds, sent / seconds,
                OutboxSettings.defaults().maxBatchesInFlight(), OutboxSettings.defaults().maxBatchMessages());

        latency(Integer.getInteger("ringraft.remotebench.rate", 500), Integer.getInteger("ringraft.remotebench.seconds", 4));
    }

    /**
     * Source apply to target apply latency on the remote route, open loop at {@code rate} messages per second:
     * the time from the source's apply of the emitting command (its proposal's completion) to the target
     * leader's apply of the message.
     */
    private void latency(int rate, int seconds) throws Exception {
        int count = rate * seconds;
        int target = groups.targetLeader();
        long firstOrdinal = groups.sourceLedger.sent() + 1;
        long[] emitted = new long[count];
        long[] applied = new long[count];
        groups.ledgers[target].onReceived(ordinal -> {
            long i = ordinal - firstOrdinal;
            if (i >= 0 && i < count) {
                applied[(int) i] = System.nanoTime();
            }
        });
        List<CompletableFuture<Void>> futures = new java.util.ArrayList<>(count);
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            long due = start + i * 1_000_000_000L / rate;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
            int slot = i; // proposed in order from this thread to a one-replica group: applied (and numbered) in order
            futures.add(groups.source.propose(Ledger.send(RemoteGroups.TARGET, 1))
                    .thenRun(() -> emitted[slot] = System.nanoTime()));
        }
        for (CompletableFuture<Void> f : futures) {
            f.get(20, TimeUnit.SECONDS); // none refused, or the slots would not match the ordinals
        }
        RemoteGroups.await("every timed message applied at the target", () -> applied[count - 1] != 0);
        long[] micros = new long[count];
        for (int i = 0; i < count; i++) {
            micros[i] = (applied[i] - emitted[i]) / 1_000; // the source's completion callback may run a hair late
        }
        java.util.Arrays.sort(micros);
        System.out.printf(Locale.ROOT, "routed delivery latency (source apply -> target leader apply) at %d messages/s"
                + " for %d s: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n", rate, seconds, micros[count / 2] / 1e3,
                micros[(int) (count * 0.99)] / 1e3, micros[count - 1] / 1e3);
    }
}
