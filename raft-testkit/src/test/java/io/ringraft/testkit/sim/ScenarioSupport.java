package io.ringraft.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.EntryKind;
import io.ringraft.api.RaftConfig;
import io.ringraft.internal.simdisk.SimDisk.CrashMode;
import io.ringraft.message.HeapLogEntries;
import io.ringraft.testkit.linearizability.KvInput;
import io.ringraft.testkit.linearizability.KvOutput;
import io.ringraft.testkit.sim.ClientWorkload.ScriptedOp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * What the scripted simulator scenarios share: building a scripted simulation, acknowledged writes and
 * reads through the leader (retried after definite failures), convergence and the checks on durable
 * logs. Static helpers only.
 */
final class ScenarioSupport {

    static final int ELECTION_STEPS = 20_000;
    static final int CONVERGE_STEPS = 40_000;

    private ScenarioSupport() {
    }

    /** A scripted simulation (no nemesis, no faults unless scripted) with disks that are never slow. */
    static KvSimulation sim(long seed, int nodes, int clients, RaftConfig config) {
        KvSimulation sim = new KvSimulation(seed, new SimOptions(nodes, 0, 30_000, clients, 6, false, false, false, false,
                false, false, config));
        for (SimNode node : sim.nodes()) {
            node.slowDisk = 0;
        }
        return sim;
    }

    /** Restarts a crashed node and checks its recovered log against the others' (I2) at once. */
    static void restartChecked(KvSimulation sim, long id) {
        sim.restart(id);
        sim.checker().checkLogMatching(sim.nodes());
    }

    static CrashMode randomMode(SplittableRandom random) {
        return CrashMode.values()[random.nextInt(CrashMode.values().length)];
    }

    /** Writes until a leader acknowledges it (retrying at the current leader after a definite failure). */
    static ScriptedOp<KvInput> ackedWrite(KvSimulation sim, String key, String value, boolean clients) {
        List<ScriptedOp<KvInput>> attempts = new ArrayList<>();
        for (int attempt = 0; attempt < 20; attempt++) {
            SimNode leader = sim.awaitLeader(ELECTION_STEPS, clients);
            ScriptedOp<KvInput> op = sim.submit(leader.id, KvInput.put(key, value));
            attempts.add(op);
            sim.stepUntil("the outcome of " + op, ELECTION_STEPS, clients, () -> op.resolved);
            if (op.isOk()) {
                return op;
            }
        }
        throw new AssertionError("no leader acknowledged the write: " + attempts);
    }

    /** A linearizable read through the log (retried like {@link #ackedWrite}). */
    static String read(KvSimulation sim, String key) {
        for (int attempt = 0; attempt < 20; attempt++) {
            SimNode leader = sim.awaitLeader(ELECTION_STEPS, false);
            ScriptedOp<KvInput> op = sim.submit(leader.id, KvInput.get(key));
            sim.stepUntil("the outcome of " + op, ELECTION_STEPS, false, () -> op.resolved);
            if (op.isOk()) {
                return ((KvOutput.Value) op.future.join()).value();
            }
        }
        throw new AssertionError("no leader answered a read of " + key);
    }

    /** Every node up, one leader, the same log applied everywhere, no operation pending; then the final checks. */
    static void converge(KvSimulation sim) {
        sim.stepUntil("convergence", CONVERGE_STEPS, false, sim::converged);
        sim.awaitCompletions();
        sim.finalChecks();
        for (SimNode node : sim.nodes()) {
            assertThat(node.status().committedIndex()).as("node %d: %s", node.id, node.status())
                    .isEqualTo(node.status().appliedIndex());
        }
    }

    /** Steps until a leader exists and every serving node holds and applied its whole log. */
    static void awaitCaughtUp(KvSimulation sim) {
        sim.stepUntil("every node caught up", CONVERGE_STEPS, false, () -> {
            SimNode leader = sim.leader();
            if (leader == null) {
                return false;
            }
            long last = leader.engine().lastLogId().index();
            return sim.nodes().stream().filter(SimNode::isServing)
                    .allMatch(n -> n.engine().lastLogId().equals(leader.engine().lastLogId())
                            && n.status().appliedIndex() == last && n.status().durableIndex() == last);
        });
    }

    /** I5 at any moment: an acknowledged write is committed, so a quorum of disks holds it durably. */
    static void assertAckedWritesDurableOnQuorum(KvSimulation sim) {
        List<Set<Long>> durable = new ArrayList<>();
        for (SimNode node : sim.nodes()) {
            durable.add(durableOps(node).keySet());
        }
        int quorum = sim.nodes().size() / 2 + 1;
        for (long opId : sim.workload().acknowledgedWrites()) {
            long holders = durable.stream().filter(ops -> ops.contains(opId)).count();
            assertThat(holders).as("disks durably holding acknowledged write %d", opId).isGreaterThanOrEqualTo(quorum);
        }
    }

    /** Operation id to index, for every command in the node's durable log. */
    static Map<Long, Long> durableOps(SimNode node) {
        return durableOpsBy(node, true);
    }

    static Map<Long, Long> durableOpTerms(SimNode node) {
        return durableOpsBy(node, false);
    }

    static Map<Long, Long> durableOpsBy(SimNode node, boolean index) {
        HeapLogEntries log = node.disk.durableEntries();
        Map<Long, Long> ops = new HashMap<>();
        for (int i = 0; i < log.count(); i++) {
            if (log.kindAt(i) == EntryKind.COMMAND) {
                long opId = CommandEnvelope.opId(log.payloadBytes(i));
                Long before = ops.put(opId, index ? log.firstIndex() + i : log.termAt(i));
                if (before != null) {
                    throw new AssertionError("operation " + opId + " is twice in node " + node.id + "'s log");
                }
            }
        }
        return ops;
    }
}
