package io.ringraft.internal.engine;

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
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Package-private helpers for single-engine tests: a recording {@link EngineOutput} that doubles as
 * an in-memory log store, an {@link EntryReader} over that store, a value-comparable
 * {@link LogEntries}, and short factories for messages and configurations.
 */
final class EngineTestSupport {

    private EngineTestSupport() {
    }

    // ------------------------------------------------------------------ recorded events

    /** One call the engine made on its {@link EngineOutput}; records compare by value. */
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
        public DirectBuffer payloadAt(int offset) {
            return new UnsafeBuffer(new byte[0]);
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
    static final class MemLog implements EntryReader {
        /** The index before the first one held (0 unless the log starts after a snapshot). */
        long baseIndex;
        /** terms.get(i) is the term of index baseIndex + 1 + i. */
        final List<Long> terms = new ArrayList<>();
        Vote vote = Vote.INITIAL;
        /** The most entries one read returns (a reader may return fewer than asked for). */
        int maxPerRead = Integer.MAX_VALUE;

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
            return baseIndex + terms.size();
        }

        long termAt(long index) {
            return terms.get((int) (index - baseIndex - 1));
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
        public LogEntries read(long fromIndex, int count) {
            if (fromIndex <= baseIndex || count < 1 || fromIndex + count - 1 > lastIndex()) {
                throw new AssertionError("read " + fromIndex + "+" + count + " but the store holds "
                        + (baseIndex + 1) + ".." + lastIndex());
            }
            int from = (int) (fromIndex - baseIndex - 1);
            return new TestEntries(fromIndex, terms.subList(from, from + Math.min(count, maxPerRead)));
        }
    }

    /** Records every output call as an {@link Event} and applies storage changes to a {@link MemLog}. */
    static final class RecordingOutput implements EngineOutput {
        final MemLog log;
        private final List<Event> events = new ArrayList<>();
        private final List<RaftMessage> sent = new ArrayList<>();
        /** Every storage seq handed out, in call order (checked strictly increasing). */
        final List<Long> seqs = new ArrayList<>();

        RecordingOutput(MemLog log) {
            this.log = log;
        }

        private void storage(long seq, Event event) {
            if (!seqs.isEmpty() && seq <= seqs.get(seqs.size() - 1)) {
                throw new AssertionError("storage seq " + seq + " after " + seqs.get(seqs.size() - 1));
            }
            seqs.add(seq);
            events.add(event);
        }

        @Override
        public void saveVote(long seq, Vote vote) {
            storage(seq, new SaveVote(seq, vote));
            log.vote = vote;
        }

        @Override
        public void truncateFrom(long seq, long index) {
            storage(seq, new TruncateFrom(seq, index));
            log.truncateFrom(index);
        }

        @Override
        public void appendNoop(long seq, LogId entry) {
            storage(seq, new AppendNoop(seq, entry));
            log.append(entry.index(), List.of(entry.term()));
        }

        @Override
        public void appendProposals(long seq, long firstIndex, long term, int count) {
            storage(seq, new AppendProposals(seq, firstIndex, term, count));
            List<Long> terms = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                terms.add(term);
            }
            log.append(firstIndex, terms);
        }

        @Override
        public void appendReplicated(long seq, LogEntries entries, int fromOffset) {
            List<Long> terms = termsOf(entries, fromOffset);
            long first = entries.firstIndex() + fromOffset;
            storage(seq, new AppendReplicated(seq, first, terms));
            log.append(first, terms);
        }

        @Override
        public void appendConfig(long seq, LogId entry, byte[] payload) {
            storage(seq, new AppendConfig(seq, entry, ClusterConfig.decode(payload)));
            log.append(entry.index(), List.of(entry.term()));
        }

        @Override
        public void resetLog(long seq, LogId base) {
            storage(seq, new ResetLog(seq, base));
            log.resetTo(base.index());
        }

        @Override
        public void sendSnapshot(long peerId, LogId snapshot, long offset) {
            events.add(new SendSnapshot(peerId, snapshot, offset));
        }

        @Override
        public void installSnapshotChunk(InstallSnapshotRequest chunk) {
            events.add(new InstallChunk(chunk));
        }

        @Override
        public void send(RaftMessage message) {
            events.add(new Send(message));
            sent.add(message);
        }

        @Override
        public void committed(long index) {
            events.add(new Committed(index));
        }

        @Override
        public void stateChanged(Role role, long term, long leaderId) {
            events.add(new StateChanged(role, term, leaderId));
        }

        @Override
        public void readReady(long requestId, long readIndex) {
            events.add(new ReadReady(requestId, readIndex));
        }

        @Override
        public void readFailed(long requestId, long leaderHint) {
            events.add(new ReadFailed(requestId, leaderHint));
        }

        /** Whether each failed read was reported as busy (refused for room or timed out), in order. */
        final List<Boolean> readFailuresBusy = new ArrayList<>();

        @Override
        public void readFailed(long requestId, long leaderHint, boolean busy) {
            readFailuresBusy.add(busy);
            readFailed(requestId, leaderHint);
        }

        /** The events since the last drain, then forgets them (and the sent messages). */
        List<Event> drain() {
            List<Event> copy = List.copyOf(events);
            events.clear();
            sent.clear();
            return copy;
        }

        /** The messages sent since the last drain, then forgets them (and all events). */
        List<RaftMessage> drainSent() {
            List<RaftMessage> copy = List.copyOf(sent);
            events.clear();
            sent.clear();
            return copy;
        }

        long lastSeq() {
            return seqs.isEmpty() ? 0 : seqs.get(seqs.size() - 1);
        }
    }

    // ------------------------------------------------------------------ engines

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
        }

        /** An engine recovered with {@code vote}, a log of {@code terms} and {@code commit}. */
        static Node create(EngineConfig config, RandomGenerator random, Vote vote, long commit, long... terms) {
            MemLog store = new MemLog(terms);
            store.vote = vote;
            RecordingOutput out = new RecordingOutput(store);
            RaftEngine engine = new RaftEngine(config, new RecoveredState(vote, logTerms(terms), commit),
                    random, out, store);
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
                    fixedRandom(0), out, store);
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
                    new RecoveredState(vote, log, commit, configs, snapshot, snapshotConfig), fixedRandom(0), out, store);
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
