package io.ringraft.internal.engine.harness;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.RaftMessage;
import io.ringraft.message.VoteRequest;
import io.ringraft.message.VoteResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Small helpers shared by the scenario tests. */
final class Scenarios {

    private Scenarios() {
    }

    /** Runs rounds until every node agrees on one leader; fails with a dump after {@code maxRounds}. */
    static long awaitLeader(Cluster c, List<Long> group, int maxRounds) {
        int rounds = c.roundsUntil(() -> c.agreedLeader(group) != 0, maxRounds);
        assertTrue(rounds >= 0, () -> "no leader agreed by " + group + " within " + maxRounds + " rounds\n" + c.dump());
        return c.agreedLeader(group);
    }

    static long awaitLeader(Cluster c, int maxRounds) {
        return awaitLeader(c, c.allIds(), maxRounds);
    }

    /** Campaigns on {@code id} and stabilizes; asserts it won. */
    static long elect(Cluster c, long id) {
        c.campaign(id);
        c.stabilize();
        assertTrue(c.node(id).isLeader(), () -> "node " + id + " did not win\n" + c.dump());
        return c.engine(id).term();
    }

    static List<Long> without(List<Long> ids, long... removed) {
        List<Long> out = new ArrayList<>(ids);
        for (long r : removed) {
            out.remove(r);
        }
        return out;
    }

    static Predicate<RaftMessage> from(long id) {
        return m -> m.from() == id;
    }

    static Predicate<RaftMessage> to(long id) {
        return m -> m.to() == id;
    }

    static Predicate<RaftMessage> between(long from, long to) {
        return m -> m.from() == from && m.to() == to;
    }

    static Predicate<RaftMessage> voteRequest(long from, long to) {
        return m -> m instanceof VoteRequest && m.from() == from && m.to() == to;
    }

    static Predicate<RaftMessage> voteResponse(long from, long to) {
        return m -> m instanceof VoteResponse && m.from() == from && m.to() == to;
    }

    static Predicate<RaftMessage> appendRequest(long from, long to) {
        return m -> m instanceof AppendEntriesRequest && m.from() == from && m.to() == to;
    }

    /** Asserts that every running node holds the same log, has committed all of it, and returns it. */
    static List<SimEntry> assertConverged(Cluster c) {
        assertTrue(c.converged(), () -> "not converged\n" + c.dump());
        c.checker().checkFull();
        return c.node(c.upIds().get(0)).log();
    }

    /** Runs rounds until all running nodes converge; fails after {@code maxRounds}. */
    static void awaitConverged(Cluster c, int maxRounds) {
        int rounds = c.roundsUntil(c::converged, maxRounds);
        assertTrue(rounds >= 0, () -> "not converged within " + maxRounds + " rounds\n" + c.dump());
        c.checker().checkFull();
    }

    /**
     * Liveness after heal under random stepping: waits for a leader, proposes a fresh entry and
     * waits until it is committed and every running node has converged. A proposal may be lost
     * legitimately (its leader deposed before replicating it); then it proposes again.
     */
    static void awaitProgress(Cluster c, int maxSteps, String context) {
        int budget = maxSteps;
        for (int attempt = 0; attempt < 20; attempt++) {
            int steps = c.runUntil(() -> c.leader() != 0, budget);
            assertTrue(steps >= 0, () -> "no leader after heal, " + context + "\n" + c.dump());
            budget -= steps;
            long leader = c.leader();
            long term = c.engine(leader).term();
            String payload = c.nextPayload();
            long index = c.propose(leader, payload);
            steps = c.runUntil(() -> isCommitted(c, index, payload) && c.converged()
                    || !(c.isUp(leader) && c.node(leader).isLeader() && c.engine(leader).term() == term), budget);
            assertTrue(steps >= 0, () -> "no progress after heal, " + context + "\n" + c.dump());
            budget -= steps;
            if (isCommitted(c, index, payload)) {
                steps = c.runUntil(c::converged, budget);
                assertTrue(steps >= 0, () -> "no convergence after heal, " + context + "\n" + c.dump());
                c.checker().checkFull();
                return;
            }
        }
        throw new AssertionError("no proposal committed after heal in 20 leaderships, " + context + "\n" + c.dump());
    }

    private static boolean isCommitted(Cluster c, long index, String payload) {
        InvariantChecker checker = c.checker();
        return checker.committedCount() >= index && checker.committedEntry(index).text().equals(payload);
    }

    static boolean logHolds(List<SimEntry> log, String payload) {
        for (SimEntry e : log) {
            if (e.text().equals(payload)) {
                return true;
            }
        }
        return false;
    }
}
