package io.ringraft.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.RaftConfig;
import io.ringraft.api.Role;
import io.ringraft.internal.simdisk.SimDisk;
import io.ringraft.testkit.linearizability.KvInput;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Quiescence with many groups per host on the simulator ({@link HostSimulation}): the real runtime of
 * every node, hosts that crash and get cut off as a whole, a liveness detector per host, and the safety
 * invariants checked per group after every step.
 */
class HostScenariosTest {

    /** The simulator's small configuration, quiescing after 200 ms idle (election timeout 150 ms). */
    static final RaftConfig CONFIG = SimOptions.smallBuilder().snapshotIntervalEntries(48).snapshotLogTailEntries(8)
            .snapshotChunkBytes(64).quiesceAfterMillis(200).build();
    private static final int LONG = 60_000;

    /** Runs clients for a while, then lets every group converge and go quiet. */
    private static HostSimulation quietHosts(long seed, int hosts, int groups) {
        HostSimulation sim = new HostSimulation(seed, hosts, groups, CONFIG, 1);
        sim.clientsActive = true;
        sim.steps(3_000);
        sim.clientsActive = false;
        sim.stepUntil("every group converged", LONG, () -> sim.groups().stream().allMatch(HostSimulation.Group::converged));
        sim.stepUntil("every group quiet", LONG, () -> sim.groups().stream().allMatch(HostSimulation.Group::quiet));
        return sim;
    }

    /** The host leading the most groups (the lowest id among ties). */
    private static int busiestLeaderHost(HostSimulation sim) {
        int[] led = new int[sim.hosts() + 1];
        for (HostSimulation.Group group : sim.groups()) {
            led[(int) group.leader().id]++;
        }
        int best = 1;
        for (int h = 2; h <= sim.hosts(); h++) {
            if (led[h] > led[best]) {
                best = h;
            }
        }
        return best;
    }

    /** Every group converged (one leader, same log applied), every request settled, the final checks. */
    private static void convergeAndCheck(HostSimulation sim) {
        sim.stepUntil("every group converged", LONG, () -> sim.groups().stream().allMatch(HostSimulation.Group::converged));
        sim.awaitCompletions();
        for (HostSimulation.Group group : sim.groups()) {
            group.finalChecks();
        }
    }

    /** An acknowledged write to every group (retried after definite failures): every group is live. */
    private static void writeToEveryGroup(HostSimulation sim, String value) {
        for (HostSimulation.Group group : sim.groups()) {
            boolean ok = false;
            for (int attempt = 0; attempt < 20 && !ok; attempt++) {
                sim.stepUntil("a leader in group " + group.id, LONG, () -> group.leader() != null);
                ClientWorkload.ScriptedOp<KvInput> op = sim.put(group.id, "k", value);
                sim.stepUntil("the write to group " + group.id, LONG, () -> op.resolved);
                ok = op.isOk();
            }
            assertThat(ok).as("group %d acknowledged a write", group.id).isTrue();
        }
    }

    @Test
    void idleGroupsQuiesceAndThenSendNothingForTenElectionTimeouts() {
        HostSimulation sim = quietHosts(101, 3, 8);
        Map<Long, Long> leaders = new HashMap<>();
        Map<Long, Long> terms = new HashMap<>();
        for (HostSimulation.Group group : sim.groups()) {
            leaders.put(group.id, group.leader().id);
            terms.put(group.id, group.leader().engine().term());
        }
        long sent = sim.network().sent;
        System.out.println("idle groups: quiet after " + sim.steps() + " steps; " + sent + " messages sent so far");
        long until = sim.now() + 10 * sim.electionTimeoutNanos();
        while (sim.now() < until) {
            sim.step();
        }
        assertThat(sim.network().sent).as("messages sent by quiet groups").isEqualTo(sent);
        for (HostSimulation.Group group : sim.groups()) {
            assertThat(group.quiet()).isTrue();
            assertThat(group.leader().id).isEqualTo(leaders.get(group.id));
            for (SimNode node : group.nodes) {
                assertThat(node.engine().term()).isEqualTo(terms.get(group.id));
            }
        }
        // quiet groups hold no ring tables nor proposal array (once applied: the applier wakes the core)
        sim.stepUntil("every quiet group released its ring and queue", LONG,
                () -> sim.groups().stream().allMatch(HostSimulation.Group::released));
        // and they wake on demand: a write to every group succeeds, then they go quiet again
        writeToEveryGroup(sim, "after-quiet");
        assertThat(sim.groups().stream().allMatch(HostSimulation.Group::released))
                .as("groups that just took a write hold their ring again").isFalse();
        sim.stepUntil("every group quiet again", LONG, () -> sim.groups().stream().allMatch(HostSimulation.Group::quiet));
        sim.stepUntil("every group released its ring and queue again", LONG,
                () -> sim.groups().stream().allMatch(HostSimulation.Group::released));
        convergeAndCheck(sim);
    }

    @Test
    void whenTheLeaderHostOfQuietGroupsCrashesEveryGroupHasALeaderWithinTwoElectionTimeouts() {
        for (long seed = 201; seed <= 205; seed++) {
            HostSimulation sim = quietHosts(seed, 3, 8);
            int victim = busiestLeaderHost(sim);
            long crashedAt = sim.now();
            sim.crashHost(victim, SimDisk.CrashMode.values()[(int) (seed % 3)]);
            Map<Long, Long> electedAt = new HashMap<>();
            sim.stepUntil("a live leader in every group", LONG, () -> {
                for (HostSimulation.Group group : sim.groups()) {
                    SimNode leader = group.leader();
                    if (leader != null && leader.id != victim) {
                        electedAt.putIfAbsent(group.id, sim.now());
                    }
                }
                return electedAt.size() == sim.groups().size();
            });
            long slowest = electedAt.values().stream().mapToLong(t -> t - crashedAt).max().orElseThrow();
            System.out.printf("host crash, seed %d: host %d crashed; slowest new leader after %.1f ms (election timeout %d ms)%n",
                    seed, victim, slowest / 1e6, sim.config().electionTimeoutMillis());
            assertThat(slowest).as("seed %d: time from the crash to the last group's new leader (ns)", seed)
                    .isLessThanOrEqualTo(2 * sim.electionTimeoutNanos());
            sim.restartHost(victim);
            writeToEveryGroup(sim, "after-crash");
            convergeAndCheck(sim);
        }
    }

    @Test
    void nodesWhoseSchedulerSkippedThemWhileQuietDoNotCampaignWhenWoken() {
        // A host scheduler may stop running quiet groups; when a message wakes one much later, the time
        // it was not run must not count as election ticks (the message is handled before the ticks).
        for (long seed = 401; seed <= 403; seed++) {
            HostSimulation sim = quietHosts(seed, 3, 6);
            int skipped = (int) (seed % 3) + 1;
            sim.freeze(skipped, 10 * sim.electionTimeoutNanos());
            long votes = sim.voteRequests;
            Map<Long, Long> leaders = new HashMap<>();
            for (HostSimulation.Group group : sim.groups()) {
                leaders.put(group.id, group.leader().id);
            }
            sim.steps(2_000); // half a second: the skipped host's groups sit unscheduled
            java.util.List<ClientWorkload.ScriptedOp<KvInput>> writes = new java.util.ArrayList<>();
            for (HostSimulation.Group group : sim.groups()) {
                writes.add(sim.put(group.id, "k", "while-skipped"));
            }
            // the skipped host's followers get appends queued; its leaders get the proposals queued
            sim.stepUntil("every write answered", LONG, () -> writes.stream().allMatch(op -> op.resolved));
            assertThat(writes).allMatch(ClientWorkload.ScriptedOp::isOk);
            sim.stepUntil("every group quiet again", LONG,
                    () -> sim.groups().stream().allMatch(HostSimulation.Group::quiet));
            assertThat(sim.voteRequests).as("seed %d: vote requests after waking", seed).isEqualTo(votes);
            for (HostSimulation.Group group : sim.groups()) {
                assertThat(group.leader().id).isEqualTo(leaders.get(group.id));
            }
            convergeAndCheck(sim);
        }
    }

    @Test
    void partitioningTheLeaderHostOfQuietGroupsThenHealingKeepsEveryGroupSafeAndLive() {
        for (long seed = 301; seed <= 303; seed++) {
            HostSimulation sim = quietHosts(seed, 3, 6);
            int isolated = busiestLeaderHost(sim);
            sim.setIsolated(isolated, true);
            // The other hosts lose it after an election timeout and elect new leaders among themselves
            sim.stepUntil("a leader outside the isolated host in every group", LONG, () -> sim.groups().stream()
                    .allMatch(g -> g.leader() != null && g.leader().id != isolated));
            long until = sim.now() + 3 * sim.electionTimeoutNanos();
            while (sim.now() < until) {
                sim.step();
            }
            // The isolated host lost its peers too: its leaders woke, and check-quorum deposed them
            for (HostSimulation.Group group : sim.groups()) {
                assertThat(group.node(isolated).engine().role()).as("seed %d group %d", seed, group.id)
                        .isNotEqualTo(Role.LEADER);
            }
            sim.setIsolated(isolated, false);
            writeToEveryGroup(sim, "after-heal");
            convergeAndCheck(sim);
            sim.stepUntil("every group quiet after the heal", LONG,
                    () -> sim.groups().stream().allMatch(HostSimulation.Group::quiet));
        }
    }

    @Test
    void dormantGroupsElectNobodyUntilUsedThenServeAndFailOverAsUsual() {
        RaftConfig dormant = SimOptions.smallBuilder().snapshotIntervalEntries(48).snapshotLogTailEntries(8)
                .snapshotChunkBytes(64).quiesceAfterMillis(200).startDormant(true).build();
        HostSimulation sim = new HostSimulation(501, 3, 6, dormant, 1);
        sim.clientsActive = false; // nobody uses the groups yet
        long until = sim.now() + 10 * sim.electionTimeoutNanos();
        while (sim.now() < until) {
            sim.step();
        }
        assertThat(sim.network().sent).as("messages sent by dormant groups in ten election timeouts").isZero();
        assertThat(sim.groups()).allMatch(group -> group.leader() == null);
        // First use: a write to node 1 of each group. It is refused (no leader yet), and asks for one.
        long firstUse = sim.now();
        for (HostSimulation.Group group : sim.groups()) {
            ClientWorkload.ScriptedOp<KvInput> op = sim.put(group.id, "k", "first-use");
            sim.stepUntil("the first write to group " + group.id, LONG, () -> op.resolved);
        }
        sim.stepUntil("a leader in every group", LONG,
                () -> sim.groups().stream().allMatch(group -> group.leader() != null));
        assertThat(sim.now() - firstUse).as("first use to every group led (ns)")
                .isLessThanOrEqualTo(2 * sim.electionTimeoutNanos());
        for (HostSimulation.Group group : sim.groups()) {
            assertThat(group.leader().id).as("group %d: only the used replica campaigned", group.id).isEqualTo(1);
            assertThat(group.leader().engine().term()).as("group %d: one uncontested election", group.id).isEqualTo(1);
        }
        writeToEveryGroup(sim, "after-first-use");
        sim.stepUntil("every group quiet", LONG, () -> sim.groups().stream().allMatch(HostSimulation.Group::quiet));
        // Failover is that of any quiet group: the leader host crashes, every group elects within two timeouts.
        long crashedAt = sim.now();
        sim.crashHost(1, SimDisk.CrashMode.values()[0]);
        sim.stepUntil("a live leader in every group", LONG, () -> sim.groups().stream()
                .allMatch(group -> group.leader() != null && group.leader().id != 1));
        assertThat(sim.now() - crashedAt).as("crash to the last group's new leader (ns)")
                .isLessThanOrEqualTo(2 * sim.electionTimeoutNanos());
        sim.restartHost(1);
        writeToEveryGroup(sim, "after-crash");
        convergeAndCheck(sim);
    }
}
