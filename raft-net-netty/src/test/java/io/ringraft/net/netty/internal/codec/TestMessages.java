package io.ringraft.net.netty.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.EntryKind;
import io.ringraft.api.LogId;
import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.AppendEntriesResponse;
import io.ringraft.message.ForwardProposal;
import io.ringraft.message.ForwardProposalResult;
import io.ringraft.message.HeapLogEntries;
import io.ringraft.message.InstallSnapshotRequest;
import io.ringraft.message.InstallSnapshotResponse;
import io.ringraft.message.LeadershipProbe;
import io.ringraft.message.LeadershipProbeAck;
import io.ringraft.message.Quiesce;
import io.ringraft.spi.LogEntries;
import io.ringraft.message.RaftMessage;
import io.ringraft.message.ReadIndexRequest;
import io.ringraft.message.ReadIndexResponse;
import io.ringraft.message.Releasable;
import io.ringraft.message.TimeoutNow;
import io.ringraft.message.VoteRequest;
import io.ringraft.message.VoteResponse;
import java.util.Comparator;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** jqwik generators of valid Raft messages, and a deep comparison of two messages. */
public final class TestMessages {

    private TestMessages() {
    }

    public static Arbitrary<Long> nodeIds() {
        return Arbitraries.longs().between(1, Long.MAX_VALUE);
    }

    public static Arbitrary<Long> terms() {
        return Arbitraries.longs().between(0, Long.MAX_VALUE);
    }

    public static Arbitrary<Long> indexes() {
        return Arbitraries.longs().between(0, Long.MAX_VALUE);
    }

    public static Arbitrary<LogId> logIds() {
        return Combinators.combine(terms(), indexes()).as(LogId::new);
    }

    public static Arbitrary<VoteRequest> voteRequests() {
        return Combinators.combine(nodeIds(), nodeIds(), terms(), logIds(), Arbitraries.of(0, 1, 2))
                .as((from, to, term, last, kind) -> new VoteRequest(from, to, term, last, kind == 1, kind == 2));
    }

    /** The control messages of reads and leadership transfer. */
    public static Arbitrary<RaftMessage> controlMessages() {
        Arbitrary<Long> any = Arbitraries.longs();
        return Arbitraries.oneOf(
                Combinators.combine(nodeIds(), nodeIds(), terms(), any).as(ReadIndexRequest::new),
                Combinators.combine(nodeIds(), nodeIds(), terms(), any, Arbitraries.of(true, false), indexes())
                        .as(ReadIndexResponse::new),
                Combinators.combine(nodeIds(), nodeIds(), terms(), any).as(LeadershipProbe::new),
                Combinators.combine(nodeIds(), nodeIds(), terms(), any).as(LeadershipProbeAck::new),
                Combinators.combine(nodeIds(), nodeIds(), terms()).as(TimeoutNow::new),
                quiesces());
    }

    /** Quiesce messages: the last entry's term is at most the leader's. */
    public static Arbitrary<Quiesce> quiesces() {
        return terms().flatMap(term -> Combinators.combine(nodeIds(), nodeIds(), Arbitraries.longs().between(0, term),
                indexes()).as((from, to, lastTerm, lastIndex) -> new Quiesce(from, to, term, new LogId(lastTerm, lastIndex))));
    }

    public static Arbitrary<VoteResponse> voteResponses() {
        return Combinators.combine(nodeIds(), nodeIds(), terms(), Arbitraries.of(true, false), Arbitraries.of(true, false))
                .as(VoteResponse::new);
    }

    public static Arbitrary<AppendEntriesResponse> appendResponses() {
        Arbitrary<AppendEntriesResponse> successes = Combinators.combine(nodeIds(), nodeIds(), terms(), indexes())
                .as(AppendEntriesResponse::success);
        Arbitrary<AppendEntriesResponse> rejections = Combinators.combine(nodeIds(), nodeIds(), terms(), indexes(), logIds())
                .as(AppendEntriesResponse::rejected);
        return Arbitraries.oneOf(successes, rejections);
    }

    /** Snapshot chunks with 0..100 membership bytes and 0..300 data bytes. */
    public static Arbitrary<InstallSnapshotRequest> snapshotRequests() {
        Arbitrary<byte[]> membership = Arbitraries.bytes().array(byte[].class).ofMaxSize(100);
        Arbitrary<byte[]> data = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        return terms().flatMap(term -> Combinators.combine(nodeIds(), nodeIds(), Arbitraries.longs().between(0, term),
                        indexes(), membership, Arbitraries.longs().between(0, Long.MAX_VALUE - 300), data,
                        Arbitraries.of(true, false))
                .as((from, to, snapshotTerm, snapshotIndex, members, offset, bytes, done) ->
                        new InstallSnapshotRequest(from, to, term, new LogId(snapshotTerm, snapshotIndex), members,
                                offset, bytes, done)));
    }

    public static Arbitrary<InstallSnapshotResponse> snapshotResponses() {
        return Combinators.combine(nodeIds(), nodeIds(), terms(), logIds(), indexes(), Arbitraries.of(true, false),
                indexes()).as(InstallSnapshotResponse::new);
    }

    /** Forwarded commands of 0..300 bytes, with any request id and budget (0: none). */
    public static Arbitrary<ForwardProposal> forwardProposals() {
        return Combinators.combine(nodeIds(), nodeIds(), terms(), Arbitraries.longs(),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(300), Arbitraries.longs().greaterOrEqual(0))
                .as((from, to, term, requestId, command, budget) -> new ForwardProposal(from, to, term, requestId,
                        command, budget, 0));
    }

    /** Answers to forwarded commands: every outcome, with an entry and a leader hint as the record allows. */
    public static Arbitrary<ForwardProposalResult> forwardResults() {
        Arbitrary<Long> hints = Arbitraries.oneOf(Arbitraries.just(0L), nodeIds());
        Arbitrary<LogId> entries = Arbitraries.oneOf(Arbitraries.just(LogId.ZERO), logIds());
        return Combinators.combine(nodeIds(), nodeIds(), terms(), Arbitraries.longs(),
                Arbitraries.of(ForwardProposalResult.Outcome.class), entries, hints).as(ForwardProposalResult::new);
    }

    private record EntrySpec(long term, EntryKind kind, byte[] payload) {
    }

    /** AppendEntries with 0..16 entries of 0..300 bytes (terms non-decreasing, at most the leader's). */
    public static Arbitrary<AppendEntriesRequest> appendRequests() {
        return terms().flatMap(term -> Arbitraries.longs().between(0, term).flatMap(prevTerm -> {
            Arbitrary<List<EntrySpec>> specs = Combinators.combine(Arbitraries.longs().between(prevTerm, term),
                            Arbitraries.of(EntryKind.class), Arbitraries.bytes().array(byte[].class).ofMaxSize(300))
                    .as(EntrySpec::new).list().ofMaxSize(16);
            return Combinators.combine(nodeIds(), nodeIds(), Arbitraries.longs().between(0, Long.MAX_VALUE - 100),
                            specs, indexes(), Arbitraries.of(true, false))
                    .as((from, to, prevIndex, entries, commit, direct) ->
                            request(from, to, term, new LogId(prevTerm, prevIndex), entries, commit, direct));
        }));
    }

    private static AppendEntriesRequest request(long from, long to, long term, LogId prev, List<EntrySpec> specs,
                                                long commit, boolean direct) {
        HeapLogEntries.Builder builder = HeapLogEntries.builder(prev.index() + 1);
        specs.stream().sorted(Comparator.comparingLong(EntrySpec::term))
                .forEach(s -> builder.add(s.term(), s.kind(), s.payload()));
        LogEntries entries = builder.build();
        if (direct) {
            entries = new DirectLogEntries(entries);
        }
        return new AppendEntriesRequest(from, to, term, prev, entries, commit);
    }

    /** Any valid message. */
    public static Arbitrary<RaftMessage> messages() {
        return Arbitraries.oneOf(voteRequests(), voteResponses(), appendRequests(), appendResponses(),
                controlMessages(), snapshotRequests(), snapshotResponses(), forwardProposals(), forwardResults());
    }

    /**
     * What a test's inbound handler keeps of a message it accepted, acting as a node's core: the
     * message with its entries copied to the heap; the original (whose entries may be a view over a
     * pooled network buffer) is released, as the core releases every message it handled.
     */
    public static RaftMessage detach(RaftMessage message) {
        try {
            if (message instanceof AppendEntriesRequest m && m.entries().count() > 0) {
                return new AppendEntriesRequest(m.from(), m.to(), m.term(), m.prevLogId(),
                        HeapLogEntries.copyOf(m.entries()), m.leaderCommit());
            }
            return message;
        } finally {
            Releasable.release(message);
        }
    }

    /** Asserts that {@code actual} carries exactly what {@code expected} does. */
    public static void assertSame(RaftMessage actual, RaftMessage expected) {
        if (expected instanceof AppendEntriesRequest e) {
            assertThat(actual).isInstanceOf(AppendEntriesRequest.class);
            AppendEntriesRequest a = (AppendEntriesRequest) actual;
            assertThat(List.of(a.from(), a.to(), a.term(), a.leaderCommit()))
                    .isEqualTo(List.of(e.from(), e.to(), e.term(), e.leaderCommit()));
            assertThat(a.prevLogId()).isEqualTo(e.prevLogId());
            assertThat(a.entries().firstIndex()).isEqualTo(e.entries().firstIndex());
            assertThat(HeapLogEntries.copyOf(a.entries())).isEqualTo(HeapLogEntries.copyOf(e.entries()));
        } else if (expected instanceof InstallSnapshotRequest e) {
            // a record compares its arrays by identity: compare the contents
            assertThat(actual).isInstanceOf(InstallSnapshotRequest.class);
            InstallSnapshotRequest a = (InstallSnapshotRequest) actual;
            assertThat(List.of(a.from(), a.to(), a.term(), a.offset())).isEqualTo(List.of(e.from(), e.to(), e.term(), e.offset()));
            assertThat(a.snapshot()).isEqualTo(e.snapshot());
            assertThat(a.done()).isEqualTo(e.done());
            assertThat(a.membership()).isEqualTo(e.membership());
            assertThat(a.data()).isEqualTo(e.data());
        } else if (expected instanceof ForwardProposal e) {
            assertThat(actual).isInstanceOf(ForwardProposal.class);
            ForwardProposal a = (ForwardProposal) actual;
            assertThat(a.budgetNanos()).isEqualTo(e.budgetNanos());
            assertThat(List.of(a.from(), a.to(), a.term(), a.requestId()))
                    .isEqualTo(List.of(e.from(), e.to(), e.term(), e.requestId()));
            assertThat(a.command()).isEqualTo(e.command());
        } else {
            assertThat(actual).isEqualTo(expected); // records
        }
    }
}
