package io.ringraft.internal.engine.harness;

import static io.ringraft.internal.engine.harness.Scenarios.awaitLeader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringraft.api.Role;
import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.LeadershipProbeAck;
import io.ringraft.message.Quiesce;
import io.ringraft.message.VoteRequest;
import io.ringraft.message.VoteResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Quiescence on the multi-engine harness (synchronous rounds: tick every node, then deliver and flush
 * until nothing moves): when a group goes quiet, that it stays silent, what wakes it, and how lost
 * peers are handled. Election timeout 10 ticks, heartbeat 1, quiescence after 10 idle ticks.
 */
class QuiescenceScenariosTest {

    private static final int ET = 10;
    private static final int QUIESCE_AFTER = 10;

    /** A 3-node cluster with a leader that committed {@code writes} entries, not yet quiet. */
    private static Cluster cluster(long seed, int size) {
        Cluster c = Cluster.builder(size).seed(seed).quiesceAfter(QUIESCE_AFTER).build();
        awaitLeader(c, 4 * ET);
        c.proposeNew(c.leader(), 3);
        c.stabilize();
        return c;
    }

    private static boolean allQuiet(Cluster c) {
        return c.upIds().stream().allMatch(id -> c.engine(id).quiesced());
    }

    private static void awaitQuiet(Cluster c) {
        int rounds = c.roundsUntil(() -> allQuiet(c), QUIESCE_AFTER + 2 * ET);
        assertTrue(rounds >= 0, () -> "the group did not quiesce\n" + c.dump());
    }

    @Test
    void anIdleGroupQuiescesAndThenSendsNothingAtAll() {
        for (long seed = 1; seed <= 5; seed++) {
            Cluster c = cluster(seed, 3);
            long leader = c.leader();
            long term = c.engine(leader).term();
            int rounds = c.roundsUntil(() -> allQuiet(c), QUIESCE_AFTER + 2 * ET);
            assertTrue(rounds >= QUIESCE_AFTER, () -> "quiesced before the idle period ran: " + c.dump());
            long sent = c.network().stats().sent();
            c.rounds(20 * ET);
            assertEquals(sent, c.network().stats().sent(), () -> "a quiet group sent messages\n" + c.dump());
            assertEquals(List.of(leader), c.leaders(), c::dump);
            for (long id : c.allIds()) {
                assertEquals(term, c.engine(id).term(), c::dump);
                assertEquals(leader, c.engine(id).leaderId(), c::dump);
                assertEquals(c.engine(leader).lastLogId().index(), c.engine(id).commitIndex(), c::dump);
            }
        }
    }

    @Test
    void aLaggingFollowerKeepsTheGroupAwakeUntilItCatchesUp() {
        Cluster c = cluster(3, 3);
        long leader = c.leader();
        long lagging = leader % 3 + 1;
        c.network().isolate(lagging);
        c.proposeNew(leader, 2);
        c.rounds(5 * ET);
        assertFalse(c.engine(leader).quiesced(), c::dump);
        assertFalse(c.engine(lagging).quiesced(), c::dump);
        c.network().heal();
        // The isolated follower may have campaigned; either way the group settles and goes quiet.
        awaitLeader(c, 4 * ET);
        c.rounds(2 * ET);
        awaitQuiet(c);
    }

    @Test
    void aFollowerThatDoesNotAnswerKeepsTheLeaderAwake() {
        Cluster c = cluster(4, 5);
        long leader = c.leader();
        long silent = leader % 5 + 1;
        c.crash(silent);
        c.rounds(5 * ET); // a quorum answers: the leader leads on, but never goes quiet
        assertEquals(Role.LEADER, c.engine(leader).role(), c::dump);
        assertFalse(c.engine(leader).quiesced(), c::dump);
        c.restart(silent);
        c.rounds(ET);
        awaitQuiet(c);
    }

    @Test
    void aQuietFollowerIgnoresTicksForever() {
        Cluster c = cluster(5, 3);
        awaitQuiet(c);
        long leader = c.leader();
        long follower = leader % 3 + 1;
        long term = c.engine(follower).term();
        long sent = c.network().stats().sent();
        c.tick(follower, 100 * ET);
        assertEquals(Role.FOLLOWER, c.engine(follower).role(), c::dump);
        assertEquals(term, c.engine(follower).term(), c::dump);
        assertEquals(sent, c.network().stats().sent(), c::dump);
        assertTrue(c.engine(follower).quiesced(), c::dump);
    }

    @Test
    void aProposalWakesTheGroupAtOnceAndItGoesQuietAgainAfterCommitting() {
        Cluster c = cluster(6, 3);
        awaitQuiet(c);
        long leader = c.leader();
        long before = c.engine(leader).commitIndex();
        c.recordSent();
        long index = c.proposeNew(leader, 1);
        assertFalse(c.engine(leader).quiesced(), c::dump);
        // Before any tick: the leader sent heartbeats and the entry to both followers.
        for (long id : c.allIds()) {
            if (id != leader) {
                long to = id;
                assertFalse(c.sent(AppendEntriesRequest.class, m -> m.to() == to).isEmpty(), c::dump);
            }
        }
        c.stabilize();
        for (long id : c.allIds()) {
            assertFalse(c.engine(id).quiesced(), () -> "node " + id + " stayed quiet\n" + c.dump());
            assertEquals(index, c.engine(id).lastLogId().index(), c::dump);
        }
        assertTrue(c.engine(leader).commitIndex() > before, c::dump);
        awaitQuiet(c);
        for (long id : c.allIds()) {
            assertEquals(index, c.engine(id).commitIndex(), c::dump);
        }
    }

    @Test
    void aQuietFollowerIgnoresAPreVoteAndWakesItsLeader() {
        Cluster c = cluster(7, 3);
        awaitQuiet(c);
        long leader = c.leader();
        long follower = leader % 3 + 1;
        long other = follower % 3 + 1 == leader ? leader % 3 + 2 : follower % 3 + 1;
        long term = c.engine(follower).term();
        c.recordSent();
        // An up-to-date pre-candidate (say, one whose host wrongly believed the leader dead)
        c.inject(new VoteRequest(other, follower, term + 1, c.engine(other).lastLogId(), true));
        assertTrue(c.sent(VoteResponse.class, r -> r.from() == follower && r.granted()).isEmpty(), c::dump);
        // It woke and called its leader (a probe acknowledgement of round 0), which must heartbeat again
        assertEquals(List.of(new LeadershipProbeAck(follower, leader, term, 0)),
                c.sent(LeadershipProbeAck.class, r -> r.from() == follower), c::dump);
        c.deliverAll();
        assertFalse(c.engine(leader).quiesced(), c::dump);
        assertEquals(term, c.engine(follower).term(), c::dump);
        c.stabilize();
        c.rounds(ET);
        assertEquals(List.of(leader), c.leaders(), c::dump);
        awaitQuiet(c);
    }

    @Test
    void withoutAReportQuietFollowersNeverNoticeADeadLeader() {
        Cluster c = cluster(8, 3);
        awaitQuiet(c);
        long leader = c.leader();
        c.crash(leader);
        c.rounds(10 * ET);
        for (long id : c.upIds()) {
            assertEquals(Role.FOLLOWER, c.engine(id).role(), c::dump);
            assertEquals(leader, c.engine(id).leaderId(), c::dump);
        }
    }

    @Test
    void aLostLeaderIsReplacedWithinOneElectionTimeoutOfTheReport() {
        for (long seed = 1; seed <= 20; seed++) {
            Cluster c = cluster(seed, 3);
            awaitQuiet(c);
            long leader = c.leader();
            long term = c.engine(leader).term();
            c.crash(leader);
            for (long id : c.upIds()) {
                c.peerUnreachable(id, leader);
                assertFalse(c.engine(id).quiesced(), c::dump);
            }
            // A campaign starts within ET ticks; pre-vote and vote then take a round each.
            int rounds = c.roundsUntil(() -> c.leader() != 0 && c.leader() != leader, ET + 2);
            long s = seed;
            assertTrue(rounds >= 0, () -> "seed " + s + ": no new leader within one election timeout\n" + c.dump());
            assertTrue(c.engine(c.leader()).term() > term, c::dump);
        }
    }

    @Test
    void aReportAboutAnotherNodeOrAnActiveNodeChangesNothing() {
        Cluster c = cluster(9, 3);
        awaitQuiet(c);
        long leader = c.leader();
        long follower = leader % 3 + 1;
        long other = c.allIds().stream().filter(id -> id != leader && id != follower).findFirst().orElseThrow();
        c.peerUnreachable(follower, other); // not its leader
        assertTrue(c.engine(follower).quiesced(), c::dump);
        c.peerUnreachable(follower, 99); // unknown
        assertTrue(c.engine(follower).quiesced(), c::dump);
        c.proposeNew(leader, 1); // wakes everything
        c.stabilize();
        long term = c.engine(follower).term();
        c.peerUnreachable(follower, leader); // active: it keeps its own timer and lease
        c.rounds(3 * ET);
        assertEquals(term, c.engine(follower).term(), c::dump);
        assertEquals(List.of(leader), c.leaders(), c::dump);
    }

    @Test
    void aQuietLeaderThatLosesAFollowerWakesAndStepsDownWithoutAQuorum() {
        Cluster c = cluster(10, 3);
        awaitQuiet(c);
        long leader = c.leader();
        c.recordSent();
        for (long id : c.allIds()) {
            if (id != leader) {
                c.crash(id);
            }
        }
        c.peerUnreachable(leader, leader % 3 + 1);
        assertFalse(c.engine(leader).quiesced(), c::dump);
        // It heartbeats at once, before any tick
        assertEquals(2, c.sent(AppendEntriesRequest.class, m -> m.from() == leader).size(), c::dump);
        int rounds = c.roundsUntil(() -> c.engine(leader).role() != Role.LEADER, 2 * ET);
        assertTrue(rounds >= 0 && rounds <= ET + 1, () -> "check-quorum did not resume: " + rounds + "\n" + c.dump());
    }

    @Test
    void aLateQuiesceFromALostLeaderDoesNotPutTheFollowerBackToSleep() {
        Cluster c = cluster(11, 3);
        awaitQuiet(c);
        long leader = c.leader();
        long follower = leader % 3 + 1;
        Quiesce late = new Quiesce(leader, follower, c.engine(leader).term(), c.engine(leader).lastLogId());
        c.crash(leader);
        c.peerUnreachable(follower, leader);
        c.inject(late);
        assertFalse(c.engine(follower).quiesced(), c::dump);
        c.tick(follower, ET);
        assertNotEquals(Role.FOLLOWER, c.engine(follower).role(), c::dump);
    }

    @Test
    void aQuietLeaderWokenByAStaleTermMessageStepsDownOrLeadsOnSafely() {
        // A partitioned quiet leader: the others elect a new leader after the report; when the old
        // leader hears of it, no two leaders share a term, and the old one follows.
        Cluster c = cluster(12, 3);
        awaitQuiet(c);
        long old = c.leader();
        long oldTerm = c.engine(old).term();
        c.network().isolate(old);
        for (long id : c.allIds()) {
            if (id != old) {
                c.peerUnreachable(id, old);
            }
        }
        c.peerUnreachable(old, old % 3 + 1);
        int rounds = c.roundsUntil(() -> c.leaders().stream().anyMatch(id -> id != old), 3 * ET);
        assertTrue(rounds >= 0, c::dump);
        c.rounds(2 * ET);
        assertNotEquals(Role.LEADER, c.engine(old).role(), () -> "check-quorum must depose the old leader\n" + c.dump());
        c.network().heal();
        c.rounds(2 * ET);
        long leader = c.leader();
        assertNotEquals(old, leader, c::dump);
        assertTrue(c.engine(leader).term() > oldTerm, c::dump);
        assertEquals(1, c.leaders().size(), c::dump);
        awaitQuiet(c);
    }
}
