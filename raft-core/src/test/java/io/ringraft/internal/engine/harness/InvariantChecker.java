package io.ringraft.internal.engine.harness;

import io.ringraft.api.LogId;
import io.ringraft.api.Role;
import io.ringraft.api.Vote;
import io.ringraft.internal.engine.RaftEngine;
import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.AppendEntriesResponse;
import io.ringraft.message.RaftMessage;
import io.ringraft.message.VoteResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Raft's safety properties, checked while the harness runs: at every storage change, message send,
 * commit report and role change (as it happens), and after every delivered message, flush and tick.
 * A violation throws an {@link AssertionError} that names the seed and dumps the cluster.
 *
 * <ul>
 *   <li><b>I1 election safety</b>: every (term, leader) ever reported, and every AppendEntries sender
 *       on the wire, is unique per term.
 *   <li><b>I2 log matching</b>: each (index, term) ever accepted anywhere maps to one entry and one
 *       previous term; by induction equal (index, term) means equal prefixes, payloads included. A
 *       pairwise sweep over all accepted and durable logs double-checks it every
 *       {@code fullCheckEvery} events.
 *   <li><b>I3 leader completeness</b>: a node becoming leader of term t holds every entry committed
 *       (as observed) in a term at most t; each newly committed entry is checked against every live
 *       leader of a term at least its own; leaders never truncate.
 *   <li><b>I4 state machine safety</b>: one committed entry per index across all nodes and
 *       incarnations; each incarnation's commit index only rises and never passes its log; a
 *       follower never commits past the highest commit any leader reported.
 *   <li><b>I5 durable commit</b>: when a leader reports an index committed, a quorum of nodes holds
 *       that entry durably. A successful AppendEntries response reports only entries that are
 *       durable on the follower and equal to the leader's.
 *   <li><b>I6 monotonicity</b>: the durable vote's term never decreases (across restarts) and its
 *       vote never changes within a term; an engine's term never decreases within an incarnation.
 *   <li><b>I7 vote durability</b>: from the wire, per (voter, term) at most one candidate is granted a
 *       vote, across restarts; a grant leaves only once the voter's durable vote names the candidate.
 * </ul>
 * It also checks that the storage model and the engine agree (last log id, durable index, commit).
 */
public final class InvariantChecker {

    private record Link(long prevTerm, SimEntry entry) {
    }

    private record VoteKey(long voter, long term) {
    }

    /** A leader is a node incarnation: the same node leading one term twice (after a crash) is a violation too. */
    private record Leader(long id, int incarnation) {
    }

    private final Cluster cluster;
    private final int quorum;
    private final Map<Long, Leader> leaderOfTerm = new HashMap<>();
    private final Map<Long, Long> appendSenderOfTerm = new HashMap<>();
    private final Map<LogId, Link> entryIds = new HashMap<>();
    private final List<SimEntry> committed = new ArrayList<>();
    private final List<Long> commitTerm = new ArrayList<>();
    private final Map<VoteKey, Long> grants = new HashMap<>();
    private final long[] lastEngineTerm;
    private final int[] lastIncarnation;
    private long maxLeaderCommit;
    private long events;
    int fullCheckEvery = 100;

    InvariantChecker(Cluster cluster, int size) {
        this.cluster = cluster;
        this.quorum = size / 2 + 1;
        this.lastEngineTerm = new long[size + 1];
        this.lastIncarnation = new int[size + 1];
    }

    // ------------------------------------------------------------------ reports

    /** The entries known committed, index i at position i - 1. */
    public List<SimEntry> committedLog() {
        return List.copyOf(committed);
    }

    /** How many entries are known committed. */
    public int committedCount() {
        return committed.size();
    }

    /** The committed entry at {@code index} (1-based). */
    public SimEntry committedEntry(long index) {
        return committed.get((int) index - 1);
    }

    /** Every (term, leader) reported so far. */
    public Map<Long, Long> leadersByTerm() {
        Map<Long, Long> out = new HashMap<>();
        leaderOfTerm.forEach((term, leader) -> out.put(term, leader.id()));
        return out;
    }

    public long events() {
        return events;
    }

    AssertionError violation(String message) {
        return new AssertionError("INVARIANT VIOLATED (seed=" + cluster.seed + ", event " + events + "): "
                + message + "\n" + cluster.dump());
    }

    // ------------------------------------------------------------------ hooks from the nodes

    void onAccepted(HarnessNode node, long index, SimEntry entry) {
        long prevTerm = index == 1 ? 0 : node.entry(index - 1).term();
        if (entry.term() < prevTerm) {
            throw violation("node " + node.id + " appended " + entry + " at " + index + " after term " + prevTerm);
        }
        if (entry.term() > node.engine().term()) {
            throw violation("node " + node.id + " in term " + node.engine().term() + " appended " + entry
                    + " at " + index + " from a future term");
        }
        Link link = new Link(prevTerm, entry);
        Link known = entryIds.putIfAbsent(new LogId(entry.term(), index), link);
        if (known != null && !known.equals(link)) {
            throw violation("I2 log matching: node " + node.id + " holds " + entry + " (previous term " + prevTerm
                    + ") at index " + index + " but another log held " + known.entry() + " (previous term "
                    + known.prevTerm() + ") with the same (index, term)");
        }
    }

    void onTruncate(HarnessNode node, long fromIndex) {
        RaftEngine engine = node.engine();
        if (engine.role() == Role.LEADER) {
            throw violation("node " + node.id + " truncates from " + fromIndex + " while leader of term "
                    + engine.term() + " (a leader's log is append-only)");
        }
        if (fromIndex <= node.reportedCommit) {
            throw violation("node " + node.id + " truncates from " + fromIndex + " at or below its commit index "
                    + node.reportedCommit);
        }
    }

    void onCommitted(HarnessNode node, long index) {
        RaftEngine engine = node.engine();
        if (index <= node.reportedCommit) {
            throw violation("I6: node " + node.id + " commit went from " + node.reportedCommit + " to " + index);
        }
        if (index > node.log().size()) {
            throw violation("node " + node.id + " committed " + index + " beyond its log of " + node.log().size());
        }
        if (engine.role() == Role.LEADER) {
            checkDurableOnQuorum(node, index);
            maxLeaderCommit = Math.max(maxLeaderCommit, index);
        } else if (index > maxLeaderCommit) {
            throw violation("node " + node.id + " (" + engine.role() + ") committed " + index
                    + " but no leader ever committed beyond " + maxLeaderCommit);
        }
        long term = engine.term();
        for (long i = node.reportedCommit + 1; i <= index; i++) {
            SimEntry entry = node.entry(i);
            if (i <= committed.size()) {
                SimEntry known = committed.get((int) i - 1);
                if (!known.equals(entry)) {
                    throw violation("I4 state machine safety: node " + node.id + " committed " + entry + " at " + i
                            + " but " + known + " was committed there before");
                }
            } else {
                committed.add(entry);
                commitTerm.add(term);
                for (HarnessNode other : cluster.nodes()) {
                    if (other.isLeader() && other.engine().term() >= term) {
                        checkHolds(other, i, "newly committed");
                    }
                }
            }
        }
        node.reportedCommit = index;
    }

    private void checkDurableOnQuorum(HarnessNode leader, long index) {
        SimEntry entry = leader.entry(index);
        int holders = 0;
        StringBuilder who = new StringBuilder();
        for (HarnessNode node : cluster.nodes()) {
            List<SimEntry> durable = node.durableLog();
            if (durable.size() >= index && durable.get((int) index - 1).equals(entry)) {
                holders++;
                who.append(' ').append(node.id);
            }
        }
        if (holders < quorum) {
            throw violation("I5: leader " + leader.id + " committed " + index + " (" + entry + ") but only nodes ["
                    + who + " ] hold it durably; a quorum is " + quorum);
        }
    }

    private void checkHolds(HarnessNode leader, long index, String why) {
        SimEntry expected = committed.get((int) index - 1);
        SimEntry actual = leader.entry(index);
        if (!expected.equals(actual)) {
            throw violation("I3 leader completeness: leader " + leader.id + " of term " + leader.engine().term()
                    + " holds " + actual + " at " + index + " but " + expected + " is committed there (" + why
                    + ", committed in term <= " + commitTerm.get((int) index - 1) + ")");
        }
    }

    void onStateChanged(HarnessNode node, Role role, long term, long leaderId) {
        if (role != Role.LEADER) {
            return;
        }
        Leader self = new Leader(node.id, node.incarnation());
        Leader known = leaderOfTerm.putIfAbsent(term, self);
        if (known != null && !known.equals(self)) {
            throw violation("I1 election safety: node " + node.id + " (incarnation " + node.incarnation()
                    + ") became leader of term " + term + " which node " + known.id() + " (incarnation "
                    + known.incarnation() + ") already led");
        }
        Vote vote = node.engine().vote();
        if (!vote.equals(new Vote(term, node.id))) {
            throw violation("node " + node.id + " leads term " + term + " with vote " + vote);
        }
        for (int i = 1; i <= committed.size(); i++) {
            if (commitTerm.get(i - 1) <= term) {
                checkHolds(node, i, "on election");
            }
        }
    }

    void onSend(HarnessNode node, RaftMessage message) {
        RaftEngine engine = node.engine();
        if (message.from() != node.id) {
            throw violation("node " + node.id + " sent a message claiming to be from " + message.from() + ": " + message);
        }
        if (message instanceof AppendEntriesRequest request) {
            Long sender = appendSenderOfTerm.putIfAbsent(request.term(), request.from());
            if (sender != null && sender != request.from()) {
                throw violation("I1 on the wire: node " + request.from() + " sends AppendEntries of term "
                        + request.term() + " which node " + sender + " already sent");
            }
            if (engine.role() != Role.LEADER || engine.term() != request.term()) {
                throw violation("node " + node.id + " (" + engine.role() + " T" + engine.term()
                        + ") sent " + request);
            }
        } else if (message instanceof VoteResponse response && response.granted() && !response.preVote()) {
            Long candidate = grants.putIfAbsent(new VoteKey(response.from(), response.term()), response.to());
            if (candidate != null && candidate != response.to()) {
                throw violation("I7: node " + response.from() + " granted its vote in term " + response.term()
                        + " to " + candidate + " and to " + response.to());
            }
            Vote expected = new Vote(response.term(), response.to());
            if (!node.durableVote().equals(expected)) {
                throw violation("node " + node.id + " granted " + response + " but its durable vote is "
                        + node.durableVote());
            }
        } else if (message instanceof AppendEntriesResponse response && response.success()) {
            checkAcknowledgement(node, response);
        }
    }

    private void checkAcknowledgement(HarnessNode node, AppendEntriesResponse response) {
        long match = response.matchIndex();
        if (match == 0) {
            return;
        }
        List<SimEntry> durable = node.durableLog();
        if (durable.size() < match || !durable.get((int) match - 1).equals(node.entry(match))) {
            throw violation("I5: node " + node.id + " acknowledged " + match + " but holds durably only "
                    + durable.size() + " entries" + (durable.size() >= match
                    ? " and its durable entry " + durable.get((int) match - 1) + " differs from " + node.entry(match)
                    : ""));
        }
        Leader known = leaderOfTerm.get(response.term());
        if (known == null || known.id() != response.to()) {
            throw violation("node " + node.id + " acknowledged " + response + " to a node that did not lead term "
                    + response.term() + " (leader " + known + ")");
        }
        long leaderId = known.id();
        HarnessNode leader = cluster.node(leaderId);
        if (leader.isLeader() && leader.incarnation() == known.incarnation() && leader.engine().term() == response.term()
                && !node.entry(match).equals(leader.entry(match))) {
            throw violation("I5: node " + node.id + " acknowledged " + match + " holding " + node.entry(match)
                    + " but leader " + leaderId + " holds " + leader.entry(match));
        }
    }

    void onDurableVote(HarnessNode node, Vote before, Vote after) {
        if (after.term() < before.term()
                || (after.term() == before.term() && before.hasVoted() && after.votedFor() != before.votedFor())) {
            throw violation("I6/I7: node " + node.id + " durable vote went from " + before + " to " + after);
        }
    }

    // ------------------------------------------------------------------ after every event

    /** Runs after every delivered message, flush and tick. */
    void afterEvent() {
        events++;
        for (HarnessNode node : cluster.nodes()) {
            int i = (int) node.id;
            if (!node.isUp()) {
                continue;
            }
            RaftEngine engine = node.engine();
            if (node.incarnation() != lastIncarnation[i]) {
                lastIncarnation[i] = node.incarnation();
                lastEngineTerm[i] = 0;
            }
            long term = engine.term();
            if (term < lastEngineTerm[i]) {
                throw violation("I6: node " + i + " term went from " + lastEngineTerm[i] + " to " + term);
            }
            lastEngineTerm[i] = term;
            if (term < node.durableVote().term()) {
                throw violation("node " + i + " runs in term " + term + " below its durable vote " + node.durableVote());
            }
            List<SimEntry> log = node.log();
            LogId last = log.isEmpty() ? LogId.ZERO : new LogId(log.get(log.size() - 1).term(), log.size());
            if (!engine.lastLogId().equals(last)) {
                throw violation("node " + i + ": engine's last log id " + engine.lastLogId() + " but storage accepted "
                        + last);
            }
            if (engine.commitIndex() != node.reportedCommit) {
                throw violation("node " + i + ": commit index " + engine.commitIndex() + " but reported "
                        + node.reportedCommit);
            }
            long durableIndex = engine.durableIndex();
            List<SimEntry> durable = node.durableLog();
            if (durableIndex > durable.size()
                    || (durableIndex > 0 && !durable.get((int) durableIndex - 1).equals(log.get((int) durableIndex - 1)))) {
                throw violation("node " + i + ": engine's durable index " + durableIndex
                        + " is not durable in storage (durable log of " + durable.size() + ")");
            }
            if (engine.role() == Role.LEADER) {
                Leader leader = leaderOfTerm.get(term);
                if (leader == null || !leader.equals(new Leader(node.id, node.incarnation()))) {
                    throw violation("node " + i + " leads term " + term + " but the recorded leader is " + leader);
                }
            }
        }
        if (fullCheckEvery > 0 && events % fullCheckEvery == 0) {
            checkFull();
        }
    }

    /** The pairwise sweep: every two logs (accepted and durable, all nodes) agree up to their last common (index, term). */
    public void checkFull() {
        List<List<SimEntry>> logs = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (HarnessNode node : cluster.nodes()) {
            logs.add(node.log());
            names.add("accepted log of " + node.id);
            logs.add(node.durableLog());
            names.add("durable log of " + node.id);
        }
        logs.add(committed);
        names.add("committed log");
        for (int a = 0; a < logs.size(); a++) {
            for (int b = a + 1; b < logs.size(); b++) {
                checkPair(logs.get(a), names.get(a), logs.get(b), names.get(b));
            }
        }
    }

    private void checkPair(List<SimEntry> x, String xName, List<SimEntry> y, String yName) {
        int common = Math.min(x.size(), y.size());
        int lastSame = 0;
        for (int i = common; i >= 1; i--) {
            if (x.get(i - 1).term() == y.get(i - 1).term()) {
                lastSame = i;
                break;
            }
        }
        for (int i = 1; i <= lastSame; i++) {
            if (!x.get(i - 1).equals(y.get(i - 1))) {
                throw violation("I2 log matching: " + xName + " and " + yName + " share (index " + lastSame + ", term "
                        + x.get(lastSame - 1).term() + ") but differ at " + i + ": " + x.get(i - 1) + " vs "
                        + y.get(i - 1));
            }
        }
    }
}
