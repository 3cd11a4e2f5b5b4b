package io.ringraft.internal.engine.harness;

import io.ringraft.api.LogId;
import io.ringraft.api.Role;
import io.ringraft.api.Vote;
import io.ringraft.internal.engine.EngineConfig;
import io.ringraft.internal.engine.Effect;
import io.ringraft.internal.engine.EntryRange;
import io.ringraft.internal.engine.LogRoom;
import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.internal.engine.LogTerms;
import io.ringraft.internal.engine.RaftEngine;
import io.ringraft.internal.engine.RecoveredState;
import io.ringraft.spi.LogEntries;
import io.ringraft.message.RaftMessage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One simulated node: its engine (absent while crashed) and its storage model.
 *
 * <p>Storage model: the <em>accepted</em> log is what the engine has handed to storage (readable at
 * once; a leader's AppendEntries are filled from it when sent); the changes not yet durable wait in {@link #pending} in
 * {@code seq} order; the <em>durable</em> vote and log are what survives a crash. A flush applies a
 * prefix of the pending changes, in order, to the durable copy and reports the last one's
 * {@code seq} to the engine. A crash keeps only the durable state (optionally after silently
 * persisting a prefix of the pending changes, as a disk that wrote them before the crash would).
 */
public final class HarnessNode implements LogRoom {

    final long id;
    private final Cluster cluster;
    private final EngineConfig config;

    private RaftEngine engine;
    private int incarnation;
    private long lastSeq;
    long reportedCommit;

    private final ArrayList<SimEntry> accepted = new ArrayList<>();
    private final ArrayDeque<StorageOp> pending = new ArrayDeque<>();
    private Vote durableVote = Vote.INITIAL;
    private final ArrayList<SimEntry> durable = new ArrayList<>();
    /** Every storage change of every incarnation, for scripted assertions. */
    private final List<StorageOp> history = new ArrayList<>();

    /** Payloads for the next {@link RaftEngine#propose(int)} call, set by the harness. */
    private List<String> proposal;

    HarnessNode(long id, Cluster cluster, EngineConfig config) {
        this.id = id;
        this.cluster = cluster;
        this.config = config;
        start();
    }

    // ------------------------------------------------------------------ lifecycle

    private void start() {
        LogTerms terms = LogTerms.startingAfter(LogId.ZERO);
        long runTerm = -1;
        int runLength = 0;
        for (SimEntry entry : durable) {
            if (entry.term() != runTerm) {
                terms.append(runTerm, runLength);
                runTerm = entry.term();
                runLength = 0;
            }
            runLength++;
        }
        if (runLength > 0) {
            terms.append(runTerm, runLength);
        }
        accepted.clear();
        accepted.addAll(durable);
        pending.clear();
        lastSeq = 0;
        reportedCommit = 0;
        long seed = cluster.seed * 0x9E3779B97F4A7C15L + id * 1_000_003L + incarnation;
        engine = new RaftEngine(config, new RecoveredState(durableVote, terms, 0), new SplittableRandom(seed), this);
    }

    /**
     * Crashes the node: the engine and all non-durable state are lost, except that the first
     * {@code persistOps} pending changes are made durable (without telling anyone), as a disk that
     * wrote them just before the crash would.
     */
    void crash(int persistOps) {
        requireUp();
        applyDurably(Math.min(persistOps, pending.size()));
        pending.clear();
        engine = null;
        accepted.clear();
        accepted.addAll(durable);
        incarnation++;
    }

    /** Restarts a crashed node from its durable state, with commit index 0 and a fresh random source. */
    void restart() {
        if (engine != null) {
            throw new IllegalStateException("node " + id + " is running");
        }
        start();
    }

    /**
     * Makes the first {@code ops} pending changes durable and reports the last one's seq.
     *
     * @return false if nothing was pending
     */
    boolean flush(int ops) {
        requireUp();
        int n = Math.min(ops, pending.size());
        if (n <= 0) {
            return false;
        }
        long seq = applyDurably(n);
        engine.onFlushed(seq);
        runEffects();
        return true;
    }

    private long applyDurably(int ops) {
        long seq = 0;
        for (int i = 0; i < ops; i++) {
            StorageOp op = pending.poll();
            seq = op.seq();
            if (op instanceof StorageOp.SaveVote v) {
                cluster.checker.onDurableVote(this, durableVote, v.vote());
                durableVote = v.vote();
            } else if (op instanceof StorageOp.Truncate t) {
                if (t.fromIndex() - 1 < durable.size()) {
                    durable.subList((int) t.fromIndex() - 1, durable.size()).clear();
                }
            } else if (op instanceof StorageOp.Append a) {
                if (a.firstIndex() != durable.size() + 1) {
                    throw cluster.checker.violation("node " + id + ": durable append at " + a.firstIndex()
                            + " but the durable log ends at " + durable.size()
                            + " (storage changes out of order?)");
                }
                durable.addAll(a.entries());
            }
        }
        return seq;
    }

    private void requireUp() {
        if (engine == null) {
            throw new IllegalStateException("node " + id + " is crashed");
        }
    }

    // ------------------------------------------------------------------ queries

    public long id() {
        return id;
    }

    public boolean isUp() {
        return engine != null;
    }

    /** The running engine; throws if the node is crashed. */
    public RaftEngine engine() {
        requireUp();
        return engine;
    }

    public int incarnation() {
        return incarnation;
    }

    public Role role() {
        return engine == null ? null : engine.role();
    }

    public boolean isLeader() {
        return engine != null && engine.role() == Role.LEADER;
    }

    /** The accepted log (read-only view; index i at position i - 1). */
    public List<SimEntry> log() {
        return Collections.unmodifiableList(accepted);
    }

    /** The durable log (read-only view). */
    public List<SimEntry> durableLog() {
        return Collections.unmodifiableList(durable);
    }

    public Vote durableVote() {
        return durableVote;
    }

    /** The accepted entry at {@code index}, or null. */
    public SimEntry entry(long index) {
        return index >= 1 && index <= accepted.size() ? accepted.get((int) index - 1) : null;
    }

    public int pendingOps() {
        return pending.size();
    }

    /** Storage changes of every incarnation so far, in order. */
    public List<StorageOp> history() {
        return Collections.unmodifiableList(history);
    }

    void setProposal(List<String> payloads) {
        this.proposal = payloads;
    }

    // ------------------------------------------------------------------ effects

    /** Carries out the effects of the engine's last call, in order (the harness calls it after each one). */
    void runEffects() {
        if (engine == null) {
            return;
        }
        List<Effect> effects = engine.effects().list();
        for (int i = 0; i < effects.size(); i++) {
            execute(effects.get(i));
        }
        engine.effects().clear();
    }

    private void execute(Effect effect) {
        if (effect instanceof Effect.SaveVote v) {
            saveVote(v.seq(), v.vote());
        } else if (effect instanceof Effect.Truncate t) {
            truncateFrom(t.seq(), t.fromIndex());
        } else if (effect instanceof Effect.AppendNoop a) {
            appendNoop(a.seq(), a.entry());
        } else if (effect instanceof Effect.AppendProposals a) {
            appendProposals(a.seq(), a.firstIndex(), a.term(), a.count());
        } else if (effect instanceof Effect.AppendReplicated a) {
            append(a.seq(), a.firstIndex(), ListLogEntries.copy(a.entries(), a.fromOffset()).subList(0, a.count()));
        } else if (effect instanceof Effect.Send send) {
            send(send.message());
        } else if (effect instanceof Effect.Limits limits) {
            if (limits.commitIndex() > reportedCommit) { // a rise of the apply limit alone is no new commit
                cluster.checker.onCommitted(this, limits.commitIndex());
            }
        } else if (effect instanceof Effect.StateChanged change) {
            cluster.checker.onStateChanged(this, change.role(), change.term(), change.leaderId());
        } else {
            throw cluster.checker.violation("node " + id + ": the harness does not carry out " + effect);
        }
    }

    private void nextSeq(long seq) {
        if (seq <= lastSeq) {
            throw cluster.checker.violation("node " + id + ": storage seq " + seq + " after " + lastSeq);
        }
        lastSeq = seq;
    }

    private void record(StorageOp op) {
        nextSeq(op.seq());
        pending.add(op);
        history.add(op);
    }

    private void saveVote(long seq, Vote vote) {
        record(new StorageOp.SaveVote(seq, vote));
    }

    private void truncateFrom(long seq, long index) {
        if (index < 1 || index > accepted.size()) {
            throw cluster.checker.violation("node " + id + ": truncateFrom(" + index + ") but the log holds 1.."
                    + accepted.size());
        }
        record(new StorageOp.Truncate(seq, index));
        cluster.checker.onTruncate(this, index);
        accepted.subList((int) index - 1, accepted.size()).clear();
    }

    private void appendNoop(long seq, LogId entry) {
        append(seq, entry.index(), List.of(SimEntry.noop(entry.term())));
    }

    private void appendProposals(long seq, long firstIndex, long term, int count) {
        List<String> payloads = proposal;
        proposal = null;
        if (payloads == null || payloads.size() != count) {
            throw cluster.checker.violation("node " + id + ": appendProposals of " + count
                    + " entries but the harness is proposing " + payloads);
        }
        List<SimEntry> entries = new ArrayList<>(count);
        for (String payload : payloads) {
            entries.add(SimEntry.command(term, payload));
        }
        append(seq, firstIndex, entries);
    }

    private void append(long seq, long firstIndex, List<SimEntry> entries) {
        if (firstIndex != accepted.size() + 1) {
            throw cluster.checker.violation("node " + id + ": append at " + firstIndex + " but the log ends at "
                    + accepted.size());
        }
        if (entries.isEmpty()) {
            throw cluster.checker.violation("node " + id + ": empty append at " + firstIndex);
        }
        record(new StorageOp.Append(seq, firstIndex, entries));
        for (SimEntry entry : entries) {
            accepted.add(entry);
            cluster.checker.onAccepted(this, accepted.size(), entry);
        }
    }

    /** A leader's AppendEntries names its entries; they are read from the accepted log as it is sent. */
    private void send(RaftMessage message) {
        if (message instanceof AppendEntriesRequest r && r.entries() instanceof EntryRange range) {
            long fromIndex = range.firstIndex();
            int count = range.count();
            if (fromIndex < 1 || count < 1 || fromIndex + count - 1 > accepted.size()) {
                throw cluster.checker.violation("node " + id + ": sends entries " + fromIndex + "+" + count
                        + " but the log holds 1.." + accepted.size());
            }
            int from = (int) fromIndex - 1;
            message = new AppendEntriesRequest(r.from(), r.to(), r.term(), r.prevLogId(),
                    new ListLogEntries(fromIndex, List.copyOf(accepted.subList(from, from + count))), r.leaderCommit());
        }
        cluster.onSend(this, message);
    }

    // ------------------------------------------------------------------ LogRoom

    @Override
    public int sendable(long fromIndex, int count) {
        return cluster.readCount(count);
    }

    @Override
    public int acceptable(LogEntries entries, int fromOffset) {
        return entries.count() - fromOffset;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("node ").append(id).append(" inc=").append(incarnation).append(' ');
        s.append(engine == null ? "CRASHED" : engine.toString());
        s.append("\n    durableVote=").append(durableVote).append(" durable=").append(durable.size())
                .append(" pendingOps=").append(pending.size());
        s.append("\n    log=").append(summarize(accepted));
        return s.toString();
    }

    /** A compact picture of a log: runs of terms and the last few entries. */
    static String summarize(List<SimEntry> log) {
        StringBuilder s = new StringBuilder("[");
        int runStart = 0;
        for (int i = 1; i <= log.size(); i++) {
            if (i == log.size() || log.get(i).term() != log.get(runStart).term()) {
                s.append(runStart + 1).append("..").append(i).append(":T").append(log.get(runStart).term());
                if (i < log.size()) {
                    s.append(' ');
                }
                runStart = i;
            }
        }
        s.append("] tail=").append(log.subList(Math.max(0, log.size() - 4), log.size()));
        return s.toString();
    }
}
