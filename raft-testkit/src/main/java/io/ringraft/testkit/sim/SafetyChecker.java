package io.ringraft.testkit.sim;

import io.ringraft.api.EntryKind;
import io.ringraft.api.Role;
import io.ringraft.internal.engine.RaftEngine;
import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.HeapLogEntries;
import io.ringraft.message.RaftMessage;
import io.ringraft.message.VoteResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Raft's safety invariants, checked after every simulation step (and on every message sent).
 * A violation throws {@link AssertionError} with what was seen; the simulation adds the seed.
 *
 * <ul>
 *   <li>I1 election safety: one leader per term, in node state and on the wire (every
 *       AppendEntries of a term comes from one sender);
 *   <li>I2 log matching: two logs with an entry of the same term at an index agree on every earlier
 *       term (checked on the engines' term views, periodically and at the end);
 *   <li>I3 leader completeness: a leader holds every entry ever applied anywhere, with its term;
 *   <li>I4 state machine safety: every node applies the same command at each index, in increasing
 *       index order, and each command at most once per incarnation;
 *   <li>I6 monotonicity: per incarnation term, commit and applied never go back; the durable vote's
 *       term never goes back across restarts;
 *   <li>snapshots: a snapshot taken or restored at command index {@code i} holds exactly the state
 *       every node had after applying {@code i}, and a restore never moves a node's applied index back;
 *       {@code purged <= snapshot <= applied} on every node;
 *   <li>I7 vote durability: a voter never grants two candidates in one term, across crashes (from
 *       the wire).
 * </ul>
 */
final class SafetyChecker implements ApplyObserver {

    private record Applied(long term, long opId) {
    }

    private final Map<Long, Long> leaderOfTerm = new HashMap<>();
    private final Map<Long, Long> appendSenderOfTerm = new HashMap<>();
    private final Map<String, Long> grantedVote = new HashMap<>();
    private final Map<Long, Applied> appliedAt = new HashMap<>();
    private final Map<Long, Long> indexOfOp = new HashMap<>();
    private final Map<Long, Long> lastAppliedIndex = new HashMap<>();
    private final Map<Long, Set<Long>> appliedOpsByNode = new HashMap<>();
    private final Map<Long, long[]> monotonic = new HashMap<>();
    private final Map<Long, Long> durableVoteTerm = new HashMap<>();
    private final Set<Long> checkedLeaderTerms = new HashSet<>();
    /** The state hash after the command at each index (from whichever node applied it first). */
    private final Map<Long, Long> stateHashAt = new HashMap<>();
    /** Per node (this incarnation): the command index its state was last restored from a snapshot at. */
    private final Map<Long, Long> restoredAt = new HashMap<>();
    private long snapshotChunksSent;
    private long forwardsAppended;
    private long snapshotsTaken;
    private long snapshotsRestored;
    private final TraceHash trace;

    SafetyChecker(TraceHash trace) {
        this.trace = trace;
    }

    /** A node restarted: its per-incarnation history starts over. */
    void restarted(long nodeId) {
        lastAppliedIndex.remove(nodeId);
        appliedOpsByNode.remove(nodeId);
        restoredAt.remove(nodeId);
        monotonic.remove(nodeId);
    }

    // ------------------------------------------------------------------ on the wire

    void onSend(RaftMessage message) {
        if (message instanceof io.ringraft.message.InstallSnapshotRequest) {
            snapshotChunksSent++;
        }
        if (message instanceof io.ringraft.message.ForwardProposalResult result
                && result.outcome() == io.ringraft.message.ForwardProposalResult.Outcome.APPENDED) {
            forwardsAppended++;
        }
        if (message instanceof AppendEntriesRequest request) {
            Long previous = appendSenderOfTerm.putIfAbsent(request.term(), request.from());
            if (previous != null && previous != request.from()) {
                throw new AssertionError("I1 violated on the wire: AppendEntries of term " + request.term()
                        + " from nodes " + previous + " and " + request.from());
            }
        } else if (message instanceof VoteResponse response && response.granted() && !response.preVote()) {
            String key = response.from() + "@" + response.term();
            Long previous = grantedVote.putIfAbsent(key, response.to());
            if (previous != null && previous != response.to()) {
                throw new AssertionError("I7 violated: node " + response.from() + " granted its vote in term "
                        + response.term() + " to " + previous + " and to " + response.to());
            }
        }
    }

    // ------------------------------------------------------------------ applies

    @Override
    public void applied(long nodeId, long index, long term, long opId) {
        trace.add(nodeId * 1_000_003L + index);
        Long last = lastAppliedIndex.get(nodeId);
        if (last != null && index <= last) {
            throw new AssertionError("I4 violated: node " + nodeId + " applied index " + index + " after "
                    + last);
        }
        lastAppliedIndex.put(nodeId, index);
        if (!appliedOpsByNode.computeIfAbsent(nodeId, n -> new HashSet<>()).add(opId)) {
            throw new AssertionError("I4 violated: node " + nodeId + " applied operation " + opId
                    + " twice (again at index " + index + ")");
        }
        indexOfOp.put(opId, index);
        Applied applied = new Applied(term, opId);
        Applied previous = appliedAt.putIfAbsent(index, applied);
        if (previous != null && !previous.equals(applied)) {
            throw new AssertionError("I4 violated: index " + index + " applied as " + previous + " elsewhere and as "
                    + applied + " on node " + nodeId);
        }
    }

    @Override
    public void stateAt(long nodeId, long index, long stateHash) {
        Long previous = stateHashAt.putIfAbsent(index, stateHash);
        if (previous != null && previous != stateHash) {
            throw new AssertionError("I4 violated: after index " + index + " node " + nodeId
                    + " holds a different state than another node had");
        }
    }

    @Override
    public void snapshot(long nodeId, long index, boolean hasDigest, long stateHash, boolean restored) {
        if (restored) {
            snapshotsRestored++;
            Long last = lastAppliedIndex.get(nodeId);
            if (last != null && index < last) {
                throw new AssertionError("E45 violated: node " + nodeId + " restored a snapshot of index " + index
                        + " after applying " + last + ": its state went back");
            }
            lastAppliedIndex.put(nodeId, index);
            restoredAt.put(nodeId, index);
            appliedOpsByNode.remove(nodeId); // the commands before it are inside the snapshot
        } else {
            snapshotsTaken++;
        }
        if (index == 0 || !hasDigest) {
            return;
        }
        Long expected = stateHashAt.get(index);
        if (expected == null && restored) {
            throw new AssertionError("node " + nodeId + " restored a snapshot of index " + index
                    + " that no node ever applied");
        }
        if (expected != null && expected != stateHash) {
            throw new AssertionError("I4 violated: node " + nodeId + (restored ? " restored" : " took")
                    + " a snapshot of index " + index + " whose state differs from the state after applying it");
        }
    }

    /** Commands followers forwarded that a leader appended. */
    long forwardsAppended() {
        return forwardsAppended;
    }

    /** Snapshots nodes took, snapshots restored (installed or at restart), chunks sent. */
    long[] snapshotCounts() {
        return new long[] {snapshotsTaken, snapshotsRestored, snapshotChunksSent};
    }

    /**
     * Whether {@code nodeId}'s state (this incarnation) includes operation {@code opId}: applied by
     * it, or inside a snapshot it restored.
     */
    boolean hasApplied(long nodeId, long opId) {
        if (appliedOps(nodeId).contains(opId)) {
            return true;
        }
        Long index = indexOfOp.get(opId);
        return index != null && index <= restoredAt.getOrDefault(nodeId, 0L);
    }

    /** Operation ids applied on {@code nodeId} in its current incarnation. */
    Set<Long> appliedOps(long nodeId) {
        return appliedOpsByNode.getOrDefault(nodeId, Set.of());
    }

    // ------------------------------------------------------------------ after every step

    void afterStep(List<SimNode> nodes) {
        for (SimNode node : nodes) {
            long voteTerm = node.disk.durableVote().term();
            Long before = durableVoteTerm.put(node.id, voteTerm);
            if (before != null && voteTerm < before) {
                throw new AssertionError("I6 violated: node " + node.id + "'s durable term went from " + before
                        + " to " + voteTerm);
            }
            RaftEngine engine = node.engine();
            if (engine == null || !node.isServing()) {
                continue;
            }
            checkMonotonic(node, engine);
            checkSnapshotPointers(node);
            if (engine.role() == Role.LEADER) {
                Long leader = leaderOfTerm.putIfAbsent(engine.term(), node.id);
                if (leader != null && leader != node.id) {
                    throw new AssertionError("I1 violated: nodes " + leader + " and " + node.id + " both lead term "
                            + engine.term());
                }
                if (checkedLeaderTerms.add(engine.term())) {
                    // Leaders never remove entries, so checking when one is first seen is enough.
                    trace.add("leader " + node.id + " term " + engine.term());
                    checkLeaderCompleteness(node, engine);
                }
            }
        }
    }

    private void checkMonotonic(SimNode node, RaftEngine engine) {
        long applied = node.status().appliedIndex();
        long[] now = {engine.term(), engine.commitIndex(), applied};
        long[] before = monotonic.put(node.id, now);
        if (before != null) {
            String[] names = {"term", "commit index", "applied index"};
            for (int i = 0; i < now.length; i++) {
                if (now[i] < before[i]) {
                    throw new AssertionError("I6 violated: node " + node.id + "'s " + names[i] + " went from "
                            + before[i] + " to " + now[i]);
                }
            }
        }
    }

    /** purged <= snapshot <= applied (applied may briefly lead the commit index after a restore). */
    private void checkSnapshotPointers(SimNode node) {
        var status = node.status();
        if (status.purgedIndex() > status.snapshotIndex() || status.snapshotIndex() > status.appliedIndex()) {
            throw new AssertionError("node " + node.id + " broke purged <= snapshot <= applied: purged "
                    + status.purgedIndex() + " snapshot " + status.snapshotIndex() + " applied " + status.appliedIndex());
        }
    }

    void checkLeaderCompleteness(SimNode node, RaftEngine engine) {
        for (Map.Entry<Long, Applied> entry : appliedAt.entrySet()) {
            if (entry.getKey() <= engine.latestSnapshot().index() && engine.termAt(entry.getKey()) < 0) {
                continue; // compacted into the leader's snapshot, which holds only committed entries
            }
            long term = engine.termAt(entry.getKey());
            if (term != entry.getValue().term()) {
                throw new AssertionError("I3 violated: leader " + node.id + " of term " + engine.term()
                        + " has term " + term + " at index " + entry.getKey() + " where term "
                        + entry.getValue().term() + " was applied");
            }
        }
    }

    /** I2 on the engines' term views of every pair of serving nodes. */
    void checkLogMatching(List<SimNode> nodes) {
        List<RaftEngine> engines = new ArrayList<>();
        for (SimNode node : nodes) {
            if (node.isServing()) {
                engines.add(node.engine());
            }
        }
        for (int a = 0; a < engines.size(); a++) {
            for (int b = a + 1; b < engines.size(); b++) {
                RaftEngine x = engines.get(a);
                RaftEngine y = engines.get(b);
                long last = Math.min(x.lastLogId().index(), y.lastLogId().index());
                boolean matchedAbove = false;
                for (long i = last; i >= 1; i--) {
                    if (x.termAt(i) < 0 || y.termAt(i) < 0) {
                        break; // compacted on one of them
                    }
                    boolean same = x.termAt(i) == y.termAt(i);
                    if (matchedAbove && !same) {
                        throw new AssertionError("I2 violated: nodes " + x.config().selfId() + " and "
                                + y.config().selfId() + " agree on a later entry but differ at index " + i);
                    }
                    matchedAbove |= same;
                }
            }
        }
    }

    /**
     * At the end of a run: every command in a node's durable log up to its applied index was applied
     * there (no gaps).
     */
    void checkNoGaps(SimNode node) {
        long applied = node.status().appliedIndex();
        HeapLogEntries log = node.disk.durableEntries();
        Set<Long> ops = appliedOps(node.id);
        long restored = restoredAt.getOrDefault(node.id, 0L);
        for (int i = 0; i < log.count() && log.firstIndex() + i <= applied; i++) {
            if (log.firstIndex() + i <= restored) {
                continue; // applied inside the snapshot the node restored
            }
            if (log.kindAt(i) == EntryKind.COMMAND) {
                long opId = CommandEnvelope.opId(log.payloadBytes(i));
                if (!ops.contains(opId)) {
                    throw new AssertionError("I4 violated: node " + node.id + " applied up to " + applied
                            + " but never applied the command at index " + (log.firstIndex() + i));
                }
            }
        }
    }
}
