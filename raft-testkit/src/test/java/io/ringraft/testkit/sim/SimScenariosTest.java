package io.ringraft.testkit.sim;

import static io.ringraft.testkit.sim.ScenarioSupport.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.ringraft.api.EntryKind;
import io.ringraft.api.IndeterminateException;
import io.ringraft.api.NodeStoppedException;
import io.ringraft.api.NotLeaderException;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.RejectedException;
import io.ringraft.api.Role;
import io.ringraft.api.StorageFailedException;
import io.ringraft.api.Vote;
import io.ringraft.internal.simdisk.SimDisk.CrashMode;
import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.AppendEntriesResponse;
import io.ringraft.message.HeapLogEntries;
import io.ringraft.message.VoteResponse;
import io.ringraft.testkit.linearizability.KvInput;
import io.ringraft.testkit.linearizability.KvOutput;
import io.ringraft.testkit.sim.ClientWorkload.ScriptedOp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Scripted, deterministic scenarios from the reliability catalogue (reference/reliability-catalogue.md),
 * run on the simulator: the real runtime tasks, virtual time, simulated network and disks. Each test
 * scripts its faults (no nemesis), relies on {@link SafetyChecker} after every step (I1-I4, I6, I7 on
 * the wire) and asserts the scenario's own "must hold" items; most end with {@link KvSimulation#finalChecks()}
 * (acknowledged writes applied on every node, linearizable history).
 */
class SimScenariosTest {

    /** Snapshots off: these scenarios read every write back from the nodes' durable logs. */
    private static final RaftConfig CONFIG = SimOptions.smallConfigWithoutSnapshots();
    /** The election timeout of {@link #CONFIG}, in virtual nanoseconds. */
    private static final long ELECTION_TIMEOUT_NANOS = CONFIG.electionTimeoutMillis() * 1_000_000L;

    // ------------------------------------------------------------------ D30 persist 1/2/3

    @Test
    void d30_persist1_crashAndRestartAllNodes() {
        KvSimulation sim = sim(3001, 3, 2);
        SplittableRandom random = new SplittableRandom(3001);
        for (int round = 0; round < 4; round++) {
            ackedWrite(sim, "p1", "v" + round, true);
            sim.steps(300 + random.nextInt(300), true);
            for (SimNode node : sim.nodes()) {
                sim.crash(node.id, randomMode(random), random);
            }
            assertAckedWritesDurableOnQuorum(sim);
            sim.steps(100, false);
            for (SimNode node : sim.nodes()) {
                restartChecked(sim, node.id);
            }
            converge(sim);
            assertThat(read(sim, "p1")).isEqualTo("v" + round);
        }
        converge(sim);
    }

    @Test
    void d30_persist2_rotatingMajorityCrashes() {
        KvSimulation sim = sim(3002, 5, 2);
        SplittableRandom random = new SplittableRandom(3002);
        for (int round = 0; round < 3; round++) {
            long leader = ackedWrite(sim, "p2", "a" + round, true).target.id;
            long[] n = new long[5];
            for (int k = 0; k < 5; k++) {
                n[k] = (leader - 1 + k) % 5 + 1;
            }
            sim.crash(n[1], randomMode(random), random);
            sim.crash(n[2], randomMode(random), random);
            ackedWrite(sim, "p2", "b" + round, true); // by n0, n3, n4
            sim.crash(n[0], randomMode(random), random);
            sim.crash(n[3], randomMode(random), random);
            sim.crash(n[4], randomMode(random), random);
            assertAckedWritesDurableOnQuorum(sim);
            restartChecked(sim, n[1]);
            restartChecked(sim, n[2]);
            sim.steps(800, false);
            assertThat(sim.leader()).as("two of five nodes cannot elect a leader").isNull();
            restartChecked(sim, n[3]);
            // n1 and n2 missed "b": only a log holding it (n3's) can win, so the write survives.
            assertThat(read(sim, "p2")).isEqualTo("b" + round);
            ackedWrite(sim, "p2", "c" + round, true);
            restartChecked(sim, n[4]);
            restartChecked(sim, n[0]);
            converge(sim);
            assertThat(read(sim, "p2")).isEqualTo("c" + round);
        }
        converge(sim);
    }

    @Test
    void d30_persist3_partitionedLeaderAndFollowerCrashThenLeaderRestarts() {
        for (long seed = 3003; seed < 3006; seed++) {
            KvSimulation sim = sim(seed, 3, 0);
            SplittableRandom random = new SplittableRandom(seed);
            long leader = ackedWrite(sim, "p3", "101", false).target.id;
            long partitioned = leader % 3 + 1;
            long other = partitioned % 3 + 1;
            sim.setIsolated(partitioned, true);
            ackedWrite(sim, "p3", "102", false);
            long writer = sim.leader().id;
            assertThat(writer).isNotEqualTo(partitioned);
            sim.crash(leader, randomMode(random), random);
            sim.crash(other, randomMode(random), random);
            assertAckedWritesDurableOnQuorum(sim);
            sim.setIsolated(partitioned, false);
            restartChecked(sim, leader);
            // {leader, partitioned} can elect only the leader: the partitioned node misses "102".
            assertThat(read(sim, "p3")).isEqualTo("102");
            ackedWrite(sim, "p3", "103", false);
            restartChecked(sim, other);
            ackedWrite(sim, "p3", "104", false);
            converge(sim);
            assertThat(read(sim, "p3")).isEqualTo("104");
        }
    }

    // ------------------------------------------------------------------ D31 vote durable before the reply

    /**
     * A voter is crashed (unflushed writes LOST) right after the task that sent its granted vote ran.
     * Both would-be candidates' log writers are held while the vote request arrives, so an engine that
     * answered before its vote was durable would answer while the vote is still only in memory; the
     * crash would then forget it and the voter would grant the isolated old leader in the same term
     * (I7 on the wire, or two leaders of that term, I1).
     */
    @Test
    void d31_voteIsDurableBeforeTheReply() {
        for (long seed = 3101; seed < 3109; seed++) {
            KvSimulation sim = sim(seed, 3, 0);
            long oldLeader = ackedWrite(sim, "d31", "x", false).target.id;
            awaitCaughtUp(sim);
            List<Long> others = new ArrayList<>();
            for (SimNode node : sim.nodes()) {
                if (node.id != oldLeader) {
                    others.add(node.id);
                }
            }
            long oldTerm = sim.node(oldLeader).engine().term();
            List<VoteResponse> grants = new ArrayList<>();
            long[] crash = {0, 0, 0}; // voter, candidate, term
            boolean[] crashed = {false};
            sim.sendObserver = message -> {
                if (message instanceof VoteResponse response && response.granted() && !response.preVote()) {
                    grants.add(response);
                    if (crash[0] == 0 && others.contains(response.from())) {
                        crash[0] = response.from();
                        crash[1] = response.to();
                        crash[2] = response.term();
                    }
                }
            };
            sim.afterEachTask = () -> {
                if (crash[0] != 0 && !crashed[0]) {
                    crashed[0] = true;
                    sim.crash(crash[0], CrashMode.LOST, new SplittableRandom(0));
                    sim.network().setCut(crash[1], crash[0], true); // the candidate cannot tell it the term
                }
            };
            sim.setIsolated(oldLeader, true);
            for (long id : others) {
                sim.node(id).writerHeld = true;
            }
            // Hold the writers until one of them has recorded a granted vote, a few steps more.
            sim.stepUntil("a vote granted in memory", ELECTION_STEPS, false, () -> crashed[0]
                    || others.stream().anyMatch(id -> votedForPeer(sim.node(id), others)));
            sim.steps(3, false);
            for (long id : others) {
                if (sim.node(id).isUp()) {
                    sim.node(id).writerHeld = false;
                }
            }
            sim.stepUntil("the voter crashed after granting", ELECTION_STEPS, false, () -> crashed[0]);
            long voter = crash[0];
            long candidate = crash[1];
            long term = crash[2];
            assertThat(term).isGreaterThan(oldTerm);
            assertThat(sim.node(voter).disk.durableVote()).as("the vote survives a crash that loses unflushed writes")
                    .isEqualTo(new Vote(term, candidate));
            // The isolated old leader steps down (check-quorum) but stays in its older term.
            sim.stepUntil("the old leader steps down", ELECTION_STEPS, false,
                    () -> sim.node(oldLeader).engine().role() != Role.LEADER);
            assertThat(sim.node(oldLeader).engine().term()).isLessThan(term);
            sim.node(voter).writerHeld = false;
            restartChecked(sim, voter);
            assertThat(sim.node(voter).engine().vote()).isEqualTo(new Vote(term, candidate));
            // The old leader, still in an older term, now reaches only the voter and campaigns.
            sim.setLink(oldLeader, voter, false);
            sim.stepUntil("the old leader or the voter leads a later term", ELECTION_STEPS, false, () -> {
                SimNode leader = sim.leader();
                return leader != null && leader.id != candidate && leader.engine().term() > term;
            });
            for (VoteResponse grant : grants) {
                if (grant.from() == voter && grant.term() == term) {
                    assertThat(grant.to()).as("voter %d granted in term %d", voter, term).isEqualTo(candidate);
                }
            }
            sim.sendObserver = null;
            sim.afterEachTask = null;
            sim.network().healAll();
            converge(sim);
        }
    }

    private static boolean votedForPeer(SimNode node, List<Long> peers) {
        if (!node.isServing()) {
            return false;
        }
        Vote vote = node.engine().vote();
        return vote.votedFor() != node.id && peers.contains(vote.votedFor());
    }

    // ------------------------------------------------------------------ D32 ack only after quorum durability

    @Test
    void d32_singleNodeAckSurvivesACrashRightAfterIt() {
        KvSimulation sim = sim(3201, 1, 0);
        for (int round = 0; round < 5; round++) {
            sim.awaitLeader(ELECTION_STEPS, false);
            ScriptedOp<KvInput> op = crashAtAck(sim, 1, KvInput.put("d32", "v" + round), List.of(1L));
            assertThat(op.isOk()).as("acknowledged before the crash: %s", op).isTrue();
            assertThat(durableOps(sim.node(1))).as("the acknowledged write is durable").containsKey(op.opId);
            sim.steps(10, false);
            restartChecked(sim, 1);
            converge(sim);
            assertThat(read(sim, "d32")).isEqualTo("v" + round);
        }
    }

    @Test
    void d32_quorumCrashRightAfterTheAck() {
        KvSimulation sim = sim(3202, 3, 2);
        SplittableRandom random = new SplittableRandom(3202);
        for (SimNode node : sim.nodes()) {
            node.slowDisk = 0.8; // acknowledgements from followers often arrive before the leader's own flush
        }
        int acknowledgedRounds = 0;
        for (int round = 0; round < 6; round++) {
            sim.steps(random.nextInt(200), true);
            SimNode leader = sim.awaitLeader(ELECTION_STEPS, true);
            List<Long> victims = new ArrayList<>();
            switch (round % 3) {
                case 0 -> sim.nodes().forEach(n -> victims.add(n.id)); // every node
                case 1 -> { // the leader and one follower
                    victims.add(leader.id);
                    victims.add(leader.id % 3 + 1);
                }
                default -> { // both followers
                    victims.add(leader.id % 3 + 1);
                    victims.add((leader.id + 1) % 3 + 1);
                }
            }
            ScriptedOp<KvInput> op = crashAtAck(sim, leader.id, KvInput.put("d32", "q" + round), victims);
            if (!op.isOk()) {
                continue; // leadership moved before the ack: nothing was promised (rare)
            }
            acknowledgedRounds++;
            assertAckedWritesDurableOnQuorum(sim);
            sim.steps(50, false);
            for (long id : victims) {
                restartChecked(sim, id);
            }
            converge(sim);
            assertThat(read(sim, "d32")).isEqualTo("q" + round);
        }
        assertThat(acknowledgedRounds).isGreaterThanOrEqualTo(5);
    }

    /** Submits {@code input} to {@code target}; the moment its future completes, crashes {@code victims} (LOST). */
    private static ScriptedOp<KvInput> crashAtAck(KvSimulation sim, long target, KvInput input, List<Long> victims) {
        List<ScriptedOp<KvInput>> op = new ArrayList<>(List.of());
        boolean[] crashed = {false};
        sim.afterEachTask = () -> {
            if (!crashed[0] && op.get(0).future.isDone()) {
                crashed[0] = true;
                for (long id : victims) {
                    sim.crash(id, CrashMode.LOST, new SplittableRandom(0));
                }
            }
        };
        op.add(sim.submit(target, input));
        if (op.get(0).future.isDone()) {
            fail("refused at once: " + op.get(0));
        }
        sim.stepUntil("the ack of " + op.get(0), ELECTION_STEPS, false, () -> crashed[0]);
        sim.afterEachTask = null;
        sim.step(false); // the workload records the outcome
        return op.get(0);
    }

    // ------------------------------------------------------------------ D33 coordinated power loss

    @Test
    void d33_coordinatedPowerLossOfAMajorityOrAll() {
        for (long seed = 3301; seed < 3304; seed++) {
            KvSimulation sim = sim(seed, 5, 4);
            sim.workload().startProbability = 0.2;
            SplittableRandom random = new SplittableRandom(seed);
            for (SimNode node : sim.nodes()) {
                node.slowDisk = 0.6; // plenty of unflushed writes at the moment of the crash
            }
            int acknowledgedBefore = 0;
            for (int round = 0; round < 5; round++) {
                sim.awaitLeader(ELECTION_STEPS, true);
                sim.steps(400 + random.nextInt(1200), true);
                List<Long> victims = new ArrayList<>();
                for (SimNode node : sim.nodes()) {
                    victims.add(node.id);
                }
                java.util.Collections.shuffle(victims, new java.util.Random(random.nextLong()));
                int count = round % 2 == 0 ? 5 : 3;
                for (long id : victims.subList(0, count)) {
                    sim.crash(id, randomMode(random), random);
                }
                assertAckedWritesDurableOnQuorum(sim);
                sim.steps(random.nextInt(2_000), false);
                for (long id : victims.subList(0, count)) {
                    restartChecked(sim, id);
                }
                converge(sim);
                int acknowledged = sim.workload().acknowledgedWrites().size();
                assertThat(acknowledged).isGreaterThanOrEqualTo(acknowledgedBefore);
                acknowledgedBefore = acknowledged;
            }
            assertThat(acknowledgedBefore).as("the workload got writes through").isGreaterThan(20);
        }
    }

    // ------------------------------------------------------------------ D36 fsync EIO

    @Test
    void d36_fsyncFailureOnTheLeaderFailStopsItAndTheOthersGoOn() {
        fsyncFailure(3601, true);
    }

    @Test
    void d36_fsyncFailureOnAFollowerFailStopsIt() {
        fsyncFailure(3602, false);
    }

    private static void fsyncFailure(long seed, boolean onLeader) {
        KvSimulation sim = sim(seed, 3, 2);
        sim.restartFailStopped = false;
        SimNode leader = sim.node(ackedWrite(sim, "d36", "before", true).target.id);
        SimNode victim = onLeader ? leader : sim.node(leader.id % 3 + 1);
        long[] failedAt = {-1};
        List<String> sentAfterFailure = new ArrayList<>();
        sim.sendObserver = message -> {
            if (failedAt[0] >= 0 && message.from() == victim.id) {
                sentAfterFailure.add(message.toString());
            }
        };
        sim.afterEachTask = () -> {
            if (failedAt[0] < 0 && victim.isUp() && !victim.isServing()) {
                failedAt[0] = sim.now();
            }
        };
        victim.disk.failNextFlush();
        List<ScriptedOp<KvInput>> ops = new ArrayList<>();
        for (int i = 0; i < 400 && failedAt[0] < 0; i++) {
            if (i % 5 == 0) {
                ops.add(sim.submit(leader.id, KvInput.put("d36-" + i, "v" + i)));
            }
            sim.step(true);
        }
        assertThat(failedAt[0]).as("the flush failed and the node stopped").isGreaterThanOrEqualTo(0);
        assertThat(victim.status().failure()).contains("fsync");
        // It stays stopped: no retried flush, no recovery by itself, no message, no acknowledgement.
        ScriptedOp<KvInput> late = sim.submit(victim.id, KvInput.put("d36-late", "x"));
        assertThat(late.failure()).isInstanceOf(NodeStoppedException.class);
        SimNode newLeader = sim.node(ackedWrite(sim, "d36", "after", true).target.id);
        assertThat(newLeader).isNotSameAs(victim);
        for (int i = 0; i < 20; i++) {
            ops.add(sim.submit(newLeader.id, KvInput.put("d36-after-" + i, "v" + i)));
            sim.steps(20, true);
        }
        sim.stepUntil("the ops resolve", CONVERGE_STEPS, false, () -> ops.stream().allMatch(op -> op.resolved));
        assertThat(victim.isUp() && !victim.isServing()).isTrue();
        assertThat(sentAfterFailure).as("messages sent by the failed node").isEmpty();
        int failedByTheStop = 0;
        for (ScriptedOp<KvInput> op : ops) {
            if (op.isOk()) {
                // completed by the node's own tasks: the failed incarnation acknowledges nothing
                assertThat(op.targetServingAtCompletion).as("acknowledged by a serving node: %s", op).isTrue();
            } else if (op.target == victim) {
                assertThat(op.timedOut).as("failed at once, not left waiting: %s", op).isFalse();
                assertThat(op.completedAt).isGreaterThanOrEqualTo(failedAt[0]);
                assertThat(op.failure()).isInstanceOfAny(StorageFailedException.class, NodeStoppedException.class);
                failedByTheStop++;
            }
            if (op.target == newLeader) {
                assertThat(op.isOk()).as("the cluster goes on without the failed node: %s", op).isTrue();
            }
        }
        if (onLeader) {
            assertThat(failedByTheStop).as("operations the failed leader still held").isPositive();
        }
        sim.sendObserver = null;
        sim.afterEachTask = null;
        // An operator restarts it: it recovers what was durable and catches up.
        sim.crash(victim.id, CrashMode.LOST, new SplittableRandom(seed));
        restartChecked(sim, victim.id);
        converge(sim);
    }

    // ------------------------------------------------------------------ D39 async append ABA race

    /**
     * A follower F goes through term-a entries (leader A), the same index in term b (leader B), and
     * term-a entries again (A re-elected in term c), while its log writer is held and released in each
     * of the 8 patterns (after each phase or not), so that what it has flushed lags what it has
     * accepted. Every acknowledgement F sends must cover only entries durable on its disk and equal to
     * its leader's; at the end F crashes losing unflushed writes and the leader's view of it must be
     * on its disk.
     */
    @Test
    void d39_staleFlushesNeverAcknowledgeEntriesTheFollowerDoesNotHold() {
        for (int pattern = 0; pattern < 8; pattern++) {
            abaRace(3900 + pattern, pattern);
        }
    }

    private static void abaRace(long seed, int releasePattern) {
        KvSimulation sim = sim(seed, 5, 0);
        SimNode a = sim.node(ackedWrite(sim, "d39", "base", false).target.id);
        awaitCaughtUp(sim);
        List<SimNode> rest = new ArrayList<>(sim.nodes());
        rest.remove(a);
        SimNode f = rest.get(0);
        SimNode b = rest.get(1);
        SimNode x = rest.get(2);
        SimNode y = rest.get(3);
        List<String> badAcks = new ArrayList<>();
        int[] acksFromF = {0};
        sim.sendObserver = message -> {
            if (message instanceof AppendEntriesResponse response && response.from() == f.id && response.success()) {
                acksFromF[0]++;
                SimNode leader = sim.node(response.to());
                if (leader.isServing() && leader.engine().role() == Role.LEADER
                        && leader.engine().term() == response.term()) {
                    String problem = durablePrefixProblem(f, leader, response.matchIndex());
                    if (problem != null) {
                        badAcks.add(response + ": " + problem);
                    }
                }
            }
        };

        // Phase 1: A reaches only F; an entry of A's term at index k reaches F only.
        for (SimNode other : List.of(b, x, y)) {
            sim.setLink(a.id, other.id, true);
            sim.setLink(f.id, other.id, true);
        }
        f.writerHeld = true;
        sim.submit(a.id, KvInput.put("d39", "e1"));
        long k = a.engine().lastLogId().index() + 1;
        sim.stepUntil("F holds entry k of A's term", ELECTION_STEPS, false,
                () -> f.engine().lastLogId().index() == k && a.engine().termAt(k) == f.engine().termAt(k));
        long termA = f.engine().termAt(k);
        assertThat(f.disk.durableLast().index()).as("F's writer is held").isLessThan(k);
        releaseOnce(sim, f, releasePattern & 1);
        assertThat(durableTermAt(f, k)).isEqualTo((releasePattern & 1) != 0 ? termA : -1);

        // Phase 2: A is isolated; only B can collect three votes (B, X, Y; X and Y cannot talk). Once B
        // leads, it reaches only F: its no-op, in term b at index k, replaces F's entry there.
        sim.setIsolated(a.id, true);
        sim.setLink(f.id, b.id, false);
        sim.setLink(x.id, y.id, true);
        sim.stepUntil("B leads", ELECTION_STEPS, false, () -> b.isServing() && b.engine().role() == Role.LEADER);
        sim.setLink(b.id, x.id, true);
        sim.setLink(b.id, y.id, true);
        long termB = b.engine().term();
        assertThat(termB).isGreaterThan(termA);
        sim.stepUntil("F holds B's entry at k", ELECTION_STEPS, false, () -> f.engine().termAt(k) == termB);
        long durableBefore = durableTermAt(f, k);
        releaseOnce(sim, f, releasePattern & 2);
        assertThat(durableTermAt(f, k)).isEqualTo((releasePattern & 2) != 0 ? termB : durableBefore);

        // Phase 3: B is isolated; A (its log ends with (termA, k)) is elected by X and Y in a term c and
        // sends F the term-a entry at k again.
        sim.setIsolated(b.id, true);
        sim.setLink(a.id, x.id, false);
        sim.setLink(a.id, y.id, false);
        sim.setLink(a.id, f.id, false);
        sim.stepUntil("A leads again", ELECTION_STEPS, false,
                () -> a.engine().role() == Role.LEADER && a.engine().term() > termB);
        long termC = a.engine().term();
        assertThat(termC).isGreaterThan(termB);
        sim.stepUntil("F holds A's entry at k again", ELECTION_STEPS, false,
                () -> f.engine().termAt(k) == termA && f.engine().lastLogId().index() > k);
        durableBefore = durableTermAt(f, k);
        releaseOnce(sim, f, releasePattern & 4);
        assertThat(durableTermAt(f, k)).isEqualTo((releasePattern & 4) != 0 ? termA : durableBefore);
        sim.steps(200, false);

        // Finally F's writer catches up; A counts F only for what F really holds.
        f.writerHeld = false;
        sim.stepUntil("A sees F caught up", ELECTION_STEPS, false,
                () -> a.engine().matchIndexOf(f.id) == a.engine().lastLogId().index());
        assertThat(acksFromF[0]).isGreaterThan(0);
        long matchOfF = a.engine().matchIndexOf(f.id);
        sim.crash(f.id, CrashMode.LOST, new SplittableRandom(seed));
        assertThat(durablePrefixProblem(f, a, matchOfF)).as("A's match index for F after F lost its unflushed writes")
                .isNull();
        assertThat(badAcks).as("acknowledgements of entries F did not durably hold").isEmpty();
        sim.sendObserver = null;
        restartChecked(sim, f.id);
        assertThat(f.engine().termAt(k)).as("F reads the term-a entry at k, not B's").isEqualTo(termA);
        sim.network().healAll();
        converge(sim);
        assertThat(f.engine().termAt(k)).isEqualTo(termA);
    }

    private static void releaseOnce(KvSimulation sim, SimNode node, int release) {
        if (release != 0) {
            node.writerHeld = false;
            sim.steps(3, false);
            node.writerHeld = true;
        }
        sim.steps(5, false);
    }

    /** The term of entry {@code index} on the node's disk (what survives a crash now), or -1. */
    private static long durableTermAt(SimNode node, long index) {
        HeapLogEntries durable = node.disk.durableEntries();
        long offset = index - durable.firstIndex();
        return offset >= 0 && offset < durable.count() ? durable.termAt((int) offset) : -1;
    }

    /** Null if {@code node}'s durable log holds entries 1..upTo with {@code leader}'s terms; else why not. */
    private static String durablePrefixProblem(SimNode node, SimNode leader, long upTo) {
        HeapLogEntries durable = node.disk.durableEntries();
        if (durable.count() > 0 && durable.firstIndex() != 1) {
            return "durable log starts at " + durable.firstIndex();
        }
        if (durable.count() < upTo) {
            return "durable log ends at " + durable.count() + ", below " + upTo;
        }
        for (int i = 0; i < upTo; i++) {
            long leaderTerm = leader.engine().termAt(i + 1);
            if (durable.termAt(i) != leaderTerm) {
                return "durable term " + durable.termAt(i) + " at index " + (i + 1) + ", leader's " + leaderTerm;
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ D41 process pause

    @Test
    void d41_pausedLeaderAcknowledgesNothingFromItsStaleView() {
        for (long seed = 4101; seed < 4105; seed++) {
            // Odd seeds: the old leader also hears nothing from the others until a while after it resumes.
            boolean deaf = (seed & 1) == 1;
            KvSimulation sim = sim(seed, 3, 3);
            SimNode old = sim.node(ackedWrite(sim, "d41", "before", true).target.id);
            sim.steps(200, true);
            assertThat(old.engine().role()).isEqualTo(Role.LEADER);
            long oldTerm = old.engine().term();
            long commitAtPause = old.engine().commitIndex();
            long pauseEnd = sim.now() + 3 * ELECTION_TIMEOUT_NANOS;
            sim.pause(old.id, 3 * ELECTION_TIMEOUT_NANOS);
            if (deaf) {
                sim.nodes().forEach(other -> sim.network().setCut(other.id, old.id, other != old));
            }
            List<String> staleCommits = new ArrayList<>();
            sim.afterEachTask = () -> {
                if (old.isServing() && old.engine().term() == oldTerm && old.engine().commitIndex() > commitAtPause) {
                    staleCommits.add("commit " + old.engine().commitIndex() + " in term " + oldTerm);
                }
            };
            List<ScriptedOp<KvInput>> toOld = new ArrayList<>();
            toOld.add(sim.submit(old.id, KvInput.put("d41", "stale-0")));
            toOld.add(sim.submit(old.id, KvInput.get("d41")));
            sim.steps(5, true);
            assertThat(toOld).as("queued at the paused leader").noneMatch(op -> op.future.isDone());
            SimNode fresh = sim.awaitLeader(ELECTION_STEPS, true);
            assertThat(fresh).isNotSameAs(old);
            assertThat(fresh.engine().term()).isGreaterThan(oldTerm);
            toOld.add(sim.submit(old.id, KvInput.put("d41", "stale-1")));
            ScriptedOp<KvInput> during = ackedWrite(sim, "d41", "during", true);
            assertThat(during.target).isNotSameAs(old);
            toOld.add(sim.submit(old.id, KvInput.cas("d41", "during", "stale-2")));
            // Linearizable reads (ReadIndex) invoked after "during" was acknowledged: the old leader
            // must not answer them from its stale state (etcd#20418).
            List<ScriptedOp<KvInput>> readsFromOld = new ArrayList<>();
            readsFromOld.add(sim.read(old.id, "d41"));
            ScriptedOp<KvInput> freshRead = sim.read(fresh.id, "d41");
            assertThat(sim.now()).as("the others elected and wrote within the pause").isLessThan(pauseEnd);
            sim.stepUntil("the pause ends", ELECTION_STEPS, true, () -> sim.now() >= pauseEnd);
            toOld.add(sim.submit(old.id, KvInput.put("d41", "stale-3")));
            readsFromOld.add(sim.read(old.id, "d41"));
            sim.step(true);
            toOld.add(sim.submit(old.id, KvInput.put("d41", "stale-4")));
            readsFromOld.add(sim.read(old.id, "d41"));
            if (deaf) {
                sim.steps(400, true);
                sim.network().healAll();
            }
            sim.stepUntil("the old leader learns the new term", ELECTION_STEPS, true,
                    () -> old.engine().term() > oldTerm);
            sim.stepUntil("the ops to the old leader resolve", CONVERGE_STEPS, true,
                    () -> toOld.stream().allMatch(op -> op.resolved) && readsFromOld.stream().allMatch(op -> op.resolved)
                            && freshRead.resolved);
            sim.afterEachTask = null;
            for (ScriptedOp<KvInput> op : toOld) {
                assertThat(op.isOk()).as("sent to the paused leader: %s", op).isFalse();
                assertThat(op.failure()).isInstanceOfAny(NotLeaderException.class, IndeterminateException.class);
            }
            for (ScriptedOp<KvInput> op : readsFromOld) {
                if (op.isOk()) { // answered only once it confirmed leadership or forwarded: never stale
                    assertThat(op.future.join()).as("%s", op).isEqualTo(KvOutput.value("during"));
                } else {
                    assertThat(op.failure()).as("%s", op).isInstanceOf(NotLeaderException.class);
                }
            }
            assertThat(freshRead.isOk()).as("%s", freshRead).isTrue();
            assertThat(freshRead.future.join()).isEqualTo(KvOutput.value("during"));
            assertThat(staleCommits).as("commits by the resumed leader in its old term").isEmpty();
            converge(sim);
            assertThat(read(sim, "d41")).isEqualTo("during");
        }
    }

    // ------------------------------------------------------------------ G55/G56 reads at a deposed leader

    /**
     * A leader cut off from the others (check-quorum off, so it still believes it leads) while they
     * elect a new leader and overwrite a key: a linearizable read at the old leader must never
     * return the old value; it can only fail (it cannot confirm its leadership with a quorum).
     * A fresh leader's read waits for its own first commit (G55) and sees the new value.
     */
    @Test
    void g56_aPartitionedLeaderServesNoStaleLinearizableRead() {
        RaftConfig noCheckQuorum = RaftConfig.builder().tickMillis(10).heartbeatIntervalMillis(30)
                .electionTimeoutMillis(150).ringCapacityEntries(64).ringCapacityBytes(16 << 10).maxEntryBytes(512)
                .maxInflightAppends(4).maxEntriesPerAppend(8).maxBytesPerAppend(4096).proposalQueueBytes(8 << 10)
                .inboundQueueCapacity(64).maxPendingFutures(256).batchEntries(16).checkQuorum(false).build();
        for (long seed = 5601; seed < 5605; seed++) {
            KvSimulation sim = new KvSimulation(seed, new SimOptions(3, 0, 30_000, 0, 3, false, false, false, false,
                    false, false, noCheckQuorum));
            sim.nodes().forEach(n -> n.slowDisk = 0);
            SimNode old = sim.node(ackedWrite(sim, "g56", "old", false).target.id);
            sim.setIsolated(old.id, true);
            sim.stepUntil("the others elect a new leader", ELECTION_STEPS, false, () -> sim.nodes().stream()
                    .anyMatch(n -> n != old && n.isServing() && n.engine().role() == Role.LEADER));
            SimNode fresh = sim.nodes().stream()
                    .filter(n -> n != old && n.isServing() && n.engine().role() == Role.LEADER).findFirst().orElseThrow();
            ScriptedOp<KvInput> overwrite = sim.submit(fresh.id, KvInput.put("g56", "new"));
            sim.stepUntil("the overwrite is acknowledged", ELECTION_STEPS, false, () -> overwrite.resolved);
            assertThat(overwrite.isOk()).as("%s", overwrite).isTrue();
            assertThat(old.engine().role()).as("without check-quorum the cut-off leader still leads")
                    .isEqualTo(Role.LEADER);
            ScriptedOp<KvInput> staleCandidate = sim.read(old.id, "g56");
            ScriptedOp<KvInput> freshRead = sim.read(fresh.id, "g56");
            sim.steps(3_000, false);
            assertThat(staleCandidate.isOk()).as("a read at the cut-off leader: %s", staleCandidate).isFalse();
            assertThat(freshRead.isOk()).as("%s", freshRead).isTrue();
            assertThat(freshRead.future.join()).isEqualTo(KvOutput.value("new"));
            sim.setIsolated(old.id, false);
            sim.stepUntil("the stale read resolves", CONVERGE_STEPS, false, () -> staleCandidate.resolved);
            if (staleCandidate.isOk()) {
                assertThat(staleCandidate.future.join()).isEqualTo(KvOutput.value("new"));
            } else {
                assertThat(staleCandidate.failure()).isInstanceOf(NotLeaderException.class);
            }
            converge(sim);
        }
    }

    /** The small simulator configuration with leader leases (check-quorum on, 10% drift bound). */
    private static RaftConfig leaseConfig() {
        return RaftConfig.builder().tickMillis(10).heartbeatIntervalMillis(30).electionTimeoutMillis(150)
                .ringCapacityEntries(64).ringCapacityBytes(16 << 10).maxEntryBytes(512).maxInflightAppends(4)
                .maxEntriesPerAppend(8).maxBytesPerAppend(4096).proposalQueueBytes(8 << 10)
                .inboundQueueCapacity(64).maxPendingFutures(256).batchEntries(16).leaseReads(true)
                .clockDriftBoundPercent(10).build();
    }

    /**
     * Cuts the leader off, lets the others elect a new leader and overwrite "g56", and meanwhile
     * keeps sending linearizable reads to the old leader. Returns the reads that reported the old
     * value after the overwrite was acknowledged (stale reads).
     */
    /** What the old leader answered: stale reads, and all reads it answered successfully. */
    private record LeaseOutcome(List<ScriptedOp<KvInput>> stale, List<ScriptedOp<KvInput>> served) {
    }

    private static LeaseOutcome leaseScenario(KvSimulation sim, double oldLeaderClockRate) {
        sim.nodes().forEach(n -> n.slowDisk = 0);
        SimNode old = sim.node(ackedWrite(sim, "g56", "old", false).target.id);
        sim.steps(200, false); // the lease is renewed every heartbeat
        old.setClockRate(oldLeaderClockRate);
        sim.setIsolated(old.id, true);
        List<ScriptedOp<KvInput>> readsAtOld = new ArrayList<>();
        ScriptedOp<KvInput> overwrite = null;
        long overwriteAckedAt = Long.MAX_VALUE;
        for (int i = 0; i < 4_000 && old.engine().role() == Role.LEADER; i++) {
            if (i % 10 == 0) {
                readsAtOld.add(sim.read(old.id, "g56"));
            }
            if (overwrite == null) {
                SimNode fresh = sim.nodes().stream()
                        .filter(n -> n != old && n.isServing() && n.engine().role() == Role.LEADER)
                        .findFirst().orElse(null);
                if (fresh != null) {
                    overwrite = sim.submit(fresh.id, KvInput.put("g56", "new"));
                }
            } else if (overwrite.resolved && overwrite.isOk() && overwriteAckedAt == Long.MAX_VALUE) {
                overwriteAckedAt = sim.now();
            }
            sim.step(false);
        }
        sim.setIsolated(old.id, false);
        old.setClockRate(1.0);
        List<ScriptedOp<KvInput>> all = readsAtOld;
        sim.stepUntil("the reads at the old leader resolve", CONVERGE_STEPS, false,
                () -> all.stream().allMatch(op -> op.resolved));
        List<ScriptedOp<KvInput>> stale = new ArrayList<>();
        List<ScriptedOp<KvInput>> served = new ArrayList<>();
        for (ScriptedOp<KvInput> read : readsAtOld) {
            if (read.isOk()) {
                served.add(read);
                if (read.submittedAt > overwriteAckedAt && read.future.join().equals(KvOutput.value("old"))) {
                    stale.add(read);
                }
            }
        }
        return new LeaseOutcome(stale, served);
    }

    /**
     * G56 with leader leases: while every clock keeps within the drift bound, a cut-off leader's
     * lease runs out before the others can elect a new leader, so no read it serves is stale, and
     * the history stays linearizable.
     */
    @Test
    void g56_leaseReadsAtACutOffLeaderAreNeverStaleWithinTheDriftBound() {
        for (long seed = 5611; seed < 5617; seed++) {
            KvSimulation sim = new KvSimulation(seed, new SimOptions(3, 0, 30_000, 0, 3, false, false, false, false,
                    false, false, leaseConfig()));
            LeaseOutcome outcome = leaseScenario(sim, 0.95);
            assertThat(outcome.served()).as("reads the cut-off leader answered from its lease, seed %s", seed)
                    .isNotEmpty();
            assertThat(outcome.stale()).as("stale lease reads, seed %s", seed).isEmpty();
            converge(sim);
        }
    }

    /**
     * The negative control: a leader whose clock runs far slower than the bound allows keeps its
     * lease after the others elected a new leader and overwrote the key; its lease reads are stale,
     * and the linearizability checker must say so. This proves the harness sees the failure the
     * drift bound exists to prevent, and documents the assumption leases rest on.
     */
    @Test
    void g56_negativeControl_aLeaderClockDriftingBeyondTheBoundServesStaleReadsAndTheCheckerCatchesIt() {
        KvSimulation sim = new KvSimulation(5621, new SimOptions(3, 0, 30_000, 0, 3, false, false, false, false,
                false, false, leaseConfig()));
        List<ScriptedOp<KvInput>> stale = leaseScenario(sim, 0.3).stale();
        assertThat(stale).as("a leader at 30% clock speed serves stale lease reads").isNotEmpty();
        sim.stepUntil("convergence", CONVERGE_STEPS, false, sim::converged);
        try {
            sim.finalChecks();
            fail("the linearizability checker accepted stale reads " + stale);
        } catch (AssertionError expected) {
            assertThat(expected.getMessage()).contains("I8");
        }
    }

    // ------------------------------------------------------------------ B21 concurrent proposals

    @Test
    void b21_concurrentProposalsFromManyClientsGetUniqueIndexesAndNoFutureIsLost() {
        KvSimulation sim = sim(2101, 3, 0);
        SimNode leader = sim.awaitLeader(ELECTION_STEPS, false);
        long term = leader.engine().term();
        List<ScriptedOp<KvInput>> ops = new ArrayList<>();
        for (int burst = 0; burst < 6; burst++) {
            for (int c = 0; c < 60; c++) { // 60 clients at the same virtual instant
                ops.add(sim.submit(leader.id, KvInput.put("b21-" + burst + "-" + c, "v" + c)));
            }
            sim.steps(1 + burst * 7, false);
        }
        sim.stepUntil("every future completes", CONVERGE_STEPS, false, () -> ops.stream().allMatch(op -> op.resolved));
        assertThat(sim.leader()).isSameAs(leader);
        assertThat(leader.engine().term()).isEqualTo(term);
        converge(sim);
        Map<Long, Long> indexOf = durableOps(leader);
        Map<Long, Long> termOf = durableOpTerms(leader);
        int ok = 0;
        int rejected = 0;
        long previousIndex = 0;
        Set<Long> indexes = new HashSet<>();
        for (ScriptedOp<KvInput> op : ops) {
            assertThat(op.timedOut).as("no fault, so no future may wait out its timeout: %s", op).isFalse();
            assertThat(op.future).isDone();
            long opId = op.opId;
            if (op.isOk()) {
                ok++;
                assertThat(indexOf).containsKey(opId);
                long index = indexOf.get(opId);
                assertThat(indexes.add(index)).isTrue();
                assertThat(index).as("one proposer's order is the log's order").isGreaterThan(previousIndex);
                assertThat(termOf.get(opId)).isEqualTo(term);
                previousIndex = index;
            } else {
                rejected++;
                assertThat(op.failure()).as("the only refusal without a fault is back-pressure: %s", op)
                        .isInstanceOf(RejectedException.class);
                assertThat(indexOf).as("a refused proposal is not in the log").doesNotContainKey(opId);
            }
        }
        assertThat(ok).isGreaterThan(200);
        assertThat(ok + rejected).isEqualTo(ops.size());
        for (SimNode node : sim.nodes()) {
            assertThat(durableOps(node)).isEqualTo(indexOf);
        }
    }

    // ------------------------------------------------------------------ B22 flow control

    @Test
    void b22_replicationResumesAfterTheFollowerWasUnreachableWithTheWindowFull() {
        KvSimulation sim = sim(2201, 3, 0);
        SimNode leader = sim.node(ackedWrite(sim, "b22", "start", false).target.id);
        SimNode follower = sim.node(leader.id % 3 + 1);
        awaitCaughtUp(sim);
        int[] appendsToFollower = {0};
        sim.sendObserver = message -> {
            if (message instanceof AppendEntriesRequest request && request.from() == leader.id
                    && request.to() == follower.id && request.entries().count() > 0) {
                appendsToFollower[0]++;
            }
        };
        // Unreachable both ways, then only its answers lost (appends arrive, acknowledgements do not).
        for (int phase = 0; phase < 2; phase++) {
            if (phase == 0) {
                sim.setLink(leader.id, follower.id, true);
            } else {
                sim.network().setCut(follower.id, leader.id, true);
            }
            appendsToFollower[0] = 0;
            long matchBefore = leader.engine().matchIndexOf(follower.id);
            List<ScriptedOp<KvInput>> ops = new ArrayList<>();
            for (int i = 0; i < 200; i++) { // more than the ring holds: the catch-up reads storage
                ops.add(sim.submit(leader.id, KvInput.put("b22-" + phase + "-" + i, "v")));
                sim.steps(2, false);
            }
            sim.stepUntil("the writes commit without the follower", CONVERGE_STEPS, false,
                    () -> ops.stream().allMatch(op -> op.resolved));
            assertThat(ops).allMatch(ScriptedOp::isOk);
            assertThat(leader.engine().matchIndexOf(follower.id)).isEqualTo(matchBefore);
            assertThat(appendsToFollower[0]).as("the in-flight window filled")
                    .isGreaterThanOrEqualTo(CONFIG.maxInflightAppends());
            long lastIndex = leader.engine().lastLogId().index();
            assertThat(lastIndex - matchBefore).isGreaterThan(CONFIG.ringCapacityEntries());
            sim.steps(1_000, false); // paused for a while: probes only
            sim.network().healAll();
            sim.stepUntil("the follower catches up", 10_000, false,
                    () -> leader.engine().matchIndexOf(follower.id) == leader.engine().lastLogId().index()
                            && follower.status().appliedIndex() == leader.engine().lastLogId().index());
            assertThat(follower.engine().lastLogId()).isEqualTo(leader.engine().lastLogId());
        }
        sim.sendObserver = null;
        converge(sim);
    }

    // ------------------------------------------------------------------ B23 bounded memory without quorum

    @Test
    void b23_leaderWithoutQuorumRejectsProposalsWithBoundedMemoryAndDrainsWhenHealed() {
        // Without check-quorum the cut-off leader keeps leading, so nothing but its bounds stops the flood.
        RaftConfig config = RaftConfig.builder().tickMillis(10).heartbeatIntervalMillis(30).electionTimeoutMillis(150)
                .ringCapacityEntries(64).ringCapacityBytes(16 << 10).maxEntryBytes(512)
                .maxInflightAppends(4).maxEntriesPerAppend(8).maxBytesPerAppend(4096)
                .proposalQueueBytes(8 << 10).inboundQueueCapacity(64).maxPendingFutures(256)
                .batchEntries(16).checkQuorum(false).build();
        KvSimulation sim = new KvSimulation(2301, new SimOptions(3, 0, 30_000, 0, 3, false, false, false, false, false,
                false, config));
        sim.nodes().forEach(n -> n.slowDisk = 0);
        SimNode leader = sim.node(ackedWrite(sim, "b23", "start", false).target.id);
        leader.listenerProposals = false; // every proposal takes a slot of the futures table, whose bound counts
        for (SimNode node : sim.nodes()) {
            sim.setIsolated(node.id, true);
        }
        List<ScriptedOp<KvInput>> ops = new ArrayList<>();
        List<ScriptedOp<KvInput>> pending = new ArrayList<>();
        int rejected = 0;
        int maxPending = 0;
        long maxUncommitted = 0;
        for (int step = 0; step < 1_500; step++) {
            for (int i = 0; i < 8; i++) {
                ScriptedOp<KvInput> op = sim.submit(leader.id, KvInput.put("b23-" + step + "-" + i, "v" + i));
                ops.add(op);
                if (op.future.isDone()) {
                    assertThat(op.failure()).as("refused at once, with a typed error").isInstanceOf(RejectedException.class);
                    rejected++;
                } else {
                    pending.add(op);
                }
            }
            sim.step(false);
            pending.removeIf(op -> op.future.isDone());
            maxPending = Math.max(maxPending, pending.size());
            var status = leader.status();
            maxUncommitted = Math.max(maxUncommitted, status.lastLogId().index() - status.committedIndex());
            assertThat(status.role()).isEqualTo(Role.LEADER);
        }
        assertThat(rejected).as("back-pressure refused proposals").isGreaterThan(1_000);
        assertThat(maxUncommitted).as("uncommitted entries held in the ring").isPositive()
                .isLessThanOrEqualTo(config.ringCapacityEntries());
        assertThat(maxPending).as("futures waiting").isLessThanOrEqualTo(config.maxPendingFutures());
        assertThat(ops).filteredOn(op -> op.future.isCompletedExceptionally())
                .allMatch(op -> op.failure() instanceof RejectedException);
        // Heal the leader's links to the followers first, so they follow it before they can campaign.
        for (SimNode node : sim.nodes()) {
            if (node != leader) {
                sim.network().setCut(leader.id, node.id, false);
            }
        }
        sim.stepUntil("the followers follow the leader again", ELECTION_STEPS, false,
                () -> sim.nodes().stream().allMatch(n -> n.engine().leaderId() == leader.id));
        sim.network().healAll();
        sim.stepUntil("everything drains", CONVERGE_STEPS, false, () -> ops.stream().allMatch(op -> op.resolved));
        assertThat(sim.leader()).isSameAs(leader);
        for (ScriptedOp<KvInput> op : ops) {
            assertThat(op.isOk() || op.failure() instanceof RejectedException).as("%s", op).isTrue();
        }
        assertThat(ops.size() - rejected).isGreaterThan(config.ringCapacityEntries());
        converge(sim);
    }

    private static KvSimulation sim(long seed, int nodes, int clients) {
        return ScenarioSupport.sim(seed, nodes, clients, CONFIG);
    }
}
