package io.ringraft.testkit.sim;

import static io.ringraft.testkit.sim.ScenarioSupport.ELECTION_STEPS;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.IndeterminateException;
import io.ringraft.api.NotLeaderException;
import io.ringraft.api.RaftException;
import io.ringraft.api.RejectedException;
import io.ringraft.testkit.linearizability.KvInput;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * Issue 20, "definite answers": a forwarded command that fails before it is in a leader's log says so
 * ({@code NotLeaderException} or {@code RejectedException}); only one that may be in a log is
 * uncertain, and a leader does not append a forward whose sender stopped waiting. Scripted simulator
 * scenarios (virtual time, so the pauses are exact).
 */
class DefiniteForwardScenariosTest {

    private static final long MS = 1_000_000L;
    /** Virtual time per simulation step is small; this many steps cover well over a second. */
    private static final int SECOND_STEPS = 60_000;

    private KvSimulation sim;
    private long nextOp = 9_000_000;

    private SimNode follower(SimNode leader) {
        return sim.nodes().stream().filter(n -> n != leader).findFirst().orElseThrow();
    }

    private long forward(SimNode from, long waitNanos, CompletableFuture<Object> future) {
        long opId = nextOp++;
        byte[] command = new KvCommand(opId, KvInput.put("fwd" + opId, "v")).encode();
        assertThat(from.runtime().tryForward(command, future, waitNanos)).isTrue();
        return opId;
    }

    private static Throwable failure(CompletableFuture<Object> future) {
        try {
            future.join();
            return null;
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    private void assertNeverApplied(long opId) {
        ScenarioSupport.awaitCaughtUp(sim);
        for (SimNode node : sim.nodes()) {
            assertThat(sim.checker().hasApplied(node.id, opId)).as("node %d applied op %d", node.id, opId).isFalse();
            assertThat(ScenarioSupport.durableOps(node)).as("node %d's log", node.id).doesNotContainKey(opId);
        }
    }

    /**
     * The leader takes the forward after its budget (it was paused past it, not past the sender's
     * deadline): it refuses it, and the sender learns so before its deadline: a definite refusal.
     * Before deadlines travelled with forwards, the leader appended it.
     */
    @Test
    void aForwardTheLeaderTakesAfterItsBudgetIsRefusedDefinitely() {
        sim = ScenarioSupport.sim(2001, 3, 0, SimOptions.smallConfig());
        SimNode leader = sim.awaitLeader(ELECTION_STEPS, false);
        SimNode follower = follower(leader);
        sim.steps(200, false); // every node knows the leader
        assertThat(follower.status().leaderId()).isEqualTo(leader.id);

        CompletableFuture<Object> future = new CompletableFuture<>();
        // 80 ms of wait: sent with a budget of 40 ms; the leader is paused for 60 ms (below the election timeout).
        long opId = forward(follower, 80 * MS, future);
        sim.pause(leader.id, 60 * MS);
        sim.stepUntil("the forward's outcome", SECOND_STEPS, false, future::isDone);

        assertThat(failure(future)).as("outcome of the late forward").isInstanceOf(RejectedException.class)
                .hasMessageContaining("after its deadline");
        assertThat(((RaftException) failure(future)).mayHaveTakenEffect()).isFalse();
        assertThat(sim.leader()).as("no election happened").isSameAs(leader);
        assertNeverApplied(opId);
    }

    /**
     * The leader is paused past the sender's deadline: the sender reports "uncertain" (the leader may
     * have appended it, as far as it knows), and the leader, taking it later, does not append it.
     */
    @Test
    void aLeaderDoesNotAppendAForwardWhoseSenderStoppedWaiting() {
        sim = ScenarioSupport.sim(2002, 3, 0, SimOptions.smallConfig());
        SimNode leader = sim.awaitLeader(ELECTION_STEPS, false);
        SimNode follower = follower(leader);
        sim.steps(200, false);
        assertThat(follower.status().leaderId()).isEqualTo(leader.id);

        CompletableFuture<Object> future = new CompletableFuture<>();
        long opId = forward(follower, 80 * MS, future);
        sim.pause(leader.id, 110 * MS);
        long resumes = sim.now() + 110 * MS;
        sim.stepUntil("the forward's outcome", SECOND_STEPS, false, future::isDone);
        assertThat(failure(future)).isInstanceOf(IndeterminateException.class);
        sim.stepUntil("the leader resumed and took the forward", SECOND_STEPS, false, () -> sim.now() > resumes + MS);
        assertThat(sim.leader()).as("no election happened").isSameAs(leader);
        assertNeverApplied(opId);
    }

    /**
     * The forward reaches the old leader only after it lost leadership (it was held on a slow link
     * while a new leader was elected): the old leader never appended it and says so, and the sender
     * gets a definite {@code NotLeaderException} instead of waiting until its deadline for nothing.
     */
    @Test
    void aForwardThatReachesADeposedLeaderIsRefusedDefinitely() {
        sim = ScenarioSupport.sim(2003, 3, 0, SimOptions.smallConfig());
        SimNode leader = sim.awaitLeader(ELECTION_STEPS, false);
        SimNode follower = follower(leader);
        sim.steps(200, false);
        assertThat(follower.status().leaderId()).isEqualTo(leader.id);
        long oldTerm = leader.engine().term();

        sim.network().hold(follower.id, leader.id);
        CompletableFuture<Object> future = new CompletableFuture<>();
        long waitNanos = 30_000 * MS; // far longer than the scenario: only a definite answer ends it in time
        long opId = forward(follower, waitNanos, future);
        sim.steps(50, false);
        sim.setIsolated(leader.id, true);
        sim.stepUntil("a new leader", SECOND_STEPS, false,
                () -> sim.leader() != null && sim.leader() != leader && sim.leader().engine().term() > oldTerm);
        sim.setIsolated(leader.id, false);
        sim.stepUntil("the old leader learned the new term", SECOND_STEPS, false,
                () -> leader.engine().term() > oldTerm);
        long released = sim.now();
        sim.network().release(follower.id, leader.id);
        sim.stepUntil("the forward's outcome", SECOND_STEPS, false, future::isDone);

        assertThat(failure(future)).as("outcome of the forward the deposed leader got")
                .isInstanceOf(NotLeaderException.class);
        assertThat(sim.now() - released).as("answered soon after it arrived").isLessThan(1_000 * MS);
        assertNeverApplied(opId);
    }
}
