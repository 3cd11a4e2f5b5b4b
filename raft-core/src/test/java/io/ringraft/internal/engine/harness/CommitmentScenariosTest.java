package io.ringraft.internal.engine.harness;

import static io.ringraft.internal.engine.harness.Scenarios.appendRequest;
import static io.ringraft.internal.engine.harness.Scenarios.awaitConverged;
import static io.ringraft.internal.engine.harness.Scenarios.awaitLeader;
import static io.ringraft.internal.engine.harness.Scenarios.between;
import static io.ringraft.internal.engine.harness.Scenarios.elect;
import static io.ringraft.internal.engine.harness.Scenarios.from;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringraft.api.LogId;
import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.AppendEntriesResponse;
import io.ringraft.message.VoteRequest;
import io.ringraft.message.VoteResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Catalogue section C (the commitment rule): C25 Figure 8, C26 Figure 8 unreliable, C29 lagging commit. */
class CommitmentScenariosTest {

    private static final int ET = 10;

    /** Elects {@code id} with real votes: flushes and delivers only election traffic. */
    private static void electByVotes(Cluster c, long id) {
        c.campaign(id);
        c.flush(id);
        c.deliverAll(m -> m instanceof VoteRequest);
        c.flushAll();
        c.deliverAll(m -> m instanceof VoteResponse);
    }

    /**
     * Raft paper Figure 8 (a)-(c) with no-op entries. Index 1 is (T1) everywhere. (a) S1 leads term 2
     * and its entry (T2, 2) reaches only S2. (b) S1 crashes; S5 leads term 3 with S3 and S4 and writes
     * (T3, 2) only locally; S5 crashes. (c) S1 restarts, leads term 4 and replicates (T2, 2) to S3:
     * now on a majority, but not of term 4. Returns the held AppendEntries that would carry S1's
     * term-4 entry to S3.
     */
    private static AppendEntriesRequest figure8UpToC(Cluster c) {
        elect(c, 3);                                        // term 1: (T1, 1) on all, committed
        // (a)
        electByVotes(c, 1);
        assertTrue(c.node(1).isLeader() && c.engine(1).term() == 2, c::dump);
        c.deliverAll(appendRequest(1, 2));
        c.network().dropIf(from(1));
        c.flushAll();
        c.deliverAll(between(2, 1));
        assertEquals(new LogId(2, 2), c.engine(2).lastLogId(), c::dump);
        assertEquals(1, c.engine(1).commitIndex(), c::dump);
        // (b)
        c.crash(1);
        electByVotes(c, 5);
        assertTrue(c.node(5).isLeader() && c.engine(5).term() == 3, c::dump);
        c.network().dropIf(from(5));
        c.flush(5);
        assertEquals(new LogId(3, 2), c.engine(5).lastLogId(), c::dump);
        c.crash(5);
        c.network().dropIf(m -> true);
        // (c)
        c.restart(1);
        electByVotes(c, 1);                                 // term 3: S3 and S4 voted for S5 already
        c.network().dropIf(m -> true);
        assertTrue(!c.node(1).isLeader(), c::dump);
        electByVotes(c, 1);                                 // term 4
        assertTrue(c.node(1).isLeader() && c.engine(1).term() == 4, c::dump);
        c.flush(1);
        c.network().dropIf(appendRequest(1, 4));
        AppendEntriesRequest toTwo = (AppendEntriesRequest) c.network().matching(appendRequest(1, 2)).get(0).message();
        c.network().dropIf(appendRequest(1, 2));
        // S3 lacks index 2: the probe is rejected, the retry carries (T2, 2) alone (one entry per message).
        c.deliverAll(appendRequest(1, 3).or(between(3, 1)).or(m -> m instanceof AppendEntriesResponse));
        c.flush(3);
        c.deliverFirst(between(3, 1));
        assertEquals(new LogId(2, 2), c.engine(3).lastLogId(), c::dump);
        List<HarnessNetwork.Envelope> next = c.network().matching(appendRequest(1, 3));
        assertEquals(1, next.size(), c::dump);
        AppendEntriesRequest held = (AppendEntriesRequest) next.get(0).message();
        assertEquals(4, held.entries().termAt(0), c::dump);
        c.network().dropIf(appendRequest(1, 3));
        // S2 takes the term-4 entry: index 2 is now on S1, S2, S3.
        c.inject(toTwo);
        c.flush(2);
        c.deliverAll(between(2, 1));
        assertEquals(2, c.engine(1).matchIndexOf(3), c::dump);
        assertEquals(3, c.engine(1).matchIndexOf(2), c::dump);
        assertTrue(c.engine(1).commitIndex() < 2,
                () -> "Figure 8: (T2, 2) is on a majority but is not of term 4, it must not be committed\n" + c.dump());
        assertEquals(1, c.checker().committedLog().size(), c::dump);
        return held;
    }

    private static Cluster figure8Cluster() {
        return Cluster.builder(5).preVote(false).checkQuorum(false).maxEntries(1).build();
    }

    @Test
    void c25_figure8Scripted() {
        Cluster c = figure8Cluster();
        figure8UpToC(c);
        // (d) S1 crashes; S5 comes back and wins term 5 with S3 and S4, and overwrites (T2, 2).
        c.crash(1);
        c.network().dropIf(m -> true);
        c.restart(5);
        electByVotes(c, 5);                                 // term 4: everyone voted for S1
        c.network().dropIf(m -> true);
        electByVotes(c, 5);                                 // term 5
        assertTrue(c.node(5).isLeader() && c.engine(5).term() == 5, c::dump);
        c.stabilize();
        c.rounds(3);
        assertEquals(3, c.node(3).entry(2).term(), () -> "S3's (T2, 2) must be overwritten by (T3, 2)\n" + c.dump());
        assertEquals(3, c.checker().committedLog().get(1).term(), c::dump);
        c.restart(1);
        awaitConverged(c, 4 * ET);
        for (long id : c.allIds()) {
            assertEquals(3, c.node(id).entry(2).term(), c::dump);
        }
    }

    @Test
    void c25_figure8CommitThroughCurrentTerm() {
        Cluster c = figure8Cluster();
        AppendEntriesRequest held = figure8UpToC(c);
        // (e) S1 gets its term-4 entry onto S3 too: index 3 (T4) is on a majority and commits index 2 with it.
        c.inject(held);
        c.flush(3);
        c.deliverAll(between(3, 1));
        assertEquals(3, c.engine(1).commitIndex(), c::dump);
        assertEquals(2, c.checker().committedLog().get(1).term(), c::dump);
        // S5 can no longer win: S2 and S3 hold a more up-to-date log.
        c.crash(1);
        c.network().dropIf(m -> true);
        c.restart(5);
        long leader = awaitLeader(c, List.of(2L, 3L, 4L, 5L), 20 * ET);
        assertNotEquals(5, leader, c::dump);
        awaitConverged(c, 4 * ET);
        for (long id : List.of(2L, 3L, 4L, 5L)) {
            assertEquals(2, c.node(id).entry(2).term(), c::dump);
        }
        assertTrue(c.checker().leadersByTerm().entrySet().stream()
                .noneMatch(e -> e.getValue() == 5 && e.getKey() > 3), c::dump);
    }

    /**
     * The randomized Figure 8 (6.5840 TestFigure8): propose on the leader, run for a short or
     * sometimes long random time, crash the leader (persisting a random prefix of its pending
     * writes), and restart a random node whenever fewer than three are up. Invariants run after
     * every event; at the end everything is restarted and must converge.
     */
    @Test
    void c25_figure8Randomized() {
        for (long seed = 1; seed <= 3; seed++) {
            figure8Randomized(seed, false, 200);
        }
    }

    @Test
    void c26_figure8Unreliable() {
        for (long seed = 1; seed <= 3; seed++) {
            figure8Randomized(seed, true, 150);
        }
    }

    static void figure8Randomized(long seed, boolean unreliable, int iterations) {
        Cluster c = Cluster.builder(5).seed(seed).maxEntries(4).build().shortReads(0.3);
        if (unreliable) {
            c.network().faults(0.10, 0.05, 0.10);
        }
        var random = c.random();
        int proposals = 0;
        for (int iteration = 0; iteration < iterations; iteration++) {
            long leader = c.leader();
            if (leader != 0 && c.proposeNew(leader, 1 + random.nextInt(2)) > 0) {
                proposals++;
            }
            c.steps(random.nextDouble() < 0.1 ? random.nextInt(3_000) : random.nextInt(300));
            if (leader != 0 && c.isUp(leader)) {
                c.crashRandomly(leader);
            }
            List<Long> down = new ArrayList<>(c.allIds());
            down.removeAll(c.upIds());
            if (c.upIds().size() < 3) {
                c.restart(down.get(random.nextInt(down.size())));
            }
        }
        for (long id : c.allIds()) {
            if (!c.isUp(id)) {
                c.restart(id);
            }
        }
        c.network().faults(0, 0, 0);
        Scenarios.awaitProgress(c, 150_000, "seed=" + seed + " unreliable=" + unreliable);
        int accepted = proposals;
        assertTrue(accepted >= 10, () -> "only " + accepted + " proposals\n" + c.dump());
        assertTrue(c.checker().committedLog().size() > 10, c::dump);
    }

    @Test
    void c29_laggingCommitPropagation() {
        Cluster c = Cluster.builder(3).build();
        elect(c, 1);
        long index = c.propose(1, "x");
        c.flush(1);
        c.deliverAll(appendRequest(1, 2).or(appendRequest(1, 3)));
        c.flush(2);
        c.flush(3);
        c.deliverFirst(between(2, 1));                       // quorum: the leader commits and tells followers
        assertEquals(index, c.engine(1).commitIndex(), c::dump);
        c.network().dropIf(appendRequest(1, 3));             // node 3 misses the message carrying the commit
        c.deliverAll(m -> m.to() != 3);
        assertEquals(index, c.engine(2).commitIndex(), c::dump);
        assertTrue(c.engine(3).commitIndex() < index, c::dump);
        c.tick(1);                                           // the heartbeat carries it
        c.stabilize();
        assertEquals(index, c.engine(3).commitIndex(), c::dump);

        // A follower that misses the entries themselves learns the commit but never commits past its log.
        long next = c.propose(1, "y");
        c.flush(1);
        c.network().dropIf(appendRequest(1, 3));
        c.deliverAll(appendRequest(1, 2));
        c.flush(2);
        c.deliverAll(between(2, 1));
        assertEquals(next, c.engine(1).commitIndex(), c::dump);
        c.network().dropIf(appendRequest(1, 3));
        c.tick(1);                                           // heartbeat anchored at node 3's match, commit = next
        c.deliverAll(appendRequest(1, 3));
        assertEquals(index, c.engine(3).lastLogId().index(), c::dump);
        assertEquals(index, c.engine(3).commitIndex(), () -> "commit must not pass the verified log\n" + c.dump());
        for (int i = 0; i < 2 * ET && c.engine(3).commitIndex() < next; i++) {
            c.round();                                       // stall detection re-probes; the entry arrives
        }
        assertEquals(next, c.engine(3).commitIndex(), c::dump);
        Scenarios.assertConverged(c);
    }
}
