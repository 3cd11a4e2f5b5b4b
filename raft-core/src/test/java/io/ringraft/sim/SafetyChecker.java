package io.ringraft.sim;

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
 *   <li>I7 vote durability: a voter never grants two candidates in one term, across crashes (from
 *       the wire).
 * </ul>
 */
final class SafetyChecker implements KvStateMachine.ApplyObserver {

    private record Applied(long term, long opId) {
    }

    private final Map<Long, Long> leaderOfTerm = new HashMap<>();
    private final Map<Long, Long> appendSenderOfTerm = new HashMap<>();
    private final Map<String, Long> grantedVote = new HashMap<>();
    private final Map<Long, Applied> appliedAt = new HashMap<>();
    private final Map<Long, Long> lastAppliedIndex = new HashMap<>();
    private final Map<Long, Set<Long>> appliedOpsByNode = new HashMap<>();
    private final Map<Long, long[]> monotonic = new HashMap<>();
    private final Map<Long, Long> durableVoteTerm = new HashMap<>();
    private final Set<Long> checkedLeaderTerms = new HashSet<>();
    private final TraceHash trace;

    SafetyChecker(TraceHash trace) {
        this.trace = trace;
    }

    /** A node restarted: its per-incarnation history starts over. */
    void restarted(long nodeId) {
        lastAppliedIndex.remove(nodeId);
        appliedOpsByNode.remove(nodeId);
        monotonic.remove(nodeId);
    }

    // ------------------------------------------------------------------ on the wire

    void onSend(RaftMessage message) {
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
    public void applied(long nodeId, long index, long term, KvCommand command) {
        trace.add(nodeId * 1_000_003L + index);
        Long last = lastAppliedIndex.get(nodeId);
        if (last != null && index <= last) {
            throw new AssertionError("I4 violated: node " + nodeId + " applied index " + index + " after "
                    + last);
        }
        lastAppliedIndex.put(nodeId, index);
        if (!appliedOpsByNode.computeIfAbsent(nodeId, n -> new HashSet<>()).add(command.opId())) {
            throw new AssertionError("I4 violated: node " + nodeId + " applied operation " + command.opId()
                    + " twice (again at index " + index + ")");
        }
        Applied applied = new Applied(term, command.opId());
        Applied previous = appliedAt.putIfAbsent(index, applied);
        if (previous != null && !previous.equals(applied)) {
            throw new AssertionError("I4 violated: index " + index + " applied as " + previous + " elsewhere and as "
                    + applied + " on node " + nodeId);
        }
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

    void checkLeaderCompleteness(SimNode node, RaftEngine engine) {
        for (Map.Entry<Long, Applied> entry : appliedAt.entrySet()) {
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
        for (int i = 0; i < log.count() && log.firstIndex() + i <= applied; i++) {
            if (log.kindAt(i) == EntryKind.COMMAND) {
                long opId = KvCommand.decode(log.payloadBytes(i)).opId();
                if (!ops.contains(opId)) {
                    throw new AssertionError("I4 violated: node " + node.id + " applied up to " + applied
                            + " but never applied the command at index " + (log.firstIndex() + i));
                }
            }
        }
    }
}
