package io.ringraft.internal.engine.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringraft.api.Role;
import io.ringraft.message.VoteResponse;
import org.junit.jupiter.api.Test;

/** The harness itself: determinism, storage model, and that the invariant checker really fires. */
class HarnessSelfTest {

    private static Cluster running(long seed) {
        Cluster c = Cluster.builder(3).seed(seed).build();
        c.network().faults(0.05, 0.05, 0.05);
        for (int i = 0; i < 3_000; i++) {
            c.step();
            if (i % 50 == 0 && c.leader() != 0) {
                c.proposeNew(c.leader(), 1);
            }
        }
        return c;
    }

    @Test
    void sameSeedSameRunDifferentSeedDifferentRun() {
        assertEquals(running(3).traceHash(), running(3).traceHash());
        assertEquals(running(3).checker().committedLog(), running(3).checker().committedLog());
        assertNotEquals(running(3).traceHash(), running(4).traceHash());
    }

    @Test
    void crashKeepsOnlyDurableStateAndRestartRecoversIt() {
        Cluster c = Cluster.builder(3).build();
        Scenarios.elect(c, 1);
        c.propose(1, "a", "b");
        assertEquals(3, c.node(1).log().size());
        assertEquals(1, c.node(1).durableLog().size());
        c.crash(1);
        c.network().dropIf(Scenarios.from(1));   // its in-flight messages die with it
        assertEquals(1, c.node(1).log().size());
        c.restart(1);
        assertEquals(1, c.engine(1).lastLogId().index());
        assertEquals(1, c.engine(1).term());
        assertEquals(Role.FOLLOWER, c.node(1).role());
        assertEquals(1, c.node(1).incarnation());
        // A partial flush makes only a prefix durable.
        Scenarios.elect(c, 2);
        c.propose(2, "x");
        c.propose(2, "y");
        int pending = c.node(2).pendingOps();
        c.flushPrefix(2, 1);
        assertEquals(pending - 1, c.node(2).pendingOps());
        assertEquals(c.node(2).log().size() - 1, c.node(2).durableLog().size());
    }

    @Test
    void checkerCatchesTwoLeadersInOneTerm() {
        Cluster c = Cluster.builder(3).build();
        Scenarios.elect(c, 1);
        AssertionError e = assertThrows(AssertionError.class,
                () -> c.checker.onStateChanged(c.node(2), Role.LEADER, c.engine(1).term(), 2));
        assertTrue(e.getMessage().contains("I1"), e.getMessage());
    }

    @Test
    void checkerCatchesLogMatchingViolation() {
        Cluster c = Cluster.builder(3).build();
        Scenarios.elect(c, 1);
        c.propose(1, "a");
        c.stabilize();
        AssertionError e = assertThrows(AssertionError.class,
                () -> c.checker.onAccepted(c.node(2), 2, SimEntry.command(1, "forged")));
        assertTrue(e.getMessage().contains("I2"), e.getMessage());
    }

    @Test
    void checkerCatchesDoubleVote() {
        Cluster c = Cluster.builder(3).preVote(false).build();
        Scenarios.elect(c, 1);
        long term = c.engine(1).term();
        AssertionError e = assertThrows(AssertionError.class,
                () -> c.checker.onSend(c.node(2), new VoteResponse(2, 3, term, true, false)));
        assertTrue(e.getMessage().contains("I7"), e.getMessage());
    }

    @Test
    void checkerCatchesCommitWithoutDurableQuorum() {
        Cluster c = Cluster.builder(3).build();
        Scenarios.elect(c, 1);
        c.propose(1, "a");                        // only in node 1's accepted log
        AssertionError e = assertThrows(AssertionError.class, () -> c.checker.onCommitted(c.node(1), 2));
        assertTrue(e.getMessage().contains("I5"), e.getMessage());
    }

    @Test
    void checkerCatchesDecreasingDurableTerm() {
        Cluster c = Cluster.builder(3).build();
        Scenarios.elect(c, 1);
        AssertionError e = assertThrows(AssertionError.class,
                () -> c.checker.onDurableVote(c.node(1), c.node(1).durableVote(), io.ringraft.api.Vote.INITIAL));
        assertTrue(e.getMessage().contains("I6"), e.getMessage());
    }
}
