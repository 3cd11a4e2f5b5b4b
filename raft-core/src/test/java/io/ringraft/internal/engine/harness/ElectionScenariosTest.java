package io.ringraft.internal.engine.harness;

import static io.ringraft.internal.engine.harness.Scenarios.awaitConverged;
import static io.ringraft.internal.engine.harness.Scenarios.awaitLeader;
import static io.ringraft.internal.engine.harness.Scenarios.elect;
import static io.ringraft.internal.engine.harness.Scenarios.voteRequest;
import static io.ringraft.internal.engine.harness.Scenarios.voteResponse;
import static io.ringraft.internal.engine.harness.Scenarios.without;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringraft.api.Role;
import io.ringraft.api.Vote;
import io.ringraft.message.VoteRequest;
import io.ringraft.message.VoteResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Catalogue section A (leader election), scenarios A1-A11, on the multi-engine harness. */
class ElectionScenariosTest {

    private static final int ET = 10;
    private static final int ET_MAX = 2 * ET;

    @Test
    void a1_initialElection() {
        for (boolean safeguards : new boolean[] {true, false}) {
            for (long seed = 1; seed <= 10; seed++) {
                Cluster c = Cluster.builder(3).seed(seed).preVote(safeguards).checkQuorum(safeguards).build();
                int rounds = c.roundsUntil(() -> c.agreedLeader(c.allIds()) != 0, 2 * ET_MAX);
                assertTrue(rounds >= 0, () -> "no leader within 2 x ET_max\n" + c.dump());
                assertEquals(1, c.leaders().size(), c::dump);
                long leader = c.leader();
                long term = c.engine(leader).term();
                assertTrue(term >= 1, c::dump);
                // Heartbeats flow every round; nothing may change over 10 election timeouts.
                for (int i = 0; i < 10 * ET_MAX; i++) {
                    c.round();
                    assertEquals(List.of(leader), c.leaders(), c::dump);
                    for (long id : c.allIds()) {
                        assertEquals(term, c.engine(id).term(), c::dump);
                        assertEquals(leader, c.engine(id).leaderId(), c::dump);
                    }
                }
                assertEquals(Map.of(term, leader), c.checker().leadersByTerm(), c::dump);
            }
        }
    }

    @Test
    void a2_reElectionAndOldLeaderStepsDown() {
        for (boolean safeguards : new boolean[] {true, false}) {
            Cluster c = Cluster.builder(3).seed(7).preVote(safeguards).checkQuorum(safeguards).build();
            long l1 = awaitLeader(c, 2 * ET_MAX);
            long t1 = c.engine(l1).term();

            c.network().isolate(l1);
            List<Long> rest = without(c.allIds(), l1);
            long l2 = awaitLeader(c, rest, 4 * ET_MAX);
            long t2 = c.engine(l2).term();
            assertTrue(t2 > t1, c::dump);
            c.rounds(2 * ET);
            if (safeguards) {
                assertFalse(c.node(l1).isLeader(), () -> "check-quorum must depose the isolated leader\n" + c.dump());
            } else {
                // It may still believe it leads, but only in its old term, which no quorum knows of.
                assertEquals(t1, c.engine(l1).term(), c::dump);
            }

            c.network().heal();
            long l3 = awaitLeader(c, 4 * ET_MAX);
            assertEquals(1, c.leaders().size(), c::dump);
            assertEquals(Role.FOLLOWER, c.node(l1).role(), c::dump);
            assertTrue(c.engine(l1).term() >= t2, c::dump);

            // No two nodes can talk: no new leader may appear, and check-quorum deposes the old one.
            c.network().partition(List.of());
            long maxLeaderTerm = c.engine(l3).term();
            c.rounds(4 * ET_MAX);
            for (Map.Entry<Long, Long> e : c.checker().leadersByTerm().entrySet()) {
                assertTrue(e.getKey() <= maxLeaderTerm, () -> "a leader was elected without a quorum\n" + c.dump());
            }
            if (safeguards) {
                assertTrue(c.leaders().isEmpty(), c::dump);
            }

            // Two of three reconnected: a leader again.
            List<Long> pair = without(c.allIds(), l3);
            c.network().connect(pair.get(0), pair.get(1));
            awaitLeader(c, pair, 6 * ET_MAX);
        }
    }

    @Test
    void a3_manyElections() {
        for (long seed = 1; seed <= 3; seed++) {
            Cluster c = Cluster.builder(7).seed(seed).build();
            awaitLeader(c, 2 * ET_MAX);
            for (int round = 0; round < 10; round++) {
                List<Long> connected = new ArrayList<>(c.allIds());
                for (int k = 0; k < 3; k++) {
                    long victim = connected.remove(c.random().nextInt(connected.size()));
                    c.network().isolate(victim);
                }
                long leader = awaitLeader(c, connected, 6 * ET_MAX);
                // The four connected nodes make progress (a probe lost to the partition is resent on a heartbeat).
                long index = c.proposeNew(leader, 1);
                int rounds = c.roundsUntil(() -> connected.stream().allMatch(id -> c.engine(id).commitIndex() >= index),
                        2 * ET);
                assertTrue(rounds >= 0, c::dump);
                c.network().heal();
                c.rounds(2);
            }
        }
    }

    @Test
    void a4_splitVotesConverge() {
        for (int size : new int[] {3, 5}) {
            for (boolean preVote : new boolean[] {false, true}) {
                for (long seed = 1; seed <= 5; seed++) {
                    Cluster c = Cluster.builder(size).seed(seed).preVote(preVote).checkQuorum(false).build();
                    // Everyone campaigns at the same instant, three times over: each is a split vote.
                    for (int duel = 1; duel <= 3; duel++) {
                        for (long id : c.allIds()) {
                            c.campaign(id);
                        }
                        c.stabilize();
                        assertTrue(c.leaders().isEmpty(), c::dump);
                        for (long id : c.allIds()) {
                            assertEquals(duel, c.engine(id).term(), c::dump);
                        }
                    }
                    // The randomized timeouts then break the tie within a few terms.
                    long leader = awaitLeader(c, 10 * ET_MAX);
                    long term = c.engine(leader).term();
                    assertTrue(term <= 3 + 5, () -> "took " + term + " terms\n" + c.dump());
                }
            }
        }
    }

    @Test
    void a5_upToDateRestriction() {
        Cluster c = Cluster.builder(3).preVote(false).checkQuorum(false).build().recordSent();
        elect(c, 1);
        c.network().isolate(3);
        c.propose(1, "a", "b", "c");
        c.stabilize();
        assertEquals(4, c.node(2).log().size(), c::dump);
        assertEquals(1, c.node(3).log().size(), c::dump);

        // Equal last term, shorter log: node 2 refuses node 3.
        c.network().heal();
        c.network().isolate(1);
        c.campaign(3);
        c.stabilize();
        List<VoteResponse> answers = c.sent(VoteResponse.class, r -> r.from() == 2 && r.to() == 3 && !r.preVote());
        assertEquals(1, answers.size(), c::dump);
        assertFalse(answers.get(0).granted(), c::dump);
        assertFalse(c.node(3).isLeader(), c::dump);

        // The more up-to-date node wins, with node 3's vote.
        long t2 = elect(c, 2);
        assertEquals(5, c.node(3).log().size(), c::dump);

        // Lower last term, longer log: node 1 (still leading term 1, isolated) grows its log to 14.
        assertTrue(c.node(1).isLeader(), c::dump);
        for (int i = 0; i < 10; i++) {
            c.proposeNew(1, 1);
        }
        c.stabilize();
        assertEquals(14, c.node(1).log().size(), c::dump);
        c.network().heal();
        c.network().isolate(2);
        c.stabilize();
        c.round(); // node 1's heartbeat meets node 3's higher term: node 1 steps down
        assertFalse(c.node(1).isLeader(), c::dump);
        c.campaign(1);
        c.stabilize();
        long t = c.engine(1).term();
        List<VoteResponse> refusals = c.sent(VoteResponse.class,
                r -> r.from() == 3 && r.to() == 1 && r.term() == t && !r.preVote());
        assertEquals(1, refusals.size(), c::dump);
        assertFalse(refusals.get(0).granted(), () -> "(1,14) is less up to date than (" + t2 + ",5)\n" + c.dump());
        assertFalse(c.node(1).isLeader(), c::dump);

        // Node 3 has the more up-to-date log and gets node 1's vote.
        elect(c, 3);
        c.network().heal();
        awaitConverged(c, 10);
        assertEquals(6, c.node(1).log().size(), c::dump); // node 1's ten term-1 entries are gone
    }

    @Test
    void a6_disruptiveRejoiner() {
        // With pre-vote and check-quorum the isolated follower cannot raise its term: nothing changes.
        for (long seed = 1; seed <= 5; seed++) {
            Cluster c = Cluster.builder(3).seed(seed).build();
            long leader = awaitLeader(c, 2 * ET_MAX);
            long term = c.engine(leader).term();
            long follower = without(c.allIds(), leader).get(0);
            c.network().isolate(follower);
            c.rounds(10 * ET_MAX);
            c.proposeNew(leader, 3);
            c.stabilize();
            assertEquals(term, c.engine(follower).term(), c::dump);
            c.network().heal();
            for (int i = 0; i < 5 * ET_MAX; i++) {
                c.round();
                assertTrue(c.node(leader).isLeader(), c::dump);
                assertEquals(term, c.maxTerm(), c::dump);
            }
            assertEquals(1, c.checker().leadersByTerm().size(), c::dump);
            Scenarios.assertConverged(c); // the rejoiner caught up
        }
        // Without pre-vote the rejoiner's inflated term deposes the leader (allowed); a leader follows.
        for (long seed = 1; seed <= 5; seed++) {
            Cluster c = Cluster.builder(3).seed(seed).preVote(false).checkQuorum(false).build();
            long leader = awaitLeader(c, 2 * ET_MAX);
            long term = c.engine(leader).term();
            long follower = without(c.allIds(), leader).get(0);
            c.network().isolate(follower);
            c.rounds(10 * ET_MAX);
            long inflated = c.engine(follower).term();
            assertTrue(inflated > term, c::dump);
            c.network().heal();
            long next = awaitLeader(c, 10 * ET_MAX);
            assertTrue(c.engine(next).term() > inflated - 1 && c.engine(next).term() > term, c::dump);
            awaitConverged(c, 10);
        }
    }

    @Test
    void a7_behindNodeAndLeaderPartitionWithPreVote() {
        // The scripted etcd sequence (TestNodeWithSmallerTermCanCompleteElection).
        Cluster c = Cluster.builder(3).preVote(true).checkQuorum(false).build();
        c.network().cut(1, 3);
        c.network().cut(2, 3);
        elect(c, 1);
        c.campaign(3);
        c.stabilize();
        assertEquals(Role.PRE_CANDIDATE, c.node(3).role(), c::dump);
        elect(c, 2);
        assertEquals(Role.FOLLOWER, c.node(1).role(), c::dump);
        assertEquals(2, c.engine(1).term(), c::dump);
        assertEquals(0, c.engine(3).term(), c::dump);
        // Node 3 comes back exactly when leader 2 goes away.
        c.network().heal();
        c.network().isolate(2);
        c.campaign(3);
        c.campaign(1);
        c.stabilize();
        assertTrue(c.node(1).isLeader() || c.node(3).isLeader(), () -> "standstill\n" + c.dump());

        // The same shape driven by timers, with check-quorum, over several seeds.
        for (long seed = 1; seed <= 10; seed++) {
            Cluster d = Cluster.builder(3).seed(seed).build();
            long leader = awaitLeader(d, 2 * ET_MAX);
            long behind = without(d.allIds(), leader).get(0);
            d.network().isolate(behind);
            d.proposeNew(leader, 5);
            d.rounds(3 * ET_MAX);
            d.network().heal();
            d.network().isolate(leader);
            awaitLeader(d, without(d.allIds(), leader), 6 * ET_MAX);
        }
    }

    @Test
    void a8_partialConnectivityElectsStableLeader() {
        for (long seed = 1; seed <= 10; seed++) {
            Cluster c = Cluster.builder(3).seed(seed).build();
            c.network().cut(1, 3); // 1 <-> 2 <-> 3, but 1 -/- 3
            int rounds = c.roundsUntil(() -> c.leader() != 0 && c.engine(2).leaderId() == c.leader()
                    && c.engine(2).term() == c.engine(c.leader()).term(), 10 * ET_MAX);
            assertTrue(rounds >= 0, c::dump);
            long termsBefore = c.checker().leadersByTerm().size();
            long termBefore = c.maxTerm();
            for (int i = 0; i < 50 * ET; i++) {
                c.round();
                if (i % 10 == 0 && c.leader() != 0) {
                    long index = c.proposeNew(c.leader(), 1);
                    c.stabilize();
                    assertTrue(c.engine(c.leader()).commitIndex() >= index, c::dump);
                }
            }
            long churn = c.checker().leadersByTerm().size() - termsBefore;
            assertTrue(churn == 0 && c.maxTerm() == termBefore,
                    () -> "election churn under partial connectivity: " + churn + "\n" + c.dump());
        }
        // An established leader keeps its term when the link to one follower breaks.
        Cluster c = Cluster.builder(3).build();
        long term = elect(c, 1);
        c.network().cut(1, 3);
        c.rounds(50 * ET);
        assertTrue(c.node(1).isLeader(), c::dump);
        assertEquals(term, c.maxTerm(), c::dump);
    }

    @Test
    void a9_checkQuorumStepDown() {
        Cluster c = Cluster.builder(5).build();
        elect(c, 1);
        long committed = c.engine(1).commitIndex();
        c.network().isolate(1);
        long index = c.propose(1, "isolated");
        assertTrue(index > 0, c::dump);
        int rounds = c.roundsUntil(() -> !c.node(1).isLeader(), 2 * ET);
        assertTrue(rounds >= 0, () -> "isolated leader did not step down within 2 x ET\n" + c.dump());
        assertEquals(-1, c.proposeNew(1, 1), c::dump);
        c.rounds(2 * ET_MAX);
        assertEquals(committed, c.engine(1).commitIndex(), c::dump);
        assertFalse(Scenarios.logHolds(c.checker().committedLog(), "isolated"), c::dump);
        c.network().heal();
        awaitConverged(c, 2 * ET_MAX);
        assertFalse(Scenarios.logHolds(c.node(1).log(), "isolated"), c::dump);
    }

    @Test
    void a10_staleVoteResponses() {
        // Node 1's own vote becomes durable only after it lost the election to node 2.
        Cluster c = Cluster.builder(3).preVote(false).checkQuorum(false).build();
        c.campaign(1);
        c.campaign(2);
        c.flush(2);
        c.deliverFirst(voteRequest(2, 3));
        c.flush(3);
        c.deliverFirst(voteResponse(3, 2));
        assertTrue(c.node(2).isLeader(), c::dump);
        c.deliverAll(Scenarios.from(2));
        assertEquals(Role.FOLLOWER, c.node(1).role(), c::dump);
        c.flush(1); // the self-vote is durable now, too late to count
        assertEquals(Role.FOLLOWER, c.node(1).role(), c::dump);
        c.stabilize();
        assertEquals(List.of(2L), c.leaders(), c::dump);

        // A grant from an earlier term arrives after the candidate moved on.
        Cluster d = Cluster.builder(3).preVote(false).checkQuorum(false).build();
        d.campaign(1);
        d.flush(1);
        d.network().dropIf(voteRequest(1, 3));
        d.deliverFirst(voteRequest(1, 2));
        d.flush(2);
        assertEquals(1, d.network().matching(voteResponse(2, 1)).size(), d::dump);
        d.campaign(1); // term 2
        d.flush(1);
        d.network().dropIf(voteRequest(1, 2).or(voteRequest(1, 3)));
        d.deliverFirst(voteResponse(2, 1)); // the term-1 grant
        assertEquals(Role.CANDIDATE, d.node(1).role(), d::dump);
        assertEquals(2, d.engine(1).term(), d::dump);
        assertTrue(d.checker().leadersByTerm().isEmpty(), d::dump);
        d.campaign(1); // term 3, delivered normally
        d.stabilize();
        assertEquals(Map.of(3L, 1L), d.checker().leadersByTerm(), d::dump);
    }

    @Test
    void a10_candidateLeadsOnlyOnceItsOwnVoteIsDurable() {
        // Peers' grants alone make a quorum, but the candidate's own vote is not on disk yet.
        Cluster c = Cluster.builder(3).preVote(false).checkQuorum(false).build();
        c.campaign(1);
        c.deliverAll(m -> m instanceof VoteRequest);
        c.flush(2);
        c.flush(3);
        c.deliverAll(m -> m instanceof VoteResponse);
        assertEquals(Role.CANDIDATE, c.node(1).role(), () -> "led before its own vote was durable\n" + c.dump());
        // It crashes before the flush: back in term 0, it campaigns for term 1 again and its voters
        // (who voted for it) grant again. It may lead term 1 now, but only once.
        c.crash(1);
        c.network().dropIf(m -> true);
        c.restart(1);
        assertEquals(0, c.engine(1).term(), c::dump);
        c.campaign(1);
        c.stabilize();
        assertEquals(Map.of(1L, 1L), c.checker().leadersByTerm(), c::dump);
        assertTrue(c.node(1).isLeader(), c::dump);
        // Without a crash, the flush of its own vote is what makes it leader.
        Cluster d = Cluster.builder(3).preVote(false).checkQuorum(false).build();
        d.campaign(1);
        d.deliverAll(m -> m instanceof VoteRequest);
        d.flush(2);
        d.flush(3);
        d.deliverAll(m -> m instanceof VoteResponse);
        assertFalse(d.node(1).isLeader(), d::dump);
        d.flush(1);
        assertTrue(d.node(1).isLeader(), d::dump);
    }

    @Test
    void a11_higherTermRejectionBeforeLastGrant() {
        Cluster c = Cluster.builder(3).preVote(false).checkQuorum(false).build();
        c.network().isolate(2);
        for (int i = 0; i < 5; i++) {
            c.campaign(2);
            c.flush(2);
        }
        assertEquals(5, c.engine(2).term(), c::dump);
        c.network().heal();
        c.network().dropIf(m -> true);
        c.campaign(1);
        c.flush(1);
        c.deliverFirst(voteRequest(1, 2));
        c.deliverFirst(voteRequest(1, 3));
        c.flush(3);
        // In flight to node 1: node 2's rejection in term 5, then node 3's grant in term 1.
        c.deliverFirst(voteResponse(2, 1));
        c.deliverFirst(voteResponse(3, 1));
        assertEquals(Role.FOLLOWER, c.node(1).role(), c::dump);
        assertEquals(new Vote(5, Vote.NONE), c.engine(1).vote(), c::dump);
        assertTrue(c.checker().leadersByTerm().isEmpty(), c::dump);
        long leader = awaitLeader(c, 4 * ET_MAX);
        assertNotEquals(0, leader);
        assertTrue(c.engine(leader).term() > 5, c::dump);
    }
}
