package io.ringraft.internal.engine.harness;

import static io.ringraft.internal.engine.harness.Scenarios.appendRequest;
import static io.ringraft.internal.engine.harness.Scenarios.awaitConverged;
import static io.ringraft.internal.engine.harness.Scenarios.awaitLeader;
import static io.ringraft.internal.engine.harness.Scenarios.between;
import static io.ringraft.internal.engine.harness.Scenarios.elect;
import static io.ringraft.internal.engine.harness.Scenarios.logHolds;
import static io.ringraft.internal.engine.harness.Scenarios.voteRequest;
import static io.ringraft.internal.engine.harness.Scenarios.voteResponse;
import static io.ringraft.internal.engine.harness.Scenarios.without;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringraft.api.LogId;
import io.ringraft.api.Role;
import io.ringraft.api.Vote;
import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.AppendEntriesResponse;
import io.ringraft.spi.LogEntries;
import io.ringraft.message.RaftMessage;
import io.ringraft.message.VoteRequest;
import io.ringraft.message.VoteResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Catalogue section B (replication and log repair), scenarios B12-B20, on the multi-engine harness. */
class ReplicationScenariosTest {

    private static final int ET = 10;

    @Test
    void b12_basicAgree() {
        Cluster c = Cluster.builder(3).build();
        elect(c, 1);
        for (int i = 1; i <= 3; i++) {
            long expected = c.node(1).log().size() + 1;
            for (long id : c.allIds()) {
                assertTrue(c.engine(id).commitIndex() < expected, c::dump);
            }
            long index = c.propose(1, "cmd" + i);
            assertEquals(expected, index, c::dump);
            for (long id : c.allIds()) {
                assertTrue(c.engine(id).commitIndex() < index, () -> "committed before replication\n" + c.dump());
            }
            c.stabilize();
            for (long id : c.allIds()) {
                assertTrue(c.engine(id).commitIndex() >= index, c::dump);
                assertEquals("cmd" + i, c.node(id).entry(index).text(), c::dump);
            }
        }
        long first = c.propose(1, "x", "y", "z");
        assertEquals(c.node(1).log().size() - 2, first, c::dump);
        assertEquals(-1, c.propose(2, "not-leader"), c::dump);
        c.stabilize();
        for (long id : c.allIds()) {
            assertEquals(List.of("x", "y", "z"), List.of(c.node(id).entry(first).text(),
                    c.node(id).entry(first + 1).text(), c.node(id).entry(first + 2).text()), c::dump);
        }
        Scenarios.assertConverged(c);

        // The same under random interleaving of deliveries, flushes and ticks.
        for (long seed = 1; seed <= 5; seed++) {
            Cluster d = Cluster.builder(3).seed(seed).build();
            assertTrue(d.runUntil(() -> d.leader() != 0, 20_000) >= 0, d::dump);
            long leader = d.leader();
            long index = d.proposeNew(leader, 1);
            assertTrue(index > 0, d::dump);
            assertTrue(d.runUntil(() -> d.nodes().stream().allMatch(n -> n.engine().commitIndex() >= index), 20_000) >= 0,
                    d::dump);
        }
    }

    @Test
    void b13_noCommitWithoutMajority() {
        for (boolean checkQuorum : new boolean[] {true, false}) {
            Cluster c = Cluster.builder(5).checkQuorum(checkQuorum).build();
            elect(c, 1);
            c.network().partition(List.of(List.of(1L, 2L), List.of(3L), List.of(4L), List.of(5L)));
            long index = c.propose(1, "minority");
            c.rounds(3 * ET);
            assertTrue(logHolds(c.node(2).log(), "minority"), c::dump);
            for (long id : c.allIds()) {
                assertTrue(c.engine(id).commitIndex() < index, c::dump);
            }
            assertFalse(logHolds(c.checker().committedLog(), "minority"), c::dump);
            c.network().heal();
            awaitLeader(c, 10 * ET);
            long next = c.proposeNew(c.leader(), 1);
            awaitConverged(c, 4 * ET);
            // The index was either committed later, legally through a newer term, or reused by other entries.
            List<SimEntry> log = c.node(1).log();
            assertTrue(log.size() >= next, c::dump);
            assertTrue(log.get((int) index - 1).text().equals("minority") || !logHolds(log, "minority"), c::dump);
        }
    }

    @Test
    void b14_partitionedOldLeaderTailIsReplaced() {
        for (long seed = 1; seed <= 5; seed++) {
            Cluster c = Cluster.builder(3).seed(seed).build();
            elect(c, 1);
            c.propose(1, "a");
            c.stabilize();
            c.network().isolate(1);
            long tail = c.propose(1, "b", "c", "d");
            long l2 = awaitLeader(c, List.of(2L, 3L), 8 * ET);
            long e = c.propose(l2, "e");
            c.stabilize();
            assertTrue(c.engine(l2).commitIndex() >= e, c::dump);
            assertEquals("b", c.node(1).entry(tail).text(), c::dump);

            c.network().heal();
            awaitConverged(c, 4 * ET);
            List<SimEntry> log = c.node(1).log();
            for (String gone : List.of("b", "c", "d")) {
                assertFalse(logHolds(log, gone), () -> gone + " survived\n" + c.dump());
                assertFalse(logHolds(c.checker().committedLog(), gone), c::dump);
            }
            assertTrue(logHolds(log, "a") && logHolds(log, "e"), c::dump);
            assertEquals(c.node(l2).log(), log, c::dump);
            assertTrue(c.node(1).history().stream().anyMatch(op -> op instanceof StorageOp.Truncate t
                    && t.fromIndex() <= tail), c::dump);
        }
    }

    @Test
    void b15_fastBacktrackingOverLongDivergentLogs() {
        for (long seed = 1; seed <= 3; seed++) {
            Cluster c = Cluster.builder(5).seed(seed).maxEntries(64).build();
            elect(c, 1);
            c.propose(1, "init");
            c.stabilize();

            // Leader 1 and follower 2 take 50 entries that never commit.
            c.network().partition(List.of(List.of(1L, 2L), List.of(3L, 4L, 5L)));
            propose(c, 1, 50);
            c.stabilize();
            long l2 = awaitLeader(c, List.of(3L, 4L, 5L), 8 * ET);
            propose(c, l2, 50);
            c.stabilize();

            // The new leader keeps one follower and takes 50 more entries that never commit.
            long other = without(List.of(3L, 4L, 5L), l2).get(0);
            long follower = without(List.of(3L, 4L, 5L), l2, other).get(0);
            c.network().partition(List.of(List.of(1L, 2L), List.of(l2, follower), List.of(other)));
            propose(c, l2, 50);
            c.stabilize();

            // The first side comes back with 'other': it must repair 1 and 2 (50 divergent entries each).
            int terms = distinctTerms(c);
            long before = c.network().stats().appendRejections();
            c.network().partition(List.of(List.of(1L, 2L, other), List.of(l2, follower)));
            long l3 = awaitLeader(c, List.of(1L, 2L, other), 8 * ET);
            assertEquals(other, l3, c::dump); // only its log is up to date enough
            propose(c, l3, 50);
            int repairTerms = terms;
            int rounds = c.roundsUntil(() -> sameLogs(c, List.of(1L, 2L, other)), 4 * ET);
            assertTrue(rounds >= 0, c::dump);
            long rejections = c.network().stats().appendRejections() - before;
            assertTrue(rejections <= 2L * (repairTerms + 1), () -> rejections + " rejections to repair 2 followers over "
                    + repairTerms + " terms (50 divergent entries each)\n" + c.dump());

            // Everyone together: l2 and its follower hold 100 divergent entries.
            int healTerms = distinctTerms(c);
            long healBefore = c.network().stats().appendRejections();
            c.network().heal();
            propose(c, c.leader(), 50);
            awaitConverged(c, 8 * ET);
            long healRejections = c.network().stats().appendRejections() - healBefore;
            assertTrue(healRejections <= 4L * (healTerms + 2), () -> healRejections + " rejections over " + healTerms
                    + " terms\n" + c.dump());
            assertTrue(rounds <= 3, () -> "repair took " + rounds + " rounds\n" + c.dump());
        }
    }

    private static void propose(Cluster c, long id, int n) {
        for (int i = 0; i < n; i++) {
            assertTrue(c.proposeNew(id, 1) > 0, c::dump);
        }
    }

    private static int distinctTerms(Cluster c) {
        Set<Long> terms = new HashSet<>();
        for (HarnessNode node : c.nodes()) {
            for (SimEntry e : node.log()) {
                terms.add(e.term());
            }
        }
        return terms.size();
    }

    private static boolean sameLogs(Cluster c, List<Long> ids) {
        List<SimEntry> log = c.node(ids.get(0)).log();
        for (long id : ids) {
            if (!c.node(id).log().equals(log) || c.engine(id).commitIndex() != log.size()) {
                return false;
            }
        }
        return true;
    }

    @Test
    void b16_overwriteHigherTermUncommittedWithLowerTerm() {
        // etcd TestLeaderElectionOverwriteNewerLogs.
        Cluster c = Cluster.builder(5).preVote(false).checkQuorum(false).build();
        electWithoutReplicating(c, 1);            // term 1: node 1's no-op (T1, 1) reaches nobody
        c.network().isolate(1);
        electWithoutReplicating(c, 2);            // term 2 with 3, 4, 5: its no-op (T2, 1) reaches nobody
        assertEquals(new LogId(1, 1), c.engine(1).lastLogId(), c::dump);
        assertEquals(new LogId(2, 1), c.engine(2).lastLogId(), c::dump);

        c.network().isolate(2);
        c.network().connect(1, 3);
        c.network().connect(1, 4);
        c.network().connect(1, 5);
        c.round();                                // node 1's heartbeat meets term 2: it steps down
        assertEquals(Role.FOLLOWER, c.node(1).role(), c::dump);
        assertEquals(2, c.engine(1).term(), c::dump);
        elect(c, 1);                              // term 3: 3, 4, 5 vote for (T1, 1) over their empty logs
        assertEquals(3, c.engine(1).term(), c::dump);

        c.network().heal();
        c.rounds(3);
        awaitConverged(c, 10);
        assertEquals(1, c.node(2).entry(1).term(), () -> "node 2 must replace (T2, 1) with the lower (T1, 1)\n" + c.dump());
        assertTrue(c.node(2).history().stream().anyMatch(op -> op instanceof StorageOp.Truncate t && t.fromIndex() == 1),
                c::dump);
        assertEquals(c.node(1).log(), c.node(2).log(), c::dump);
    }

    /** Elects {@code id} (real votes only) and drops everything it sends as leader. */
    private static void electWithoutReplicating(Cluster c, long id) {
        c.campaign(id);
        c.flush(id);
        c.deliverAll(m -> m instanceof VoteRequest);
        c.flushAll();
        c.deliverAll(m -> m instanceof VoteResponse);
        assertTrue(c.node(id).isLeader(), c::dump);
        c.network().dropIf(m -> true);
    }

    @Test
    void b17_reappendSameIndexUnderHigherTerm() {
        // persist: how many of node 3's pending changes reach its disk before it crashes mid-repair
        for (int variant = 0; variant < 3; variant++) {
            Cluster c = Cluster.builder(5).preVote(false).checkQuorum(false).build();
            elect(c, 1);
            elect(c, 2);                          // term 2, no-op (T2, 2) on everyone
            c.network().partition(List.of(List.of(2L, 3L), List.of(1L, 4L, 5L)));
            long index = c.propose(2, "old");     // (T2, 3) on the minority {2, 3}
            c.stabilize();
            assertEquals(new SimEntry(2, io.ringraft.api.EntryKind.COMMAND, "old".getBytes()), c.node(3).entry(index));
            elect(c, 4);                          // term 3: no-op (T3, 3) on {1, 4, 5}
            c.propose(4, "new");
            c.stabilize();
            assertEquals(3, c.node(4).entry(index).term(), c::dump);

            // Heal and let node 3 receive the repair without flushing it.
            c.network().heal();
            int historyBefore = c.node(3).history().size();
            c.tick(4);
            for (int i = 0; i < 10; i++) {
                c.deliverAll(between(4, 3).or(between(3, 4)));
            }
            List<StorageOp> repair = c.node(3).history().subList(historyBefore, c.node(3).history().size());
            int truncateAt = -1;
            int appendAt = -1;
            for (int i = 0; i < repair.size(); i++) {
                if (repair.get(i) instanceof StorageOp.Truncate t && t.fromIndex() == index) {
                    truncateAt = i;
                } else if (repair.get(i) instanceof StorageOp.Append a && a.firstIndex() == index
                        && a.entries().get(0).term() == 3) {
                    appendAt = i;
                }
            }
            assertTrue(truncateAt >= 0 && appendAt > truncateAt, () -> "truncate must precede the re-append: " + repair);
            assertEquals(3, c.node(3).entry(index).term(), c::dump);

            int pendingBeforeTruncate = c.node(3).pendingOps() - (repair.size() - truncateAt);
            int persist = switch (variant) {
                case 0 -> 0;
                case 1 -> pendingBeforeTruncate + 1;        // the truncation, not the append
                default -> c.node(3).pendingOps();
            };
            c.crash(3, persist);
            List<SimEntry> durable = c.node(3).durableLog();
            // Never a mix: the old entry, nothing, or the new entry (with its own prefix) at the index.
            switch (variant) {
                case 0 -> assertEquals("old", durable.get((int) index - 1).text(), c::dump);
                case 1 -> assertEquals(index - 1, durable.size(), c::dump);
                default -> assertEquals(c.node(4).log().subList(0, durable.size()), durable, c::dump);
            }
            c.restart(3);
            awaitConverged(c, 4 * ET);
            assertEquals(c.node(4).log(), c.node(3).log(), c::dump);
        }
    }

    @Test
    void b18_reorderedAppendEntries() {
        Cluster c = Cluster.builder(3).maxEntries(1).maxInflight(8).build();
        elect(c, 1);
        c.propose(1, "a");
        c.propose(1, "b");
        c.propose(1, "c");
        List<HarnessNetwork.Envelope> toThree = c.network().matching(appendRequest(1, 3));
        assertEquals(3, toThree.size(), c::dump);
        AppendEntriesRequest aeA = (AppendEntriesRequest) toThree.get(0).message();
        int truncationsBefore = truncations(c.node(3));

        c.deliver(toThree.get(1));                // AE(b) before AE(a): rejected, nothing changes
        assertEquals(1, c.node(3).log().size(), c::dump);
        c.deliver(toThree.get(0));
        c.deliver(toThree.get(2));                // AE(c) before b is there: rejected
        assertEquals(2, c.node(3).log().size(), c::dump);
        c.stabilize();
        c.rounds(2);
        assertEquals(4, c.node(3).log().size(), c::dump);

        // An old AppendEntries whose entries all match must not cut the log short.
        c.inject(aeA);
        c.stabilize();
        assertEquals(4, c.node(3).log().size(), c::dump);
        assertEquals(truncationsBefore, truncations(c.node(3)), c::dump);
        Scenarios.assertConverged(c);
    }

    private static int truncations(HarnessNode node) {
        return (int) node.history().stream().filter(op -> op instanceof StorageOp.Truncate).count();
    }

    @Test
    void b19_duplicatedMessages() {
        // Replayed acknowledgements never make a minority look like a quorum.
        Cluster c = Cluster.builder(5).checkQuorum(false).build();
        elect(c, 1);
        c.network().partition(List.of(List.of(1L, 2L), List.of(3L), List.of(4L), List.of(5L)));
        long index = c.propose(1, "x");
        c.flush(1);
        c.deliverAll(appendRequest(1, 2));
        c.flush(2);
        List<HarnessNetwork.Envelope> acks = c.network().matching(between(2, 1));
        assertEquals(1, acks.size(), c::dump);
        for (int i = 0; i < 3; i++) {
            c.network().replay(acks.get(0).message());
        }
        c.stabilize();
        assertTrue(c.engine(1).commitIndex() < index, c::dump);

        // Replayed vote grants never make a minority look like a quorum.
        Cluster d = Cluster.builder(5).preVote(false).checkQuorum(false).build();
        d.network().partition(List.of(List.of(1L, 2L), List.of(3L), List.of(4L), List.of(5L)));
        d.campaign(1);
        d.flush(1);
        d.deliverAll(voteRequest(1, 2));
        d.flush(2);
        RaftMessage grant = d.network().matching(voteResponse(2, 1)).get(0).message();
        assertTrue(((VoteResponse) grant).granted());
        for (int i = 0; i < 3; i++) {
            d.network().replay(grant);
        }
        d.stabilize();
        assertEquals(Role.CANDIDATE, d.node(1).role(), d::dump);

        // Randomized: every message is replayed with probability 10%; a leader crash forces elections.
        long[] byType = new long[4];
        for (long seed = 1; seed <= 5; seed++) {
            Cluster r = Cluster.builder(5).seed(seed).build();
            r.network().faults(0, 0.10, 0);
            long crashed = 0;
            for (int step = 0; step < 4_000; step++) {
                r.step();
                if (step % 40 == 0 && r.leader() != 0) {
                    r.proposeNew(r.leader(), 1 + r.random().nextInt(3));
                }
                if (step == 1_500 && r.leader() != 0) {
                    crashed = r.leader();
                    r.crashRandomly(crashed);
                }
                if (step == 2_500 && crashed != 0) {
                    r.restart(crashed);
                }
            }
            long[] seedTypes = r.network().stats().duplicatedByType();
            for (int t = 0; t < 4; t++) {
                byType[t] += seedTypes[t];
            }
            r.network().faults(0, 0, 0);
            assertTrue(r.runUntil(() -> r.leader() != 0 && r.converged(), 50_000) >= 0, r::dump);
            assertFalse(r.checker().committedLog().isEmpty(), r::dump);
        }
        for (int t = 0; t < 4; t++) {
            assertTrue(byType[t] > 0, "message type " + t + " (AE request, AE response, vote request, vote response)"
                    + " was never replayed");
        }
    }

    @Test
    void b20_staleTermMessages() {
        Cluster c = Cluster.builder(3).preVote(false).checkQuorum(false).build();
        elect(c, 1);
        c.propose(1, "a");
        c.stabilize();
        elect(c, 2);                              // term 2
        c.propose(2, "b");
        c.stabilize();
        c.recordSent();
        long[] term = {1};
        LogId last = c.engine(3).lastLogId();
        LogEntries entries = new ListLogEntries(last.index() + 1, List.of(SimEntry.command(1, "stale")));
        List<RaftMessage> staleToFollower = List.of(
                new AppendEntriesRequest(1, 3, term[0], last, entries, last.index() + 1),
                new AppendEntriesRequest(1, 3, term[0], LogId.ZERO, LogEntries.empty(1), 0),
                new VoteRequest(1, 3, term[0], new LogId(1, 99), false),
                new VoteRequest(1, 3, term[0], new LogId(1, 99), true),
                new VoteResponse(1, 3, term[0], true, false),
                AppendEntriesResponse.success(1, 3, term[0], 1));
        for (RaftMessage m : staleToFollower) {
            assertUnchanged(c, 3, m);
        }
        // Stale traffic to the leader: acknowledgements and grants of the old term are ignored.
        long match = c.engine(2).matchIndexOf(3);
        List<RaftMessage> staleToLeader = List.of(
                AppendEntriesResponse.success(3, 2, term[0], 100),
                AppendEntriesResponse.rejected(3, 2, term[0], 3, LogId.ZERO),
                new VoteResponse(3, 2, term[0], true, false),
                new VoteRequest(3, 2, term[0], new LogId(9, 99), false));
        for (RaftMessage m : staleToLeader) {
            assertUnchanged(c, 2, m);
        }
        assertEquals(match, c.engine(2).matchIndexOf(3), c::dump);
        // Stale requests were answered with the current term, so their sender would learn it.
        List<AppendEntriesResponse> aeAnswers = c.sent(AppendEntriesResponse.class, r -> r.from() == 3 && r.to() == 1);
        assertEquals(2, aeAnswers.size(), c::dump);
        aeAnswers.forEach(r -> assertTrue(!r.success() && r.term() == 2, c::dump));
        List<VoteResponse> voteAnswers = c.sent(VoteResponse.class,
                r -> r.from() == 3 && r.to() == 1 || r.from() == 2 && r.to() == 3);
        assertEquals(3, voteAnswers.size(), c::dump);
        voteAnswers.forEach(r -> assertTrue(!r.granted() && r.term() == 2, c::dump));
        Scenarios.assertConverged(c);
    }

    private static void assertUnchanged(Cluster c, long id, RaftMessage message) {
        HarnessNode node = c.node(id);
        Role role = node.role();
        Vote vote = c.engine(id).vote();
        long leader = c.engine(id).leaderId();
        LogId last = c.engine(id).lastLogId();
        long commit = c.engine(id).commitIndex();
        int history = node.history().size();
        assertTrue(c.inject(message));
        assertEquals(role, node.role(), () -> message + "\n" + c.dump());
        assertEquals(vote, c.engine(id).vote(), () -> message + "\n" + c.dump());
        assertEquals(leader, c.engine(id).leaderId(), () -> message + "\n" + c.dump());
        assertEquals(last, c.engine(id).lastLogId(), () -> message + "\n" + c.dump());
        assertEquals(commit, c.engine(id).commitIndex(), () -> message + "\n" + c.dump());
        assertEquals(history, node.history().size(), () -> "stale " + message + " touched storage\n" + c.dump());
        assertNotNull(c.network());
    }
}
