package io.ringraft.net.netty.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.api.client.RaftClient;
import io.ringraft.messaging.CommittedEntry;
import io.ringraft.messaging.HistoryPurgedException;
import io.ringraft.messaging.KeyFilter;
import io.ringraft.messaging.MessagingGroup;
import io.ringraft.messaging.RemoteSubscription;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Keyed subscriptions from another process ({@code GroupClient.subscribe}) to a group of three hosts over real
 * TCP: a slow subscriber gets every matching entry once, in order, without the replica ever sending beyond its
 * window (the client would subscribe again if it did); a subscriber resumes from its stored cursor and, when
 * the replica serving it dies, at another replica, with no entry lost or repeated; a start that was compacted
 * away fails with the purge point and the newest snapshot.
 */
class RemoteSubscriptionTest {

    private static final byte[] MINE = "mine".getBytes(StandardCharsets.UTF_8);
    private static final byte[] OTHER = "other".getBytes(StandardCharsets.UTF_8);

    private RemoteGroups groups;
    private RaftClient client;

    @AfterEach
    void close() {
        if (client != null) {
            client.close();
        }
        if (groups != null) {
            groups.close();
        }
    }

    /** Proposes values {@code from..to-1} with key MINE for even values and OTHER for odd ones, at the leader. */
    private void propose(long from, long to) throws Exception {
        MessagingGroup leader = groups.targets[groups.targetLeader()];
        List<CompletableFuture<Object>> all = new ArrayList<>();
        for (long v = from; v < to; v++) {
            all.add(leader.propose(List.of(v % 2 == 0 ? MINE : OTHER), ByteBuffer.allocate(8).putLong(v).array()));
        }
        for (CompletableFuture<Object> f : all) {
            f.get(20, TimeUnit.SECONDS);
        }
    }

    /** Polls until {@code values} holds {@code count} values, checking log order on the way. */
    private static void collect(RemoteSubscription subscription, List<Long> values, int count, long pauseMillis)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long lastIndex = 0;
        while (values.size() < count) {
            assertThat(System.nanoTime() - deadline).as("entries by the deadline: " + values.size()).isNegative();
            for (CommittedEntry entry : subscription.poll(Duration.ofMillis(200))) {
                assertThat(entry.index()).isGreaterThan(lastIndex);
                assertThat(entry.index()).isLessThan(subscription.nextIndex());
                lastIndex = entry.index();
                values.add(ByteBuffer.wrap(entry.command()).getLong());
            }
            if (pauseMillis > 0) {
                Thread.sleep(pauseMillis); // a slow subscriber
            }
        }
    }

    private static List<Long> evens(long from, long to) {
        List<Long> expected = new ArrayList<>();
        for (long v = from; v < to; v += 2) {
            expected.add(v);
        }
        return expected;
    }

    @Test
    void aSlowSubscriberGetsEveryMatchingEntryOnceInOrderAndTheReplicaKeepsToItsWindow() throws Exception {
        groups = new RemoteGroups(RemoteGroups.config().build());
        client = groups.client();
        try (RemoteSubscription subscription = client.group(RemoteGroups.TARGET).subscribe(1, KeyFilter.of(MINE), 2, 8,
                1024)) {
            propose(0, 400);
            Thread.sleep(300); // the subscriber is away while 400 entries commit: the replica must pause, not queue
            List<Long> values = new ArrayList<>();
            collect(subscription, values, 200, 1);
            assertThat(values).containsExactlyElementsOf(evens(0, 400));
            // a batch beyond the credit (or out of line) makes the client subscribe again: none did
            assertThat(subscription.resubscriptions()).isZero();
        }
    }

    @Test
    void aSubscriberResumesFromItsCursorAndAtAnotherReplicaWhenItsReplicaDiesWithNoGapOrRepeat() throws Exception {
        groups = new RemoteGroups(RemoteGroups.config().build());
        client = groups.client();
        propose(0, 100);
        List<Long> values = new ArrayList<>();
        long cursor;
        try (RemoteSubscription first = client.group(RemoteGroups.TARGET).subscribe(1, KeyFilter.of(MINE), 4, 5, 1024)) {
            collect(first, values, 20, 0);
            cursor = first.nextIndex(); // stored with what was done with the entries
        }
        try (RemoteSubscription resumed = client.group(RemoteGroups.TARGET).subscribe(cursor, KeyFilter.of(MINE), 4, 5,
                1024)) {
            collect(resumed, values, 35, 0);
            long serving = resumed.servingNode();
            assertThat(serving).isBetween(1L, 3L);
            groups.kill((int) serving); // the replica serving it dies (and with it the connection)
            propose(100, 200);
            collect(resumed, values, 100, 0);
            assertThat(resumed.resubscriptions()).isPositive();
            assertThat(resumed.servingNode()).isNotEqualTo(serving);
        }
        assertThat(values).containsExactlyElementsOf(evens(0, 200)); // no gap, no repeat across both changes
    }

    @Test
    void aStartCompactedAwayFailsWithThePurgePointAndTheNewestSnapshot() throws Exception {
        groups = new RemoteGroups(RemoteGroups.config().snapshotIntervalEntries(20).snapshotLogTailEntries(2).build());
        client = groups.client();
        propose(0, 60);
        RemoteGroups.await("every replica purged its log", () -> {
            for (int id = 1; id <= 3; id++) {
                if (groups.targets[id].node().status().purgedIndex() == 0) {
                    return false;
                }
            }
            return true;
        });
        try (RemoteSubscription subscription = client.group(RemoteGroups.TARGET).subscribe(1, KeyFilter.of(MINE))) {
            assertThatThrownBy(() -> subscription.poll(Duration.ofSeconds(20)))
                    .isInstanceOfSatisfying(HistoryPurgedException.class, e -> {
                        assertThat(e.requestedIndex()).isEqualTo(1);
                        assertThat(e.purgedIndex()).isPositive();
                        assertThat(e.snapshotIndex()).isGreaterThanOrEqualTo(e.purgedIndex());
                        assertThat(e.getMessage()).contains("purged up to " + e.purgedIndex());
                    });
            assertThat(subscription.nextIndex()).isEqualTo(1);
        }
    }
}
