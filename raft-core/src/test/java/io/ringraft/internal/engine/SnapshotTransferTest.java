package io.ringraft.internal.engine;

import io.ringraft.internal.engine.membership.ClusterConfig;
import io.ringraft.internal.engine.membership.ConfigEntry;
import static io.ringraft.internal.engine.EngineTestSupport.ack;
import static io.ringraft.internal.engine.EngineTestSupport.append;
import static io.ringraft.internal.engine.EngineTestSupport.config;
import static io.ringraft.internal.engine.EngineTestSupport.propose;
import static io.ringraft.internal.engine.EngineTestSupport.fixedRandom;
import static io.ringraft.internal.engine.EngineTestSupport.id;
import static io.ringraft.internal.engine.EngineTestSupport.logTerms;
import static io.ringraft.internal.engine.EngineTestSupport.reject;
import static io.ringraft.internal.engine.EngineTestSupport.send;
import static io.ringraft.internal.engine.EngineTestSupport.vote;
import static io.ringraft.internal.engine.EngineTestSupport.voteRequest;
import static io.ringraft.internal.engine.EngineTestSupport.voters;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.api.EntryKind;
import io.ringraft.api.LogId;
import io.ringraft.api.Role;
import io.ringraft.internal.engine.EngineTestSupport.AppendProposals;
import io.ringraft.internal.engine.EngineTestSupport.AppendReplicated;
import io.ringraft.internal.engine.EngineTestSupport.Committed;
import io.ringraft.internal.engine.EngineTestSupport.Event;
import io.ringraft.internal.engine.EngineTestSupport.InstallChunk;
import io.ringraft.internal.engine.EngineTestSupport.Node;
import io.ringraft.internal.engine.EngineTestSupport.ResetLog;
import io.ringraft.internal.engine.EngineTestSupport.SaveVote;
import io.ringraft.internal.engine.EngineTestSupport.SendSnapshot;
import io.ringraft.internal.engine.EngineTestSupport.StateChanged;
import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.HeapLogEntries;
import io.ringraft.message.InstallSnapshotRequest;
import io.ringraft.message.InstallSnapshotResponse;
import io.ringraft.message.LeadershipProbe;
import io.ringraft.message.VoteRequest;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Snapshot transfer on the engine, exact input/output: the leader streaming its snapshot to a
 * follower behind its compacted log (PeerProgress SNAPSHOT), the follower checking chunks and
 * installing the snapshot (SnapshotFollower), and restarting from a snapshot (catalogue E43-E47).
 */
class SnapshotTransferTest {

    private static final long[] THREE = voters(1, 2, 3);
    private static final ClusterConfig CONFIG3 = ClusterConfig.of(THREE, new long[0]);
    private static final byte[] DATA = {1, 2, 3};

    // ------------------------------------------------------------------ fixtures

    /**
     * Leader 1 of term 2 over a term-1 log 1..5 plus its no-op at 6, durable, committed with
     * follower 3 (REPLICATE, match 6); follower 2 is still probing (probe prev 1-5 unanswered).
     */
    private static Node leaderCommittedAt6() {
        return leaderCommittedAt6(config(1, THREE));
    }

    private static Node leaderCommittedAt6(EngineConfig config) {
        Node leader = Node.create(config, fixedRandom(0), vote(1), 5, 1, 1, 1, 1, 1);
        leader.electSelf();
        leader.flushAll();
        leader.engine.receive(ack(3, 1, 2, 6));
        assertThat(leader.engine.commitIndex()).isEqualTo(6);
        leader.drain();
        return leader;
    }

    /** {@link #leaderCommittedAt6()} with snapshot 2-6 taken, the log compacted to 6 and follower 2 in SNAPSHOT. */
    private static Node leaderSendingSnapshotTo2() {
        Node leader = leaderCommittedAt6();
        leader.snapshotAndCompact(id(2, 6), 6);
        leader.engine.receive(reject(2, 1, 2, 5, id(1, 3)));
        assertThat(leader.drain()).containsExactly(new SendSnapshot(2, id(2, 6), 0));
        return leader;
    }

    private static AppendEntriesRequest appendTo(long to, LogId prev, long commit, long... terms) {
        return append(1, to, 2, prev, commit, terms);
    }

    private static InstallSnapshotResponse progress(long from, LogId snapshot, long nextOffset) {
        return InstallSnapshotResponse.progress(from, 1, 2, snapshot, nextOffset);
    }

    private static InstallSnapshotResponse installed(long from, LogId snapshot, long match) {
        return InstallSnapshotResponse.installed(from, 1, 2, snapshot, match);
    }

    private static InstallSnapshotRequest chunk(long from, long to, long term, LogId snapshot, ClusterConfig config,
                                                long offset, boolean done) {
        return new InstallSnapshotRequest(from, to, term, snapshot, config.encode(), offset, DATA, done);
    }

    private static HeapLogEntries.Builder entriesFrom(long index) {
        return HeapLogEntries.builder(index);
    }

    private static byte[] noPayload() {
        return new byte[0];
    }

    // ================================================================== leader side

    @Nested
    class LeaderStartsASnapshot {

        @Test
        void aRejectionHintBelowTheCompactedBaseStartsTheSnapshotAtOffsetZero() {
            Node leader = leaderCommittedAt6();
            leader.snapshotAndCompact(id(2, 6), 6);
            assertThat(leader.drain()).isEmpty();

            // Follower 2 holds only 1..3: the probe from 4 would need prev 3, compacted away.
            leader.engine.receive(reject(2, 1, 2, 5, id(1, 3)));

            assertThat(leader.drain()).containsExactly(new SendSnapshot(2, id(2, 6), 0));
            assertThat(leader.engine.matchIndexOf(2)).isZero();
        }

        @Test
        void aProbeResentOnTheHeartbeatWhosePrevIsCompactedStartsTheSnapshot() {
            Node leader = leaderCommittedAt6();
            leader.snapshotAndCompact(id(2, 6), 6);

            // Follower 2's probe (prev 1-5) is resent on the heartbeat: 5 is compacted now.
            leader.tick(1);

            assertThat(leader.drain()).containsExactly(
                    new SendSnapshot(2, id(2, 6), 0),
                    send(appendTo(3, id(2, 6), 6)));
        }

        @Test
        void noAppendEntriesGoToAFollowerInSnapshotAndItsHeartbeatIsALeadershipProbe() {
            Node leader = leaderSendingSnapshotTo2();

            assertThat(propose(leader.engine, 1)).isEqualTo(7);
            assertThat(leader.drain()).containsExactly(
                    new AppendProposals(3, 7, 2, 1),
                    send(appendTo(3, id(2, 6), 6, 2)));

            leader.tick(1);
            assertThat(leader.drain()).containsExactly(
                    send(new LeadershipProbe(1, 2, 2, 0)),
                    send(appendTo(3, id(2, 6), 6)));

            // A commit reached without follower 2 is not pushed to it either.
            leader.flushAll();
            leader.engine.receive(ack(3, 1, 2, 7));
            assertThat(leader.drain()).containsExactly(
                    new Committed(7),
                    send(appendTo(3, id(2, 7), 7)));
        }

        @Test
        void compactingBeyondTheNewestSnapshotOrTheLogIsRefused() {
            Node leader = leaderCommittedAt6();
            leader.engine.snapshotTaken(id(2, 6));
            leader.engine.snapshotTaken(id(1, 4)); // older: ignored
            assertThat(leader.engine.latestSnapshot()).isEqualTo(id(2, 6));

            assertThatThrownBy(() -> leader.engine.compactLog(7)).isInstanceOf(IllegalArgumentException.class);
            leader.engine.compactLog(4);
            assertThat(leader.engine.termAt(3)).isEqualTo(-1);
            assertThat(leader.engine.termAt(4)).isEqualTo(1);
            assertThat(leader.drain()).isEmpty();
        }
    }

    @Nested
    class ChunkProgression {

        @Test
        void eachResponseDrivesTheChunkAtItsNextOffset() {
            Node leader = leaderSendingSnapshotTo2();

            leader.engine.receive(progress(2, id(2, 6), 4096));
            assertThat(leader.drain()).containsExactly(new SendSnapshot(2, id(2, 6), 4096));

            leader.engine.receive(progress(2, id(2, 6), 8192));
            assertThat(leader.drain()).containsExactly(new SendSnapshot(2, id(2, 6), 8192));

            // The follower lost its partial transfer (restarted): it asks for the start again.
            leader.engine.receive(progress(2, id(2, 6), 0));
            assertThat(leader.drain()).containsExactly(new SendSnapshot(2, id(2, 6), 0));
        }

        @Test
        void aResponseNamingTheOffsetJustSentIsADuplicateAndIgnored() {
            Node leader = leaderSendingSnapshotTo2();

            leader.engine.receive(progress(2, id(2, 6), 0));
            assertThat(leader.drain()).isEmpty();

            leader.engine.receive(progress(2, id(2, 6), 4096));
            leader.drain();
            leader.engine.receive(progress(2, id(2, 6), 4096));
            assertThat(leader.drain()).isEmpty();
        }

        @Test
        void responsesAboutAnotherSnapshotOrFromAnOlderTermAreIgnored() {
            Node leader = leaderSendingSnapshotTo2();

            leader.engine.receive(progress(2, id(1, 5), 4096));
            leader.engine.receive(InstallSnapshotResponse.progress(2, 1, 1, id(2, 6), 4096));
            assertThat(leader.drain()).isEmpty();

            // A progress answer from a follower not in SNAPSHOT is ignored as well.
            leader.engine.receive(progress(3, id(2, 6), 4096));
            assertThat(leader.drain()).isEmpty();

            leader.engine.receive(progress(2, id(2, 6), 4096));
            assertThat(leader.drain()).containsExactly(new SendSnapshot(2, id(2, 6), 4096));
        }

        @Test
        void aResponseOfANewerTermDeposesTheLeader() {
            Node leader = leaderSendingSnapshotTo2();

            leader.engine.receive(InstallSnapshotResponse.progress(2, 1, 3, id(2, 6), 0));

            assertThat(leader.drain()).containsExactly(
                    new SaveVote(3, vote(3)),
                    new StateChanged(Role.FOLLOWER, 3, 0));
        }
    }

    @Nested
    class Stall {

        @Test
        void withCheckQuorumTheAcknowledgedLeadershipProbesKeepAFollowerInSnapshotCountedActive() {
            Node leader = leaderCommittedAt6(config(1, THREE, false, true));
            leader.snapshotAndCompact(id(2, 6), 6);
            leader.engine.receive(reject(2, 1, 2, 5, id(1, 3)));
            leader.drain();

            // Follower 3 goes silent; follower 2 only answers the heartbeats while it writes the snapshot.
            for (int i = 0; i < 30; i++) {
                leader.tick(1);
                for (var m : leader.out.drainSent()) {
                    if (m instanceof LeadershipProbe p && p.to() == 2) {
                        leader.engine.receive(new io.ringraft.message.LeadershipProbeAck(2, 1, 2, p.round()));
                    }
                }
            }
            assertThat(leader.engine.role()).isEqualTo(Role.LEADER);

            leader.tick(20); // now nobody answers
            assertThat(leader.engine.role()).isEqualTo(Role.FOLLOWER);
        }

        @Test
        void noAnswerForAnElectionTimeoutResendsTheChunkAtTheCurrentOffset() {
            Node leader = leaderSendingSnapshotTo2();
            leader.engine.receive(progress(2, id(2, 6), 4096));
            leader.drain();

            leader.tick(9);
            assertThat(leader.drain()).noneMatch(e -> e instanceof SendSnapshot);

            leader.tick(1);
            assertThat(leader.drain()).containsExactly(
                    new SendSnapshot(2, id(2, 6), 4096),
                    send(new LeadershipProbe(1, 2, 2, 0)),
                    send(appendTo(3, id(2, 6), 6)));

            // The resend restarted the stall clock.
            leader.tick(9);
            assertThat(leader.drain()).noneMatch(e -> e instanceof SendSnapshot);
            leader.tick(1);
            assertThat(leader.drain()).contains(new SendSnapshot(2, id(2, 6), 4096));
        }

        /** Issue 20: starting over with each newer snapshot never finishes under sustained writes. */
        @Test
        void aNewerSnapshotTakenMeanwhileDoesNotAbandonATransferUnderWay() {
            Node leader = leaderSendingSnapshotTo2();
            leader.engine.receive(progress(2, id(2, 6), 4096));
            leader.engine.propose(1);
            leader.flushAll();
            leader.engine.receive(ack(3, 1, 2, 7));
            leader.engine.snapshotTaken(id(2, 7));
            leader.drain();

            leader.tick(9);
            assertThat(leader.drain()).noneMatch(e -> e instanceof SendSnapshot);
            leader.tick(1);
            assertThat(leader.drain()).contains(new SendSnapshot(2, id(2, 6), 4096))
                    .noneMatch(e -> e instanceof SendSnapshot s && s.snapshot().equals(id(2, 7)));
            leader.engine.receive(progress(2, id(2, 6), 8192));
            assertThat(leader.drain()).containsExactly(new SendSnapshot(2, id(2, 6), 8192));
            assertThat(leader.engine.purgeFloor()).as("the log is needed from the snapshot being sent").isEqualTo(6);
        }

        @Test
        void aTransferNotYetStartedTakesTheNewerSnapshotOnAStall() {
            Node leader = leaderSendingSnapshotTo2();
            leader.engine.propose(1);
            leader.flushAll();
            leader.engine.receive(ack(3, 1, 2, 7));
            leader.engine.snapshotTaken(id(2, 7));
            leader.drain();

            leader.tick(10);
            assertThat(leader.drain()).contains(new SendSnapshot(2, id(2, 7), 0));
        }

        @Test
        void aSnapshotTheRuntimeCannotReadAnyMoreRestartsTheTransferWithTheNewest() {
            Node leader = leaderSendingSnapshotTo2();
            leader.engine.receive(progress(2, id(2, 6), 4096));
            leader.engine.propose(1);
            leader.flushAll();
            leader.engine.receive(ack(3, 1, 2, 7));
            leader.engine.snapshotTaken(id(2, 7));
            leader.drain();

            leader.engine.snapshotUnavailable(2, id(2, 6));
            assertThat(leader.drain()).containsExactly(new SendSnapshot(2, id(2, 7), 0));
            leader.engine.snapshotUnavailable(2, id(2, 6)); // late, repeated: ignored
            assertThat(leader.drain()).isEmpty();

            // Answers about the abandoned snapshot are ignored; the new one goes on.
            leader.engine.receive(progress(2, id(2, 6), 8192));
            assertThat(leader.drain()).isEmpty();
            leader.engine.receive(progress(2, id(2, 7), 100));
            assertThat(leader.drain()).containsExactly(new SendSnapshot(2, id(2, 7), 100));
        }

        @Test
        void responsesKeepTheTransferFromStalling() {
            Node leader = leaderSendingSnapshotTo2();
            leader.tick(9);
            leader.engine.receive(progress(2, id(2, 6), 4096));
            leader.drain();

            leader.tick(9);
            assertThat(leader.drain()).noneMatch(e -> e instanceof SendSnapshot);
        }
    }

    @Nested
    class Done {

        @Test
        void theInstalledAnswerPutsTheFollowerBackToProbingAfterTheSnapshotThenReplicatingAndCommitting() {
            Node leader = leaderSendingSnapshotTo2();
            leader.engine.propose(2); // 7..8, to follower 3 only
            leader.flushAll();
            leader.drain();

            leader.engine.receive(installed(2, id(2, 6), 6));
            assertThat(leader.drain()).containsExactly(send(appendTo(2, id(2, 6), 6, 2, 2)));
            assertThat(leader.engine.matchIndexOf(2)).isEqualTo(6);

            // Follower 3 is silent: follower 2's acknowledgement commits 7..8.
            leader.engine.receive(ack(2, 1, 2, 8));
            assertThat(leader.drain()).containsExactly(
                    new Committed(8),
                    send(appendTo(2, id(2, 8), 8)));

            // Replicating again: proposals go to follower 2 at once, pipelined.
            leader.engine.propose(1);
            leader.engine.propose(1);
            assertThat(leader.drain()).containsExactly(
                    new AppendProposals(4, 9, 2, 1),
                    send(appendTo(2, id(2, 8), 8, 2)),
                    send(appendTo(3, id(2, 8), 8, 2)),
                    new AppendProposals(5, 10, 2, 1),
                    send(appendTo(2, id(2, 9), 8, 2)),
                    send(appendTo(3, id(2, 9), 8, 2)));
        }

        @Test
        void e43_aSnapshotAtTheLeadersLastIndexBringsTheFollowerBackToReplicateWithoutANewEntry() {
            Node leader = leaderSendingSnapshotTo2(); // snapshot 2-6 is the leader's last entry

            leader.engine.receive(installed(2, id(2, 6), 6));
            assertThat(leader.drain()).containsExactly(send(appendTo(2, id(2, 6), 6)));

            leader.engine.receive(ack(2, 1, 2, 6)); // the probe succeeds
            assertThat(leader.drain()).isEmpty();
            assertThat(leader.engine.matchIndexOf(2)).isEqualTo(6);

            // REPLICATE, not PROBE: two proposals are pipelined to it without waiting for an answer,
            // and its heartbeat is an AppendEntries again.
            leader.engine.propose(1);
            leader.engine.propose(1);
            List<Event> events = leader.drain();
            assertThat(events).contains(
                    send(appendTo(2, id(2, 6), 6, 2)),
                    send(appendTo(2, id(2, 7), 6, 2)));
            leader.tick(1);
            assertThat(leader.drain()).contains(send(appendTo(2, id(2, 6), 6)))
                    .noneMatch(e -> e instanceof EngineTestSupport.Send s && s.message() instanceof LeadershipProbe);
        }

        @Test
        void anInstalledAnswerBelowThePendingSnapshotCountsButKeepsTheTransfer() {
            Node leader = leaderSendingSnapshotTo2();

            leader.engine.receive(installed(2, id(2, 6), 4));

            assertThat(leader.drain()).isEmpty();
            assertThat(leader.engine.matchIndexOf(2)).isEqualTo(4);
            leader.tick(1);
            assertThat(leader.drain()).contains(send(new LeadershipProbe(1, 2, 2, 0)));
        }

        @Test
        void aFollowerThatInstalledASnapshotTheLeaderCompactedPastMeanwhileGetsTheNewerOne() {
            Node leader = leaderSendingSnapshotTo2();
            leader.engine.propose(1);
            leader.flushAll();
            leader.engine.receive(ack(3, 1, 2, 7));
            leader.snapshotAndCompact(id(2, 7), 7);
            leader.drain();

            leader.engine.receive(installed(2, id(2, 6), 6));

            assertThat(leader.drain()).containsExactly(new SendSnapshot(2, id(2, 7), 0));
            assertThat(leader.engine.matchIndexOf(2)).isEqualTo(6);
        }
    }

    @Nested
    class E44CompactionUnderAReplicatingFollower {

        /** Leader with both followers replicating at 6 and 7..9 in flight; follower 3 acknowledged 9. */
        private Node leaderWithAppendsInFlightTo2(EngineConfig config) {
            Node leader = leaderCommittedAt6(config);
            leader.engine.receive(ack(2, 1, 2, 6));
            leader.engine.propose(3);
            leader.flushAll();
            leader.engine.receive(ack(3, 1, 2, 9));
            assertThat(leader.engine.commitIndex()).isEqualTo(9);
            leader.drain();
            return leader;
        }

        @Test
        void theHeartbeatOfAFollowerWhoseMatchWasCompactedStartsTheSnapshot() {
            Node leader = leaderWithAppendsInFlightTo2(config(1, THREE));
            leader.snapshotAndCompact(id(2, 9), 9);

            leader.tick(1);

            assertThat(leader.drain()).containsExactly(
                    new SendSnapshot(2, id(2, 9), 0),
                    send(appendTo(3, id(2, 9), 9)));
            leader.engine.propose(1);
            assertThat(leader.drain()).containsExactly(
                    new AppendProposals(4, 10, 2, 1),
                    send(appendTo(3, id(2, 9), 9, 2)));
        }

        @Test
        void aStalledFollowerWhoseMatchWasCompactedProbesThenGetsTheSnapshot() {
            // Heartbeats every 9 ticks, so the stall (10 ticks) is detected between two heartbeats.
            Node leader = leaderWithAppendsInFlightTo2(new EngineConfig(1, THREE, 10, 9, false, false, 64, 256));
            leader.tick(9);
            assertThat(leader.drain()).containsExactly(
                    send(appendTo(2, id(2, 6), 9)),
                    send(appendTo(3, id(2, 9), 9)));
            leader.snapshotAndCompact(id(2, 9), 9);

            leader.tick(1); // stall: back to probing from match + 1 = 7, whose prev is compacted
            assertThat(leader.drain()).isEmpty();

            leader.tick(8); // the next heartbeat resends the probe: the snapshot instead
            assertThat(leader.drain()).containsExactly(
                    new SendSnapshot(2, id(2, 9), 0),
                    send(appendTo(3, id(2, 9), 9)));
        }

        @Test
        void anOutstandingProbeAnsweredBelowTheNewBaseStartsTheSnapshot() {
            Node leader = leaderCommittedAt6(); // follower 2's probe (prev 1-5, entry 6) is out
            leader.engine.propose(1);
            leader.flushAll();
            leader.engine.receive(ack(3, 1, 2, 7));
            leader.snapshotAndCompact(id(2, 7), 7);
            leader.drain();

            leader.engine.receive(ack(2, 1, 2, 6));

            assertThat(leader.drain()).containsExactly(new SendSnapshot(2, id(2, 7), 0));
            assertThat(leader.engine.matchIndexOf(2)).isEqualTo(6);
        }

        /**
         * Not what the engine does today (see the report): an AppendEntries acknowledgement that
         * shows the follower already holds everything up to the pending snapshot leaves it in
         * SNAPSHOT, so it is sent (and installs) a snapshot of entries it has, and gets no entries
         * meanwhile. etcd raft moves such a follower back to probing.
         */
        @Test
        void aLateAcknowledgementCoveringThePendingSnapshotEndsTheTransfer() {
            Node leader = leaderWithAppendsInFlightTo2(config(1, THREE));
            leader.snapshotAndCompact(id(2, 9), 9);
            leader.tick(1);
            assertThat(leader.drain()).contains(new SendSnapshot(2, id(2, 9), 0));

            leader.engine.receive(ack(2, 1, 2, 9)); // the appends in flight arrived after all

            leader.engine.propose(1);
            assertThat(leader.drain()).contains(send(appendTo(2, id(2, 9), 9, 2)));
        }

        @Test
        void aRejectionOfAnInFlightAppendBelowTheBaseStartsTheSnapshot() {
            Node leader = leaderWithAppendsInFlightTo2(config(1, THREE));
            leader.snapshotAndCompact(id(2, 9), 9);

            // Follower 2 lost entry 7 (a new process without its log): it rejects the append of 8.
            leader.engine.receive(reject(2, 1, 2, 7, id(1, 6)));

            assertThat(leader.drain()).containsExactly(new SendSnapshot(2, id(2, 9), 0));
        }
    }

    // ================================================================== follower side

    @Nested
    class FollowerChunks {

        @Test
        void e45_aChunkOfASnapshotAtOrBelowTheCommitIndexIsAnsweredInstalledAtOnceAndChangesNothing() {
            Node follower = Node.create(config(2, THREE), fixedRandom(0), vote(2), 7, 1, 1, 1, 1, 1, 1, 1);
            InstallSnapshotRequest late = chunk(1, 2, 2, id(1, 5), CONFIG3, 0, false);

            follower.engine.receive(late);

            assertThat(follower.drain()).containsExactly(
                    new StateChanged(Role.FOLLOWER, 2, 1),
                    send(InstallSnapshotResponse.installed(2, 1, 2, id(1, 5), 7)));
            assertThat(follower.engine.commitIndex()).isEqualTo(7);
            assertThat(follower.engine.lastLogId()).isEqualTo(id(1, 7));
            assertThat(follower.engine.termAt(1)).isEqualTo(1);
            assertThat(follower.engine.latestSnapshot()).isEqualTo(LogId.ZERO);

            // Exactly at the commit index: the same.
            InstallSnapshotRequest atCommit = chunk(1, 2, 2, id(1, 7), CONFIG3, 4096, true);
            follower.engine.receive(atCommit);
            assertThat(follower.drain()).containsExactly(
                    send(InstallSnapshotResponse.installed(2, 1, 2, id(1, 7), 7)));
        }

        @Test
        void theInstalledAnswerToALateChunkReportsOnlyWhatIsDurable() {
            // Follower 2 took 1..4 from leader 1 (commit 4) but has not flushed them.
            Node follower = Node.create(config(2, THREE), fixedRandom(0), vote(2), 0);
            follower.engine.receive(append(1, 2, 2, LogId.ZERO, 4, 1, 1, 2, 2));
            follower.drain();
            assertThat(follower.engine.commitIndex()).isEqualTo(4);

            follower.engine.receive(chunk(1, 2, 2, id(2, 4), CONFIG3, 0, false));

            assertThat(follower.drain()).containsExactly(
                    send(InstallSnapshotResponse.installed(2, 1, 2, id(2, 4), 0)));
        }

        @Test
        void aChunkBeyondTheCommitIndexIsHandedToTheRuntimeAndResetsTheElectionTimer() {
            Node follower = Node.create(config(2, THREE), fixedRandom(0), vote(2), 1, 1, 1, 1);
            follower.tick(9);
            InstallSnapshotRequest chunk = chunk(1, 2, 2, id(2, 6), CONFIG3, 0, false);

            follower.engine.receive(chunk);

            assertThat(follower.drain()).containsExactly(
                    new StateChanged(Role.FOLLOWER, 2, 1),
                    new InstallChunk(chunk));
            follower.tick(9);
            assertThat(follower.drain()).isEmpty();
            assertThat(follower.engine.role()).isEqualTo(Role.FOLLOWER);
            assertThat(follower.engine.commitIndex()).isEqualTo(1);
            assertThat(follower.engine.lastLogId()).isEqualTo(id(1, 3));
        }

        @Test
        void aChunkOfANewerTermIsFollowedFirst() {
            Node follower = Node.create(config(2, THREE), fixedRandom(0), vote(1), 0, 1, 1);
            InstallSnapshotRequest chunk = chunk(3, 2, 4, id(4, 9), CONFIG3, 0, false);

            follower.engine.receive(chunk);

            assertThat(follower.drain()).containsExactly(
                    new SaveVote(1, vote(4)),
                    new StateChanged(Role.FOLLOWER, 4, 3),
                    new InstallChunk(chunk));
            assertThat(follower.engine.leaderId()).isEqualTo(3);
        }

        @Test
        void aChunkOfAStaleTermIsAnsweredWithTheNewerTerm() {
            Node follower = Node.create(config(2, THREE), fixedRandom(0), vote(3), 0, 1, 1);

            follower.engine.receive(chunk(1, 2, 2, id(2, 6), CONFIG3, 4096, false));

            assertThat(follower.drain()).containsExactly(
                    send(InstallSnapshotResponse.progress(2, 1, 3, id(2, 6), 0)));
            assertThat(follower.engine.leaderId()).isZero();
        }

        @Test
        void aChunkWithMalformedMembershipIsDropped() {
            Node follower = Node.create(config(2, THREE), fixedRandom(0), vote(2), 0, 1, 1);
            follower.engine.receive(append(1, 2, 2, id(1, 2), 0));
            follower.drain();

            follower.engine.receive(new InstallSnapshotRequest(1, 2, 2, id(2, 6), new byte[] {9, 9}, 0, DATA, false));
            follower.engine.receive(new InstallSnapshotRequest(1, 2, 2, id(2, 6), new byte[0], 0, DATA, false));

            assertThat(follower.drain()).isEmpty();
            assertThat(follower.engine.droppedMessages()).isEqualTo(2);
        }

        @Test
        void aLeaderReceivingAChunkOfItsOwnTermThrows() {
            Node leader = leaderCommittedAt6();
            assertThatThrownBy(() -> leader.engine.receive(chunk(2, 1, 2, id(2, 6), CONFIG3, 0, false)))
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Nested
    class FollowerInstalls {

        @Test
        void aSnapshotTheLogHoldsKeepsTheSuffixAndCountsItDurable() {
            // Follower 2 took 1..7 (1-5 of term 1, 6-7 of term 2) from leader 1, commit 3, none flushed.
            Node follower = Node.create(config(2, THREE), fixedRandom(0), vote(2), 0);
            follower.engine.receive(append(1, 2, 2, LogId.ZERO, 3, 1, 1, 1, 1, 1, 2, 2));
            follower.drain();
            InstallSnapshotRequest chunk = chunk(1, 2, 2, id(1, 5), CONFIG3, 0, true);
            follower.engine.receive(chunk);
            assertThat(follower.drain()).containsExactly(new InstallChunk(chunk));
            assertThat(follower.engine.durableIndex()).isZero();

            follower.engine.installSnapshot(id(1, 5), CONFIG3);

            assertThat(follower.drain()).containsExactly(
                    new Committed(5),
                    send(InstallSnapshotResponse.installed(2, 1, 2, id(1, 5), 5)));
            assertThat(follower.engine.lastLogId()).isEqualTo(id(2, 7));
            assertThat(follower.engine.termAt(1)).isEqualTo(1);
            assertThat(follower.engine.termAt(6)).isEqualTo(2);
            assertThat(follower.engine.durableIndex()).isEqualTo(5);
            assertThat(follower.engine.commitIndex()).isEqualTo(5);
            assertThat(follower.engine.latestSnapshot()).isEqualTo(id(1, 5));
            assertThat(follower.store.lastIndex()).isEqualTo(7);

            // The kept suffix is acknowledged once it is durable.
            follower.flushAll();
            assertThat(follower.drain()).containsExactly(send(ack(2, 1, 2, 7)));
        }

        @Test
        void aSnapshotTheLogDoesNotHoldResetsTheLogAfterEarlierWrites() {
            Node follower = Node.create(config(2, THREE), fixedRandom(0), vote(1), 1, 1, 1, 1);
            InstallSnapshotRequest chunk = chunk(1, 2, 3, id(2, 6), CONFIG3, 0, true);
            follower.engine.receive(chunk);
            assertThat(follower.drain()).containsExactly(
                    new SaveVote(1, vote(3)),
                    new StateChanged(Role.FOLLOWER, 3, 1),
                    new InstallChunk(chunk));

            follower.engine.installSnapshot(id(2, 6), CONFIG3);

            assertThat(follower.drain()).containsExactly(
                    new ResetLog(2, id(2, 6)),
                    new Committed(6),
                    send(InstallSnapshotResponse.installed(2, 1, 3, id(2, 6), 6)));
            assertThat(follower.engine.lastLogId()).isEqualTo(id(2, 6));
            assertThat(follower.engine.termAt(3)).isEqualTo(-1);
            assertThat(follower.engine.termAt(6)).isEqualTo(2);
            assertThat(follower.engine.termAt(7)).isEqualTo(-1);
            assertThat(follower.engine.commitIndex()).isEqualTo(6);
            assertThat(follower.engine.durableIndex()).isEqualTo(6);
            assertThat(follower.engine.latestSnapshot()).isEqualTo(id(2, 6));
            assertThat(follower.store.lastIndex()).isEqualTo(6);
            assertThat(follower.store.terms).isEmpty();

            // Replication continues after the snapshot.
            follower.engine.receive(append(1, 2, 3, id(2, 6), 7, 3));
            assertThat(follower.drain()).containsExactly(
                    new AppendReplicated(3, 7, List.of(3L)),
                    new Committed(7));
            follower.flushAll();
            assertThat(follower.drain()).containsExactly(send(ack(2, 1, 3, 7)));
        }

        @Test
        void aResetIsOrderedAfterPendingAppendsWhoseLateFlushDoesNotCountTheDiscardedEntries() {
            // Follower 2 took 1..8 of term 1 (commit 2) from leader 1 of term 2; nothing flushed.
            Node follower = Node.create(config(2, THREE), fixedRandom(0), vote(2), 0);
            follower.engine.receive(append(1, 2, 2, LogId.ZERO, 2, 1, 1, 1, 1, 1, 1, 1, 1));
            long appendSeq = follower.out.lastSeq();
            follower.drain();
            // Leader 3 of term 3 sends snapshot 3-6: index 6 has another term here.
            follower.engine.receive(chunk(3, 2, 3, id(3, 6), CONFIG3, 0, true));
            follower.drain();

            follower.engine.installSnapshot(id(3, 6), CONFIG3);

            assertThat(follower.drain()).containsExactly(
                    new ResetLog(appendSeq + 2, id(3, 6)), // after the append and the term-3 vote
                    new Committed(6),
                    send(InstallSnapshotResponse.installed(2, 3, 3, id(3, 6), 6)));
            follower.engine.onFlushed(appendSeq); // the discarded append became durable before the reset
            assertThat(follower.engine.durableIndex()).isEqualTo(6);
            assertThat(follower.engine.lastLogId()).isEqualTo(id(3, 6));
            follower.flushAll();
            assertThat(follower.engine.durableIndex()).isEqualTo(6);
            // Nothing of the discarded entries 7..8 is ever acknowledged. (The flush does repeat the
            // match of 6 already sent in the installed answer as an AppendEntries acknowledgement:
            // FollowerLog's reportedMatch does not learn about the snapshot answer. Redundant, true.)
            assertThat(follower.out.drainSent()).allSatisfy(m ->
                    assertThat(m).isEqualTo(ack(2, 3, 3, 6)));
        }

        @Test
        void aCandidateInstallingASnapshotItsLogDoesNotHoldStepsDown() {
            Node follower = Node.create(config(2, THREE), fixedRandom(0), vote(2), 1, 1, 1, 1);
            follower.engine.receive(chunk(1, 2, 2, id(2, 6), CONFIG3, 0, true));
            follower.engine.campaign(); // the transfer took longer than an election timeout
            assertThat(follower.engine.role()).isEqualTo(Role.CANDIDATE);
            follower.drain();

            follower.engine.installSnapshot(id(2, 6), CONFIG3);

            // No leader to answer: the new leader will find the follower's log by probing.
            assertThat(follower.drain()).containsExactly(
                    new StateChanged(Role.FOLLOWER, 3, 0),
                    new ResetLog(2, id(2, 6)),
                    new Committed(6));
            assertThat(follower.engine.vote()).isEqualTo(vote(3, 2));
        }

        @Test
        void aSnapshotAtOrBelowTheCommitIndexThatTheLogHoldsOnlyAnswers() {
            Node follower = Node.create(config(2, THREE), fixedRandom(0), vote(2), 7, 1, 1, 1, 1, 1, 1, 1);
            follower.engine.receive(append(1, 2, 2, id(1, 7), 7));
            follower.drain();

            follower.engine.installSnapshot(id(1, 5), CONFIG3);

            assertThat(follower.drain()).containsExactly(
                    send(InstallSnapshotResponse.installed(2, 1, 2, id(1, 5), 7)));
            assertThat(follower.engine.commitIndex()).isEqualTo(7);
            assertThat(follower.engine.lastLogId()).isEqualTo(id(1, 7));
            assertThat(follower.engine.latestSnapshot()).isEqualTo(id(1, 5));
        }

        @Test
        void aSnapshotConflictingWithTheCommittedLogOrInstalledByALeaderThrows() {
            Node follower = Node.create(config(2, THREE), fixedRandom(0), vote(2), 5, 1, 1, 1, 1, 1, 1, 1);
            assertThatThrownBy(() -> follower.engine.installSnapshot(id(2, 4), CONFIG3))
                    .isInstanceOf(IllegalStateException.class);

            Node leader = leaderCommittedAt6();
            assertThatThrownBy(() -> leader.engine.installSnapshot(id(3, 9), CONFIG3))
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Nested
    class E47Membership {

        private final ClusterConfig joint4 = ClusterConfig.joint(CONFIG3, voters(1, 2, 3, 4), new long[0]);
        private final ClusterConfig four = ClusterConfig.of(voters(1, 2, 3, 4), new long[0]);

        @Test
        void anUncommittedConfigurationCoveredByASnapshotFromANewLeaderIsReplacedByTheSnapshots() {
            // Node 4 is being added: leader 1 of term 2 sent it the joint configuration at 3, uncommitted.
            Node node4 = Node.create(config(4, THREE), fixedRandom(0), vote(2), 0, 1, 1);
            node4.engine.receive(new AppendEntriesRequest(1, 4, 2, id(1, 2),
                    entriesFrom(3).add(2, EntryKind.CONFIG, joint4.encode()).build(), 2));
            assertThat(node4.engine.clusterConfig()).isEqualTo(joint4);
            assertThat(node4.engine.membershipChangePending()).isTrue();
            node4.drain();

            // Leader 2 of term 3 never committed it: its snapshot 3-5 keeps node 4 a learner.
            ClusterConfig withLearner = ClusterConfig.of(THREE, voters(4));
            InstallSnapshotRequest chunk = chunk(2, 4, 3, id(3, 5), withLearner, 0, true);
            node4.engine.receive(chunk);
            assertThat(node4.drain()).containsExactly(
                    new SaveVote(2, vote(3)),
                    new StateChanged(Role.FOLLOWER, 3, 2),
                    new InstallChunk(chunk));

            node4.engine.installSnapshot(id(3, 5), withLearner);

            assertThat(node4.drain()).containsExactly(
                    new ResetLog(3, id(3, 5)),
                    new Committed(5),
                    send(InstallSnapshotResponse.installed(4, 2, 3, id(3, 5), 5)));
            assertThat(node4.engine.clusterConfig()).isEqualTo(withLearner);
            assertThat(node4.engine.membershipChangePending()).isFalse();

            // Not a voter of the phantom joint configuration: it never campaigns.
            node4.tick(100);
            assertThat(node4.out.drainSent()).noneMatch(m -> m instanceof VoteRequest);
            assertThat(node4.engine.role()).isEqualTo(Role.FOLLOWER);
            node4.engine.campaign();
            assertThat(node4.drain()).isEmpty();
        }

        @Test
        void theVotersOfTheSnapshotsConfigurationAreTheOnesAskedForVotes() {
            Node node2 = Node.create(config(2, THREE), fixedRandom(0), vote(2), 0, 1, 1);
            node2.engine.receive(new AppendEntriesRequest(1, 2, 2, id(1, 2),
                    entriesFrom(3).add(2, EntryKind.CONFIG, joint4.encode()).build(), 2));
            ClusterConfig two = ClusterConfig.of(voters(1, 2), new long[0]);
            node2.engine.receive(chunk(1, 2, 3, id(3, 5), two, 0, true));
            node2.engine.installSnapshot(id(3, 5), two);
            node2.drain();

            node2.engine.campaign();

            assertThat(node2.drain()).containsExactly(
                    new SaveVote(4, vote(4, 2)),
                    new StateChanged(Role.CANDIDATE, 4, 0),
                    send(voteRequest(2, 1, 4, id(3, 5), false)));
        }

        @Test
        void aConfigurationAfterTheSnapshotStaysWhenTheLogIsKept() {
            // Follower 2 holds 3: joint (uncommitted), 4: a command, 5: the final configuration.
            Node follower = Node.create(config(2, THREE), fixedRandom(0), vote(2), 0, 1, 1);
            follower.engine.receive(new AppendEntriesRequest(1, 2, 2, id(1, 2), entriesFrom(3)
                    .add(2, EntryKind.CONFIG, joint4.encode())
                    .add(2, EntryKind.COMMAND, noPayload())
                    .add(2, EntryKind.CONFIG, four.encode()).build(), 2));
            follower.flushAll();
            follower.drain();
            assertThat(follower.engine.clusterConfig()).isEqualTo(four);

            InstallSnapshotRequest chunk = chunk(1, 2, 2, id(2, 4), joint4, 0, true);
            follower.engine.receive(chunk);
            follower.engine.installSnapshot(id(2, 4), joint4);

            assertThat(follower.drain()).containsExactly(
                    new InstallChunk(chunk),
                    new Committed(4),
                    send(InstallSnapshotResponse.installed(2, 1, 2, id(2, 4), 5)));
            // The joint entry at 3 is folded into the snapshot; the final configuration at 5 stays pending.
            assertThat(follower.engine.clusterConfig()).isEqualTo(four);
            assertThat(follower.engine.membershipChangePending()).isTrue();
            assertThat(follower.engine.lastLogId()).isEqualTo(id(2, 5));

            // Once 5 commits, the change is over.
            follower.engine.receive(append(1, 2, 2, id(2, 5), 5));
            assertThat(follower.engine.membershipChangePending()).isFalse();
            assertThat(follower.engine.clusterConfig()).isEqualTo(four);
        }
    }

    // ================================================================== restart from a snapshot

    @Nested
    class Recovery {

        private final ClusterConfig cfg124 = ClusterConfig.of(voters(1, 2, 4), voters(5));

        @Test
        void aSnapshotNeedsItsMembership() {
            assertThatThrownBy(() -> new RecoveredState(vote(2), LogTerms.startingAfter(id(2, 5)), 0, List.of(),
                    id(2, 5), null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("membership");
        }

        @Test
        void theLogMustHoldTheSnapshotsLastEntryOrStartRightAfterIt() {
            // Ends before it.
            assertThatThrownBy(() -> new RecoveredState(vote(2), logTerms(1, 1, 1), 0, List.of(), id(1, 5), CONFIG3))
                    .isInstanceOf(IllegalArgumentException.class);
            // Holds another term there.
            assertThatThrownBy(() -> new RecoveredState(vote(2), logTerms(1, 1, 1), 0, List.of(), id(2, 3), CONFIG3))
                    .isInstanceOf(IllegalArgumentException.class);
            // Compacted past it.
            LogTerms past = LogTerms.startingAfter(id(2, 8));
            assertThatThrownBy(() -> new RecoveredState(vote(2), past, 0, List.of(), id(1, 5), CONFIG3))
                    .isInstanceOf(IllegalArgumentException.class);
            // Holds it, with entries before and after: fine; everything up to it is committed.
            RecoveredState ok = new RecoveredState(vote(2), logTerms(1, 1, 1, 2, 2), 0, List.of(), id(1, 3), CONFIG3);
            assertThat(ok.committed()).isEqualTo(3);
        }

        @Test
        void configurationEntriesCoveredByTheSnapshotAreRejected() {
            LogTerms log = LogTerms.startingAfter(id(2, 5));
            log.append(2, 2);
            assertThatThrownBy(() -> new RecoveredState(vote(2), log, 0, List.of(new ConfigEntry(5, cfg124)),
                    id(2, 5), CONFIG3)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> new RecoveredState(vote(2), log, 0, List.of(new ConfigEntry(3, cfg124)),
                    id(2, 5), CONFIG3)).isInstanceOf(IllegalArgumentException.class);
            assertThat(new RecoveredState(vote(2), log, 0, List.of(new ConfigEntry(6, cfg124)), id(2, 5), CONFIG3)
                    .configs()).containsExactly(new ConfigEntry(6, cfg124));
        }

        @Test
        void anEngineRecoveredFromASnapshotTakesItsMembershipAndCommitIndex() {
            Node node = Node.createFromSnapshot(config(1, THREE), id(2, 5), cfg124, vote(3), 0, List.of(), 2, 3);

            assertThat(node.engine.clusterConfig()).isEqualTo(cfg124);
            assertThat(node.engine.membershipChangePending()).isFalse();
            assertThat(node.engine.commitIndex()).isEqualTo(5);
            assertThat(node.engine.latestSnapshot()).isEqualTo(id(2, 5));
            assertThat(node.engine.lastLogId()).isEqualTo(id(3, 7));
            assertThat(node.engine.termAt(5)).isEqualTo(2);
            assertThat(node.engine.termAt(4)).isEqualTo(-1);
            assertThat(node.engine.durableIndex()).isEqualTo(7);

            node.engine.campaign();
            assertThat(node.drain()).containsExactly(
                    new SaveVote(1, vote(4, 1)),
                    new StateChanged(Role.CANDIDATE, 4, 0),
                    send(voteRequest(1, 2, 4, id(3, 7), false)),
                    send(voteRequest(1, 4, 4, id(3, 7), false)));
        }

        @Test
        void aConfigurationEntryAfterTheSnapshotIsInForce() {
            Node node = Node.createFromSnapshot(config(1, THREE), id(2, 5), cfg124, vote(3), 0,
                    List.of(new ConfigEntry(6, CONFIG3)), 2, 3);

            assertThat(node.engine.clusterConfig()).isEqualTo(CONFIG3);
            assertThat(node.engine.membershipChangePending()).isTrue();
            assertThat(node.engine.commitIndex()).isEqualTo(5);
        }

        @Test
        void aLeaderRecoveredFromASnapshotSendsItToAFollowerWithAnEmptyLog() {
            Node leader = Node.createFromSnapshot(config(1, THREE), id(1, 5), CONFIG3, vote(1), 0, List.of(), 1, 1);
            leader.electSelf();

            leader.engine.receive(reject(2, 1, 2, 7, LogId.ZERO));

            assertThat(leader.drain()).containsExactly(new SendSnapshot(2, id(1, 5), 0));
            assertThatThrownBy(() -> leader.engine.compactLog(6)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
