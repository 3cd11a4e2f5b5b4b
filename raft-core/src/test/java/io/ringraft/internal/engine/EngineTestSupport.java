package io.ringraft.internal.engine;

import io.ringraft.api.Bytes;
import io.ringraft.internal.engine.membership.ClusterConfig;
import io.ringraft.internal.engine.membership.ConfigEntry;
import io.ringraft.api.EntryKind;
import io.ringraft.api.LogId;
import io.ringraft.api.Role;
import io.ringraft.api.Vote;
import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.AppendEntriesResponse;
import io.ringraft.message.InstallSnapshotRequest;
import io.ringraft.spi.LogEntries;
import io.ringraft.message.RaftMessage;
import io.ringraft.message.VoteRequest;
import io.ringraft.message.VoteResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Package-private helpers for single-engine tests: a recorder of the engine's {@link Effect effects}
 * that applies them to an in-memory log store, a {@link LogRoom} over that store, a value-comparable
 * {@link LogEntries}, and short factories for messages and configurations.
 */
final class EngineTestSupport {

    private EngineTestSupport() {
    }

    // ------------------------------------------------------------------ recorded events

    /** One effect the engine produced, as the tests name it; records compare by value. */
    sealed interface Event permits SaveVote, TruncateFrom, AppendNoop, AppendProposals, AppendReplicated,
            Send, Committed, StateChanged, ReadReady, ReadFailed, AppendConfig, ResetLog, SendSnapshot, InstallChunk {
    }

    /** The follower's log was discarded and continues after {@code base} (a snapshot installed). */
    record ResetLog(long seq, LogId base) implements Event {
    }

    /** Leader: send {@code peerId} the chunk of {@code snapshot} starting at {@code offset}. */
    record SendSnapshot(long peerId, LogId snapshot, long offset) implements Event {
    }

    /** Follower: write this chunk (compared by identity of the request: the test passes it in). */
    record InstallChunk(InstallSnapshotRequest chunk) implements Event {
    }

    record SaveVote(long seq, Vote vote) implements Event {
    }

    record TruncateFrom(long seq, long index) implements Event {
    }

    record AppendNoop(long seq, LogId entry) implements Event {
    }

    record AppendProposals(long seq, long firstIndex, long term, int count) implements Event {
    }

    /** The appended part of an appendReplicated call, copied out of the (call-scoped) view. */
    record AppendReplicated(long seq, long firstIndex, List<Long> terms) implements Event {
    }

    record Send(RaftMessage message) implements Event {
        @Override
        public String toString() {
            return "Send[" + describe(message) + "]";
        }
    }

    record Committed(long index) implements Event {
    }

    record ReadReady(long requestId, long readIndex) implements Event {
    }

    record ReadFailed(long requestId, long leaderHint) implements Event {
    }

    record AppendConfig(long seq, LogId entry, ClusterConfig config) implements Event {
    }

    record StateChanged(Role role, long term, long leaderId) implements Event {
    }

    static String describe(RaftMessage m) {
        if (m instanceof AppendEntriesRequest r) {
            return "AppendEntriesRequest[" + r.from() + "->" + r.to() + " T" + r.term() + " prev="
                    + r.prevLogId() + " entries=@" + r.entries().firstIndex() + termsOf(r.entries(), 0)
                    + " commit=" + r.leaderCommit() + "]";
        }
        return String.valueOf(m);
    }

    static List<Long> termsOf(LogEntries entries, int fromOffset) {
        List<Long> terms = new ArrayList<>();
        for (int i = fromOffset; i < entries.count(); i++) {
            terms.add(entries.termAt(i));
        }
        return terms;
    }

    // ------------------------------------------------------------------ entries and the log store

    /** Value-comparable entries (so expected AppendEntriesRequests compare equal to sent ones). */
    record TestEntries(long firstIndex, List<Long> terms) implements LogEntries {
        TestEntries {
            terms = List.copyOf(terms);
        }

        @Override
        public int count() {
            return terms.size();
        }

        @Override
        public long termAt(int offset) {
            return terms.get(offset);
        }

        @Override
        public EntryKind kindAt(int offset) {
            return EntryKind.COMMAND;
        }

        @Override
        public Bytes payloadAt(int offset) {
            return Bytes.empty();
        }
    }

    /** Entries starting at {@code firstIndex} with the given terms (empty view when no terms). */
    static LogEntries entries(long firstIndex, long... terms) {
        if (terms.length == 0) {
            return LogEntries.empty(firstIndex);
        }
        List<Long> list = new ArrayList<>();
        for (long t : terms) {
            list.add(t);
        }
        return new TestEntries(firstIndex, list);
    }

    /** A log (from index 1) holding the given terms. */
    static LogTerms logTerms(long... terms) {
        LogTerms log = LogTerms.startingAfter(LogId.ZERO);
        for (long t : terms) {
            log.append(t, 1);
        }
        return log;
    }

    /**
     * The storage the recording output writes to: terms per index starting at 1. Checks that every
     * append lands right after the current end, as a real log store would.
     */
    static final class MemLog implements LogRoom {
        /** The index before the first one held (0 unless the log starts after a snapshot). */
        long baseIndex;
        /** terms.get(i) is the term of index baseIndex + 1 + i. */
        final List<Long> terms = new ArrayList<>();
        Vote vote = Vote.INITIAL;
        /** The most entries one AppendEntries carries (a log room may offer fewer than asked for). */
        int maxPerRead = Integer.MAX_VALUE;
        /** The most new entries one AppendEntries may add (a log room may take fewer than sent). */
        int maxAccepted = Integer.MAX_VALUE;
        /** The recorder that fills this store; every read of the store first takes pending effects. */
        RecordingOutput output;
        private boolean pulling;

        MemLog(long... initial) {
            this(0, initial);
        }

        MemLog(long baseIndex, long... initial) {
            this.baseIndex = baseIndex;
            for (long t : initial) {
                terms.add(t);
            }
        }

        long lastIndex() {
            catchUp();
            return baseIndex + terms.size();
        }

        long termAt(long index) {
            catchUp();
            return terms.get((int) (index - baseIndex - 1));
        }

        /** Carries out the engine's pending effects first, so that the test sees the store as it will be. */
        private void catchUp() {
            if (output != null && !pulling) {
                pulling = true;
                try {
                    output.pull();
                } finally {
                    pulling = false;
                }
            }
        }

        void append(long firstIndex, List<Long> newTerms) {
            if (firstIndex != lastIndex() + 1) {
                throw new AssertionError("append at " + firstIndex + " but the store ends at " + lastIndex());
            }
            terms.addAll(newTerms);
        }

        void truncateFrom(long index) {
            if (index <= baseIndex || index > lastIndex() + 1) {
                throw new AssertionError("truncate from " + index + " but the store holds "
                        + (baseIndex + 1) + ".." + lastIndex());
            }
            terms.subList((int) (index - baseIndex - 1), terms.size()).clear();
        }

        /** Purges every entry up to {@code index} (as the runtime does after {@code compactLog}). */
        void compactTo(long index) {
            if (index <= baseIndex || index > lastIndex()) {
                throw new AssertionError("compact to " + index + " but the store holds "
                        + (baseIndex + 1) + ".." + lastIndex());
            }
            terms.subList(0, (int) (index - baseIndex)).clear();
            baseIndex = index;
        }

        /** Discards the whole store, which continues empty after {@code index}. */
        void resetTo(long index) {
            terms.clear();
            baseIndex = index;
        }

        @Override
        public int sendable(long fromIndex, int count) {
            return Math.min(count, maxPerRead);
        }

        @Override
        public int acceptable(LogEntries entries, int fromOffset) {
            return Math.min(entries.count() - fromOffset, maxAccepted);
        }

        /** The stored entries {@code fromIndex .. fromIndex + count - 1} (their terms). */
        LogEntries read(long fromIndex, int count) {
            if (fromIndex <= baseIndex || count < 1 || fromIndex + count - 1 > lastIndex()) {
                throw new AssertionError("read " + fromIndex + "+" + count + " but the store holds "
                        + (baseIndex + 1) + ".." + lastIndex());
            }
            int from = (int) (fromIndex - baseIndex - 1);
            return new TestEntries(fromIndex, List.copyOf(terms.subList(from, from + count)));
        }
    }

    /**
     * Takes the engine's effects (after every call: each accessor pulls first), records each as an
     * {@link Event} and applies storage changes to a {@link MemLog}. A leader's AppendEntries, whose
     * entries the engine only names ({@link EntryRange}), is recorded with the store's terms.
     */
    static final class RecordingOutput {
        final MemLog log;
        RaftEngine engine;
        private final List<Event> events = new ArrayList<>();
        private final List<RaftMessage> sent = new ArrayList<>();
        /** Every storage seq handed out, in call order (checked strictly increasing). */
        private final List<Long> seqs = new ArrayList<>();
        /** Whether each failed read was reported as busy (refused for room or timed out), in order. */
        private final List<Boolean> readFailuresBusy = new ArrayList<>();
        private long committed;

        RecordingOutput(MemLog log) {
            this.log = log;
            log.output = this;
        }

        /** Carries out and records the effects the engine produced since the last pull. */
        void pull() {
            if (engine == null || engine.effects().isEmpty()) {
                return;
            }
            List<Effect> effects = List.copyOf(engine.effects().list());
            engine.effects().clear();
            for (Effect effect : effects) {
                record(effect);
            }
        }

        private void record(Effect effect) {
            if (effect instanceof Effect.SaveVote v) {
                storage(v.seq(), new SaveVote(v.seq(), v.vote()));
                log.vote = v.vote();
            } else if (effect instanceof Effect.Truncate t) {
                storage(t.seq(), new TruncateFrom(t.seq(), t.fromIndex()));
                log.truncateFrom(t.fromIndex());
            } else if (effect instanceof Effect.AppendNoop a) {
                storage(a.seq(), new AppendNoop(a.seq(), a.entry()));
                log.append(a.entry().index(), List.of(a.entry().term()));
            } else if (effect instanceof Effect.AppendProposals a) {
                storage(a.seq(), new AppendProposals(a.seq(), a.firstIndex(), a.term(), a.count()));
                List<Long> terms = new ArrayList<>();
                for (int i = 0; i < a.count(); i++) {
                    terms.add(a.term());
                }
                log.append(a.firstIndex(), terms);
            } else if (effect instanceof Effect.AppendReplicated a) {
                List<Long> terms = termsOf(a.entries(), a.fromOffset()).subList(0, a.count());
                storage(a.seq(), new AppendReplicated(a.seq(), a.firstIndex(), List.copyOf(terms)));
                log.append(a.firstIndex(), terms);
            } else if (effect instanceof Effect.AppendConfig a) {
                storage(a.seq(), new AppendConfig(a.seq(), a.entry(), ClusterConfig.decode(a.payload())));
                log.append(a.entry().index(), List.of(a.entry().term()));
            } else if (effect instanceof Effect.ResetLog r) {
                storage(r.seq(), new ResetLog(r.seq(), r.base()));
                log.resetTo(r.base().index());
            } else if (effect instanceof Effect.SendSnapshot c) {
                events.add(new SendSnapshot(c.peerId(), c.snapshot(), c.offset()));
            } else if (effect instanceof Effect.InstallSnapshotChunk c) {
                events.add(new InstallChunk(c.chunk()));
            } else if (effect instanceof Effect.Send send) {
                RaftMessage message = withStoredEntries(send.message());
                events.add(new Send(message));
                sent.add(message);
            } else if (effect instanceof Effect.Limits limits) {
                if (limits.commitIndex() > committed) {
                    committed = limits.commitIndex();
                    events.add(new Committed(limits.commitIndex()));
                }
                if (limits.applyLimit() > limits.commitIndex()) {
                    throw new AssertionError("apply limit " + limits.applyLimit() + " above the commit index "
                            + limits.commitIndex());
                }
            } else if (effect instanceof Effect.StateChanged c) {
                events.add(new StateChanged(c.role(), c.term(), c.leaderId()));
            } else if (effect instanceof Effect.ReadReady r) {
                events.add(new ReadReady(r.requestId(), r.readIndex()));
            } else if (effect instanceof Effect.ReadFailed r) {
                readFailuresBusy.add(r.busy());
                events.add(new ReadFailed(r.requestId(), r.leaderHint()));
            } else {
                throw new AssertionError("unknown effect " + effect);
            }
        }

        /** An AppendEntries naming entries of this log, with the entries read from the store. */
        private RaftMessage withStoredEntries(RaftMessage message) {
            if (message instanceof AppendEntriesRequest r && r.entries() instanceof EntryRange range) {
                return new AppendEntriesRequest(r.from(), r.to(), r.term(), r.prevLogId(),
                        log.read(range.firstIndex(), range.count()), r.leaderCommit());
            }
            return message;
        }

        private void storage(long seq, Event event) {
            if (!seqs.isEmpty() && seq <= seqs.get(seqs.size() - 1)) {
                throw new AssertionError("storage seq " + seq + " after " + seqs.get(seqs.size() - 1));
            }
            seqs.add(seq);
            events.add(event);
        }

        /** Every storage seq handed out so far, in order. */
        List<Long> seqs() {
            pull();
            return seqs;
        }

        List<Boolean> readFailuresBusy() {
            pull();
            return readFailuresBusy;
        }

        /** The events since the last drain, then forgets them (and the sent messages). */
        List<Event> drain() {
            pull();
            List<Event> copy = List.copyOf(events);
            events.clear();
            sent.clear();
            return copy;
        }

        /** The messages sent since the last drain, then forgets them (and all events). */
        List<RaftMessage> drainSent() {
            pull();
            List<RaftMessage> copy = List.copyOf(sent);
            events.clear();
            sent.clear();
            return copy;
        }

        long lastSeq() {
            pull();
            return seqs.isEmpty() ? 0 : seqs.get(seqs.size() - 1);
        }
    }

    // ------------------------------------------------------------------ engines

    /**
     * Proposes {@code count} commands where the engine places them: the first index, or -1 if it takes
     * no proposals now (as the runtime asks {@link RaftEngine#nextProposalIndex()} first).
     */
    static long propose(RaftEngine engine, int count) {
        long first = engine.nextProposalIndex();
        if (first < 0) {
            return -1;
        }
        engine.propose(count);
        return first;
    }

    /** A random source whose {@code nextInt(bound)} is always {@code min(offset, bound - 1)}. */
    static RandomGenerator fixedRandom(int offset) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                return 0;
            }

            @Override
            public int nextInt(int bound) {
                return Math.min(offset, bound - 1);
            }
        };
    }

    /** Election 10 ticks, heartbeat 1, no pre-vote, no check-quorum, window 64, batch 256. */
    static EngineConfig config(long self, long... voters) {
        return new EngineConfig(self, voters, 10, 1, false, false, 64, 256);
    }

    static EngineConfig config(long self, long[] voters, boolean preVote, boolean checkQuorum) {
        return new EngineConfig(self, voters, 10, 1, preVote, checkQuorum, 64, 256);
    }

    /** One engine with its recording output and store. */
    static final class Node {
        final RaftEngine engine;
        final RecordingOutput out;
        final MemLog store;

        Node(RaftEngine engine, RecordingOutput out, MemLog store) {
            this.engine = engine;
            this.out = out;
            this.store = store;
            out.engine = engine;
        }

        /** An engine recovered with {@code vote}, a log of {@code terms} and {@code commit}. */
        static Node create(EngineConfig config, RandomGenerator random, Vote vote, long commit, long... terms) {
            MemLog store = new MemLog(terms);
            store.vote = vote;
            RecordingOutput out = new RecordingOutput(store);
            RaftEngine engine = new RaftEngine(config, new RecoveredState(vote, logTerms(terms), commit),
                    random, store);
            return new Node(engine, out, store);
        }

        static Node create(EngineConfig config, Vote vote, long... terms) {
            return create(config, fixedRandom(0), vote, 0, terms);
        }

        /** An engine whose recovered log starts after {@code base} (as after a snapshot). */
        static Node createAfter(EngineConfig config, LogId base, Vote vote, long commit, long... terms) {
            MemLog store = new MemLog(base.index(), terms);
            store.vote = vote;
            LogTerms log = LogTerms.startingAfter(base);
            for (long t : terms) {
                log.append(t, 1);
            }
            RecordingOutput out = new RecordingOutput(store);
            RaftEngine engine = new RaftEngine(config, new RecoveredState(vote, log, commit),
                    fixedRandom(0), store);
            return new Node(engine, out, store);
        }

        /**
         * An engine recovered from snapshot {@code snapshot} (membership {@code snapshotConfig}) whose
         * log starts right after it and holds {@code terms}; {@code configs} are the configuration
         * entries among them.
         */
        static Node createFromSnapshot(EngineConfig config, LogId snapshot, ClusterConfig snapshotConfig, Vote vote,
                                       long commit, List<ConfigEntry> configs, long... terms) {
            MemLog store = new MemLog(snapshot.index(), terms);
            store.vote = vote;
            LogTerms log = LogTerms.startingAfter(snapshot);
            for (long t : terms) {
                log.append(t, 1);
            }
            RecordingOutput out = new RecordingOutput(store);
            RaftEngine engine = new RaftEngine(config,
                    new RecoveredState(vote, log, commit, configs, snapshot, snapshotConfig), fixedRandom(0), store);
            return new Node(engine, out, store);
        }

        /** The runtime took snapshot {@code last} and purges the log up to {@code upTo}. */
        void snapshotAndCompact(LogId last, long upTo) {
            engine.snapshotTaken(last);
            engine.compactLog(upTo);
            store.compactTo(upTo);
        }

        long id() {
            return engine.config().selfId();
        }

        List<Event> drain() {
            return out.drain();
        }

        /** Reports everything handed to storage so far as durable (if anything is pending). */
        void flushAll() {
            long accepted = engine.accepted().seq();
            if (accepted > engine.flushedSeq()) {
                engine.onFlushed(accepted);
            }
        }

        void tick(int times) {
            for (int i = 0; i < times; i++) {
                engine.tick();
            }
        }

        /**
         * Campaigns and answers every vote request with a grant (flushing this node's vote before
         * the grants arrive) until it leads. Flushes nothing after it became leader, so the no-op is
         * still pending. Forgets the recorded events.
         */
        void electSelf() {
            engine.campaign();
            for (int round = 0; round < 4 && engine.role() != Role.LEADER; round++) {
                flushAll();
                for (RaftMessage m : out.drainSent()) {
                    if (engine.role() == Role.LEADER) {
                        break;
                    }
                    if (m instanceof VoteRequest r) {
                        engine.receive(new VoteResponse(r.to(), r.from(), r.term(), true, r.preVote()));
                    }
                }
            }
            if (engine.role() != Role.LEADER) {
                throw new AssertionError("could not elect " + engine);
            }
            out.drain();
        }
    }

    // ------------------------------------------------------------------ message factories

    static VoteRequest voteRequest(long from, long to, long term, LogId last, boolean preVote) {
        return new VoteRequest(from, to, term, last, preVote);
    }

    static VoteResponse voteResponse(long from, long to, long term, boolean granted, boolean preVote) {
        return new VoteResponse(from, to, term, granted, preVote);
    }

    static AppendEntriesRequest append(long from, long to, long term, LogId prev, long commit, long... terms) {
        return new AppendEntriesRequest(from, to, term, prev, entries(prev.index() + 1, terms), commit);
    }

    static AppendEntriesResponse ack(long from, long to, long term, long match) {
        return AppendEntriesResponse.success(from, to, term, match);
    }

    static AppendEntriesResponse reject(long from, long to, long term, long rejectedPrev, LogId hint) {
        return AppendEntriesResponse.rejected(from, to, term, rejectedPrev, hint);
    }

    static LogId id(long term, long index) {
        return new LogId(term, index);
    }

    static Vote vote(long term, long votedFor) {
        return new Vote(term, votedFor);
    }

    static Vote vote(long term) {
        return new Vote(term, Vote.NONE);
    }

    static Send send(RaftMessage message) {
        return new Send(message);
    }

    static long[] voters(long... ids) {
        return ids;
    }
}
