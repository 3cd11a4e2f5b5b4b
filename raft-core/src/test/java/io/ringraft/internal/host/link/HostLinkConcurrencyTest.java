package io.ringraft.internal.host.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.LogId;
import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.RaftMessage;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.RaftTransport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;

/**
 * Senders on several threads park heartbeats while flushers run concurrently: every heartbeat is
 * parked or sent directly (a full buffer), after the last flush every group has received its last
 * heartbeat, and with one flusher and room for every group no group sees its heartbeats go backwards
 * (with two flushers, or direct sends overtaking parked ones, they may: Raft tolerates reordering).
 */
class HostLinkConcurrencyTest {

    private static final int GROUPS = 200;
    private static final int SENDERS = 4;
    private static final int ROUNDS = 2_000;

    @Test
    void oneFlusherWithRoomForEveryGroupKeepsEachGroupsOrder() throws Exception {
        CountingNetwork network = new CountingNetwork();
        assertThat(run(network, LinkSettings.defaults().withBounds(64, GROUPS, 16), 1)).as("went backwards").isFalse();
        assertThat(network.count("Heartbeat")).isZero();
    }

    @Test
    void twoFlushersAndAnOverflowingBufferLoseNothing() throws Exception {
        CountingNetwork network = new CountingNetwork();
        // (whether the buffer overflows depends on the race; HostLinkTest covers the overflow itself)
        run(network, LinkSettings.defaults().withBounds(64, 120, 16), 2);
    }

    /** {@return whether some group saw a heartbeat older than one it had seen} */
    private static boolean run(CountingNetwork network, LinkSettings settings, int flushers) throws Exception {
        HostLink sender = new HostLink(network, 1, settings, PeerListener.NONE);
        HostLink receiver = new HostLink(network, 2, settings, PeerListener.NONE);
        RaftTransport[] endpoints = new RaftTransport[GROUPS];
        AtomicLongArray lastSeen = new AtomicLongArray(GROUPS);
        AtomicBoolean backwards = new AtomicBoolean();
        for (int g = 0; g < GROUPS; g++) {
            int group = g;
            endpoints[g] = sender.connect(g, 1, m -> true);
            receiver.connect(g, 2, (RaftMessage m) -> {
                long commit = ((AppendEntriesRequest) m).leaderCommit();
                long before = lastSeen.getAndAccumulate(group, commit, Math::max);
                if (commit < before) {
                    backwards.set(true); // a replaced or reordered heartbeat delivered after a newer one
                }
                return true;
            });
        }
        // each group belongs to one sender thread, which sends its heartbeats with rising commit indexes
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < SENDERS; s++) {
            int first = s;
            threads.add(new Thread(() -> {
                await(start);
                for (long round = 1; round <= ROUNDS; round++) {
                    for (int g = first; g < GROUPS; g += SENDERS) {
                        endpoints[g].send(new AppendEntriesRequest(1, 2, 1, new LogId(1, 5), LogEntries.empty(6), round));
                    }
                }
            }));
        }
        AtomicBoolean sending = new AtomicBoolean(true);
        for (int f = 0; f < flushers; f++) {
            threads.add(new Thread(() -> {
                await(start);
                while (sending.get()) {
                    sender.flush();
                }
            }));
        }
        threads.forEach(Thread::start);
        start.countDown();
        for (int i = 0; i < SENDERS; i++) {
            threads.get(i).join(TimeUnit.SECONDS.toMillis(60));
        }
        sending.set(false);
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(60));
        }
        sender.flush();

        for (int g = 0; g < GROUPS; g++) {
            assertThat(lastSeen.get(g)).as("group " + g + " got its last heartbeat").isEqualTo(ROUNDS);
        }
        LinkStats stats = sender.stats();
        long direct = network.count("Heartbeat");
        assertThat(stats.directFallbacks()).isEqualTo(direct);
        assertThat(stats.heartbeatsParked() + direct).isEqualTo((long) GROUPS * ROUNDS);
        assertThat(receiver.stats().delivered()).isLessThanOrEqualTo(stats.heartbeatsParked());
        assertThat(stats.batchesRefused()).isZero();
        return backwards.get();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
