package io.ringraft.internal.host.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.api.LogId;
import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.AppendEntriesResponse;
import io.ringraft.message.HeapLogEntries;
import io.ringraft.message.HeartbeatBatch;
import io.ringraft.message.RaftMessage;
import io.ringraft.message.VoteRequest;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.RaftTransport;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Coalescing and liveness of {@link HostLink} over an in-process network: hosts of 100 groups each, a
 * counting network underneath, and time passed in by the test.
 */
class HostLinkTest {

    private static final int GROUPS = 100;
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final LinkSettings SETTINGS = LinkSettings.defaults().withTiming(50 * MS, 300 * MS);

    private final CountingNetwork network = new CountingNetwork();

    /** One host: its link, and per group the endpoint and what the group received. */
    private final class Host {
        final long id;
        final HostLink link;
        final List<String> events = new CopyOnWriteArrayList<>();
        final Map<Long, RaftTransport> endpoints = new HashMap<>();
        final Map<Long, List<RaftMessage>> received = new HashMap<>();
        volatile boolean refuse;

        Host(long id, LinkSettings settings) {
            this.id = id;
            this.link = new HostLink(network, id, settings, new PeerListener() {
                @Override
                public void peerLost(long nodeId) {
                    events.add("lost " + nodeId);
                }

                @Override
                public void peerReturned(long nodeId) {
                    events.add("returned " + nodeId);
                }
            });
        }

        Host groups(long first, int count) {
            for (long g = first; g < first + count; g++) {
                List<RaftMessage> inbox = new CopyOnWriteArrayList<>();
                received.put(g, inbox);
                endpoints.put(g, link.connect(g, id, m -> !refuse && inbox.add(m)));
            }
            return this;
        }

        void send(long group, RaftMessage message) {
            assertThat(endpoints.get(group).send(message)).as("accepted").isTrue();
        }

        List<RaftMessage> inbox(long group) {
            return received.get(group);
        }
    }

    private Host host(long id) {
        return new Host(id, SETTINGS).groups(1, GROUPS);
    }

    private static AppendEntriesRequest heartbeat(long from, long to, Random random) {
        long term = 1 + random.nextInt(5);
        long prevIndex = random.nextInt(1000);
        long prevTerm = prevIndex == 0 ? 0 : 1 + random.nextInt((int) term);
        return new AppendEntriesRequest(from, to, term, new LogId(prevTerm, prevIndex), LogEntries.empty(prevIndex + 1),
                random.nextInt((int) prevIndex + 1));
    }

    @Test
    void heartbeatsOfEveryGroupLeaveAsOneMessagePerPeerAndArriveAsBuilt() {
        Host one = host(1);
        Host two = host(2);
        Host three = host(3);
        Random random = new Random(7);
        Map<Long, AppendEntriesRequest> toTwo = new HashMap<>();
        Map<Long, AppendEntriesRequest> toThree = new HashMap<>();
        for (long g = 1; g <= GROUPS; g++) {
            toTwo.put(g, heartbeat(1, 2, random));
            toThree.put(g, heartbeat(1, 3, random));
            one.send(g, toTwo.get(g));
            one.send(g, toThree.get(g));
        }
        assertThat(network.total()).as("parked, nothing on the wire yet").isZero();

        assertThat(one.link.flush()).isEqualTo(2);
        assertThat(network.total()).as("one message per peer process").isEqualTo(2);
        assertThat(network.count("HeartbeatBatch")).isEqualTo(2);
        for (long g = 1; g <= GROUPS; g++) {
            assertThat(two.inbox(g)).containsExactly(toTwo.get(g));
            assertThat(three.inbox(g)).containsExactly(toThree.get(g));
        }
        assertThat(two.link.stats().delivered()).isEqualTo(GROUPS);
        assertThat(one.link.flush()).as("nothing left").isZero();
        assertThat(network.total()).isEqualTo(2);
    }

    @Test
    void answersToHeartbeatsCoalesceAndAnswersWithNewsLeaveAtOnce() {
        Host one = host(1);
        Host two = host(2);
        for (long g = 1; g <= GROUPS; g++) {
            one.send(g, new AppendEntriesRequest(1, 2, 4, new LogId(3, 10 + g), LogEntries.empty(11 + g), 10));
        }
        one.link.flush();
        Map<Long, AppendEntriesResponse> answers = new HashMap<>();
        for (long g = 1; g <= GROUPS; g++) {
            // success at the heartbeat's previous index; every third a rejection of it
            AppendEntriesResponse answer = g % 3 == 0
                    ? AppendEntriesResponse.rejected(2, 1, 4, 10 + g, new LogId(2, 5))
                    : AppendEntriesResponse.success(2, 1, 4, 10 + g);
            answers.put(g, answer);
            two.send(g, answer);
        }
        long before = network.total();
        assertThat(two.link.flush()).isEqualTo(1);
        assertThat(network.total() - before).isEqualTo(1);
        assertThat(network.count("HeartbeatBatchResponse")).isEqualTo(1);
        for (long g = 1; g <= GROUPS; g++) {
            assertThat(one.inbox(g)).containsExactly(answers.get(g));
        }

        // A response that moves the match (the commit path) is not an answer to wait with.
        one.send(7, new AppendEntriesRequest(1, 2, 4, new LogId(3, 17), LogEntries.empty(18), 10));
        one.link.flush();
        long direct = network.count("AppendEntriesResponse");
        two.send(7, AppendEntriesResponse.success(2, 1, 4, 30));
        assertThat(network.count("AppendEntriesResponse")).isEqualTo(direct + 1);
        // Nor is a second response after the one heartbeat, nor one of another term.
        one.send(8, new AppendEntriesRequest(1, 2, 4, new LogId(3, 18), LogEntries.empty(19), 10));
        one.link.flush();
        two.send(8, AppendEntriesResponse.success(2, 1, 5, 18));
        two.send(8, AppendEntriesResponse.success(2, 1, 4, 18));
        assertThat(network.count("AppendEntriesResponse")).isEqualTo(direct + 3);
        assertThat(two.link.flush()).isZero();
    }

    @Test
    void withEveryAnswerBatchedTheAnswersToAppendsOfManyGroupsShareOneBatchAndKeepTheirNews() {
        LinkSettings everyAnswer = SETTINGS.withEveryAnswerBatched(true);
        Host one = new Host(1, everyAnswer).groups(1, GROUPS);
        Host two = new Host(2, everyAnswer).groups(1, GROUPS);
        Map<Long, AppendEntriesResponse> expected = new HashMap<>();
        for (long g = 1; g <= GROUPS; g++) {
            // acknowledgements that move the match (the commit path): no heartbeat is owed
            AppendEntriesResponse answer = AppendEntriesResponse.success(2, 1, 4, 20 + g);
            expected.put(g, answer);
            two.send(g, answer);
        }
        assertThat(network.total()).as("parked, nothing on the wire yet").isZero();
        // Less news after a parked success of the same term does not replace it; more news, or a newer term, does.
        two.send(5, AppendEntriesResponse.success(2, 1, 4, 3));
        two.send(6, AppendEntriesResponse.rejected(2, 1, 4, 99, new LogId(2, 5)));
        AppendEntriesResponse further = AppendEntriesResponse.success(2, 1, 4, 100);
        two.send(7, further);
        expected.put(7L, further);
        AppendEntriesResponse newerTerm = AppendEntriesResponse.rejected(2, 1, 5, 8, new LogId(4, 8));
        two.send(8, newerTerm);
        expected.put(8L, newerTerm);
        two.send(8, AppendEntriesResponse.success(2, 1, 4, 50)); // an older term never replaces a newer one

        assertThat(two.link.flush()).isEqualTo(1);
        assertThat(network.total()).as("one frame for every group's answer").isEqualTo(1);
        assertThat(network.count("HeartbeatBatchResponse")).isEqualTo(1);
        for (long g = 1; g <= GROUPS; g++) {
            assertThat(one.inbox(g)).as("group %d", g).containsExactly(expected.get(g));
        }

        // The default settings send such an answer at once.
        Host three = new Host(3, SETTINGS).groups(1, 1);
        long before = network.count("AppendEntriesResponse");
        three.send(1, AppendEntriesResponse.success(3, 1, 4, 30));
        assertThat(network.count("AppendEntriesResponse")).isEqualTo(before + 1);
    }

    @Test
    void aNewerHeartbeatOfAGroupReplacesTheParkedOne() {
        Host one = host(1);
        Host two = host(2);
        AppendEntriesRequest older = new AppendEntriesRequest(1, 2, 3, new LogId(3, 10), LogEntries.empty(11), 9);
        AppendEntriesRequest newer = new AppendEntriesRequest(1, 2, 3, new LogId(3, 12), LogEntries.empty(13), 12);
        one.send(5, older);
        one.send(5, newer);
        one.link.flush();
        assertThat(two.inbox(5)).containsExactly(newer);
        assertThat(one.link.stats().heartbeatsParked()).isEqualTo(2);
    }

    @Test
    void everyOtherMessagePassesStraightThrough() {
        Host one = host(1);
        Host two = host(2);
        AppendEntriesRequest append = new AppendEntriesRequest(1, 2, 3, new LogId(3, 10),
                HeapLogEntries.builder(11).add(3, io.ringraft.api.EntryKind.COMMAND, new byte[] {1}).build(), 9);
        VoteRequest vote = new VoteRequest(1, 2, 4, new LogId(3, 11), false);
        one.send(1, append);
        one.send(2, vote);
        assertThat(network.total()).isEqualTo(2);
        assertThat(two.inbox(1)).hasSize(1);
        assertThat(((AppendEntriesRequest) two.inbox(1).get(0)).entries().count()).isEqualTo(1);
        assertThat(two.inbox(2)).containsExactly(vote);
        assertThat(one.link.flush()).isZero();
        // an answer to an append is not an answer to a heartbeat
        two.send(1, AppendEntriesResponse.success(2, 1, 3, 11));
        assertThat(network.count("AppendEntriesResponse")).isEqualTo(1);
    }

    @Test
    void aFullBufferFallsBackToSendingDirectly() {
        Host one = new Host(1, SETTINGS.withBounds(4096, 10, 256)).groups(1, 15);
        Host two = new Host(2, SETTINGS).groups(1, 15);
        Random random = new Random(3);
        List<AppendEntriesRequest> sent = new ArrayList<>();
        for (long g = 1; g <= 15; g++) {
            AppendEntriesRequest heartbeat = heartbeat(1, 2, random);
            sent.add(heartbeat);
            one.send(g, heartbeat);
        }
        assertThat(network.count("Heartbeat")).as("the five beyond the bound went directly").isEqualTo(5);
        assertThat(one.link.stats().directFallbacks()).isEqualTo(5);
        // A group already parked replaces its heartbeat even when the buffer is full.
        AppendEntriesRequest replacement = new AppendEntriesRequest(1, 2, 9, new LogId(9, 50), LogEntries.empty(51), 50);
        one.send(1, replacement);
        assertThat(network.count("Heartbeat")).isEqualTo(5);
        assertThat(one.link.flush()).isEqualTo(1);
        sent.set(0, replacement);
        for (long g = 1; g <= 15; g++) {
            assertThat(two.inbox(g)).containsExactly(sent.get((int) g - 1));
        }
    }

    @Test
    void moreGroupsThanABatchCarriesLeaveInSeveralBatches() {
        Host one = new Host(1, SETTINGS.withBounds(30, 16_384, 256)).groups(1, GROUPS);
        Host two = host(2);
        Random random = new Random(5);
        for (long g = 1; g <= GROUPS; g++) {
            one.send(g, heartbeat(1, 2, random));
        }
        assertThat(one.link.flush()).isEqualTo(4);
        assertThat(network.count("HeartbeatBatch")).isEqualTo(4);
        for (long g = 1; g <= GROUPS; g++) {
            assertThat(two.inbox(g)).hasSize(1);
        }
    }

    @Test
    void aGroupNotConnectedHereIsDroppedAndCountedAndARefusingGroupDropsItsOwn() {
        Host one = new Host(1, SETTINGS).groups(1, 10);
        Host two = new Host(2, SETTINGS).groups(1, 8); // no groups 9 and 10
        Random random = new Random(11);
        for (long g = 1; g <= 10; g++) {
            one.send(g, heartbeat(1, 2, random));
        }
        one.link.flush();
        assertThat(two.link.stats().droppedUnknownGroup()).isEqualTo(2);
        assertThat(two.link.stats().delivered()).isEqualTo(8);

        two.refuse = true;
        for (long g = 1; g <= 10; g++) {
            one.send(g, heartbeat(1, 2, random));
        }
        one.link.flush();
        assertThat(two.link.stats().droppedRefused()).isEqualTo(8);
        assertThat(two.link.stats().droppedUnknownGroup()).isEqualTo(4);
        assertThat(two.inbox(1)).hasSize(1);
    }

    @Test
    void theReservedGroupAndAnotherNodeIdAreRefused() {
        Host one = new Host(1, SETTINGS);
        assertThatThrownBy(() -> one.link.connect(HeartbeatBatch.HOST_GROUP_ID, 1, m -> true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved");
        assertThatThrownBy(() -> one.link.connect(5, 2, m -> true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("node id 1");
        one.groups(5, 1);
        assertThatThrownBy(() -> one.link.connect(5, 1, m -> true)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aSilentPeerIsLostAfterTheTimeoutOnceAndReturnsWhenItIsHeardAgain() {
        Host one = host(1);
        Host two = host(2);
        one.link.addPeer(2);
        one.link.checkPeers(0); // starts the peer's clock
        one.link.checkPeers(299 * MS);
        assertThat(one.events).isEmpty();
        assertThat(one.link.isAlive(2)).isTrue();
        one.link.checkPeers(300 * MS);
        one.link.checkPeers(900 * MS);
        assertThat(one.events).containsExactly("lost 2");
        assertThat(one.link.isAlive(2)).isFalse();

        // any message of any group brings it back
        two.send(42, new VoteRequest(2, 1, 1, LogId.ZERO, true));
        one.link.checkPeers(901 * MS);
        one.link.checkPeers(1000 * MS);
        assertThat(one.events).containsExactly("lost 2", "returned 2");
        assertThat(one.link.isAlive(2)).isTrue();
        // and a keep-alive keeps it: none while the vote counts as sent, then one an interval later
        assertThat(two.link.keepAlive(1000 * MS)).isZero();
        assertThat(two.link.keepAlive(1049 * MS)).isZero();
        assertThat(two.link.keepAlive(1050 * MS)).isOne();
        one.link.checkPeers(1250 * MS);
        one.link.checkPeers(1500 * MS);
        assertThat(one.events).containsExactly("lost 2", "returned 2");
    }

    @Test
    void keepAlivesKeepSilentHostsAliveAndACutHostIsLostEverywhere() {
        Host[] hosts = {host(1), host(2), host(3)};
        for (Host h : hosts) {
            for (Host other : hosts) {
                if (other != h) {
                    h.link.addPeer(other.id);
                }
            }
        }
        long now = 0;
        for (; now <= 3_000 * MS; now += 10 * MS) { // every group silent for 3 s: ten peer timeouts
            for (Host h : hosts) {
                h.link.keepAlive(now);
                h.link.flush();
                h.link.checkPeers(now);
            }
        }
        for (Host h : hosts) {
            assertThat(h.events).as("host " + h.id).isEmpty();
            // keep-alives only when nothing else was sent: about one per interval per peer
            assertThat(h.link.stats().keepAlivesSent()).isBetween(2L * 3000 / 50 - 2, 2L * 3000 / 50 + 2);
        }

        network.cut(3);
        long cutAt = now;
        while (hosts[0].events.isEmpty() || hosts[1].events.isEmpty() || hosts[2].events.size() < 2) {
            for (Host h : hosts) {
                h.link.keepAlive(now);
                h.link.checkPeers(now);
            }
            now += 10 * MS;
            assertThat(now - cutAt).as("lost within a timeout and two steps").isLessThanOrEqualTo(320 * MS);
        }
        assertThat(hosts[0].events).containsExactly("lost 3");
        assertThat(hosts[1].events).containsExactly("lost 3");
        assertThat(hosts[2].events).containsExactlyInAnyOrder("lost 1", "lost 2");

        network.heal(3);
        for (int step = 0; step < 12; step++, now += 10 * MS) { // keep-alives every 50 ms bring it back
            for (Host h : hosts) {
                h.link.keepAlive(now);
                h.link.checkPeers(now);
            }
        }
        assertThat(hosts[0].events).containsExactly("lost 3", "returned 3");
        assertThat(hosts[2].events).containsExactlyInAnyOrder("lost 1", "lost 2", "returned 1", "returned 2");
    }

    @Test
    void afterTheLinkClosesGroupsSendDirectly() {
        Host one = host(1);
        Host two = host(2);
        one.link.close();
        AppendEntriesRequest heartbeat = new AppendEntriesRequest(1, 2, 3, new LogId(3, 10), LogEntries.empty(11), 9);
        one.send(4, heartbeat);
        assertThat(network.count("Heartbeat")).isEqualTo(1);
        assertThat(two.inbox(4)).containsExactly(heartbeat);
        assertThat(one.link.flush()).isZero();
        assertThat(one.link.keepAlive(0)).isZero();
    }

    @Test
    void peersAreLearntFromTheGroupsMessagesWithinTheBound() {
        Host one = new Host(1, SETTINGS.withBounds(4096, 16_384, 2)).groups(1, 3);
        new Host(2, SETTINGS).groups(1, 3);
        new Host(3, SETTINGS).groups(1, 3);
        new Host(4, SETTINGS).groups(1, 3);
        one.send(1, new VoteRequest(1, 2, 1, LogId.ZERO, true));
        one.send(2, new VoteRequest(1, 3, 1, LogId.ZERO, true));
        assertThat(one.link.knownPeers()).containsExactly(2, 3);
        // beyond the bound: the heartbeat goes directly, untracked
        one.send(3, new AppendEntriesRequest(1, 4, 1, LogId.ZERO, LogEntries.empty(1), 0));
        assertThat(network.count("Heartbeat")).isEqualTo(1);
        assertThat(one.link.stats().untrackedPeers()).isPositive();
        assertThat(one.link.knownPeers()).containsExactly(2, 3);
    }
}
