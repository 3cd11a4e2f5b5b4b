package io.ringraft.internal.engine;

import static io.ringraft.internal.engine.EngineTestSupport.ack;
import static io.ringraft.internal.engine.EngineTestSupport.append;
import static io.ringraft.internal.engine.EngineTestSupport.propose;
import static io.ringraft.internal.engine.EngineTestSupport.vote;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.api.LogId;
import io.ringraft.api.Role;
import io.ringraft.internal.engine.EngineTestSupport.Node;
import io.ringraft.internal.engine.EngineTestSupport.ReadReady;
import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.AppendEntriesResponse;
import io.ringraft.message.LeadershipProbe;
import io.ringraft.message.LeadershipProbeAck;
import io.ringraft.message.Quiesce;
import io.ringraft.message.RaftMessage;
import io.ringraft.message.VoteRequest;
import io.ringraft.message.VoteResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The quiescence rules on single engines (the other members are played by the test): when a leader
 * may quiesce, what a follower does with a {@link Quiesce}, what wakes each, and how leases and reads
 * stay linearizable across a quiet period.
 */
class QuiescenceTest {

    private static final long[] THREE = {1, 2, 3};
    /** Election 10 ticks, heartbeat 2, check-quorum, no pre-vote, quiesce after 10 idle ticks. */
    private static final EngineConfig QUIET = new EngineConfig(1, THREE, 10, 2, false, true, 64, 256, 64, 0, 10);
    /** The same with an 8-tick leader lease. */
    private static final EngineConfig LEASED_QUIET = new EngineConfig(1, THREE, 10, 2, false, true, 64, 256, 64, 8, 10);

    // ------------------------------------------------------------------ leader

    /** Leader 1 of term 2 whose no-op (index 2) is durable and acknowledged by 2 and 3. */
    private static Node committedLeader(EngineConfig config) {
        Node leader = Node.create(config, vote(1), 1);
        leader.electSelf();
        leader.flushAll();
        leader.engine.receive(ack(2, 1, 2, 2));
        leader.engine.receive(ack(3, 1, 2, 2));
        assertThat(leader.engine.commitIndex()).isEqualTo(2);
        leader.drain();
        return leader;
    }

    /**
     * Ticks {@code ticks} times; after each, every follower in {@code answering} acknowledges the
     * leader's last index (as live, caught-up followers answer heartbeats). Returns what was sent.
     */
    private static List<RaftMessage> tickAnswering(Node leader, int ticks, long... answering) {
        List<RaftMessage> sent = new java.util.ArrayList<>();
        for (int i = 0; i < ticks; i++) {
            leader.engine.tick();
            sent.addAll(leader.out.drainSent());
            for (long follower : answering) {
                if (!leader.engine.quiesced()) {
                    leader.engine.receive(ack(follower, 1, leader.engine.term(), leader.engine.lastLogId().index()));
                }
            }
            sent.addAll(leader.out.drainSent());
        }
        return sent;
    }

    private static Node quietLeader(EngineConfig config) {
        Node leader = committedLeader(config);
        List<RaftMessage> sent = tickAnswering(leader, 11, 2, 3);
        assertThat(leader.engine.quiesced()).isTrue();
        assertThat(sent).contains(new Quiesce(1, 2, 2, new LogId(2, 2)), new Quiesce(1, 3, 2, new LogId(2, 2)));
        leader.drain();
        return leader;
    }

    @Test
    void aLeaderQuiescesAfterExactlyTheConfiguredIdleTicksAndSendsNothingThen() {
        Node leader = committedLeader(QUIET);
        tickAnswering(leader, 9, 2, 3);
        assertThat(leader.engine.quiesced()).isFalse();
        List<RaftMessage> sent = tickAnswering(leader, 1, 2, 3);
        assertThat(leader.engine.quiesced()).isTrue();
        // the Quiesce messages are the last thing it sent: no heartbeat in the same tick
        assertThat(sent).containsExactly(new Quiesce(1, 2, 2, new LogId(2, 2)), new Quiesce(1, 3, 2, new LogId(2, 2)));
        leader.tick(1000);
        assertThat(leader.out.drainSent()).isEmpty();
        assertThat(leader.engine.role()).isEqualTo(Role.LEADER); // no check-quorum while quiet
    }

    @Test
    void offByDefault() {
        Node leader = committedLeader(QUIET.withQuiesceAfterTicks(0));
        tickAnswering(leader, 100, 2, 3);
        assertThat(leader.engine.quiesced()).isFalse();
    }

    @Test
    void aLaggingFollowerPreventsQuiescence() {
        Node leader = committedLeader(QUIET);
        propose(leader.engine, 1); // index 3
        leader.flushAll();
        leader.engine.receive(ack(2, 1, 2, 3)); // committed by 1 and 2; 3 stays at 2
        assertThat(leader.engine.commitIndex()).isEqualTo(3);
        for (int i = 0; i < 30; i++) {
            leader.engine.tick();
            leader.engine.receive(ack(2, 1, 2, 3));
            leader.engine.receive(ack(3, 1, 2, 2));
        }
        assertThat(leader.engine.quiesced()).isFalse();
        leader.engine.receive(ack(3, 1, 2, 3));
        tickAnswering(leader, 10, 2, 3);
        assertThat(leader.engine.quiesced()).isTrue();
    }

    @Test
    void anUncommittedOrNonDurableEntryPreventsQuiescence() {
        Node leader = committedLeader(QUIET);
        propose(leader.engine, 1); // index 3, not durable on the leader
        for (int i = 0; i < 30; i++) {
            leader.engine.tick();
            leader.engine.receive(ack(2, 1, 2, 3));
            leader.engine.receive(ack(3, 1, 2, 3));
        }
        assertThat(leader.engine.quiesced()).isFalse(); // followers hold it, the leader does not: commit 3, durable 2
        leader.flushAll();
        tickAnswering(leader, 10, 2, 3);
        assertThat(leader.engine.quiesced()).isTrue();
    }

    @Test
    void aPendingReadPreventsQuiescence() {
        Node leader = committedLeader(QUIET);
        leader.engine.readIndex(7); // probes go out; nobody acknowledges them
        tickAnswering(leader, 30, 2, 3);
        assertThat(leader.engine.quiesced()).isFalse();
        leader.engine.receive(new LeadershipProbeAck(2, 1, 2, 1));
        assertThat(leader.drain()).contains(new ReadReady(7, 2));
        tickAnswering(leader, 10, 2, 3);
        assertThat(leader.engine.quiesced()).isTrue();
    }

    @Test
    void aSilentFollowerPreventsQuiescence() {
        Node leader = committedLeader(QUIET);
        tickAnswering(leader, 40, 2); // 3 is caught up but stops answering (crashed)
        assertThat(leader.engine.quiesced()).isFalse();
        assertThat(leader.engine.role()).isEqualTo(Role.LEADER); // 1 and 2 are a quorum
    }

    @Test
    void aTransferOrMembershipChangeInProgressPreventsQuiescence() {
        Node leader = committedLeader(QUIET);
        assertThat(leader.engine.changeMembership(THREE, new long[] {4})).isTrue(); // learner 4, never answers
        tickAnswering(leader, 30, 2, 3);
        assertThat(leader.engine.quiesced()).isFalse();
        Node transferring = committedLeader(QUIET);
        propose(transferring.engine, 1);
        transferring.flushAll();
        transferring.engine.receive(ack(2, 1, 2, 3)); // 3 lags: the transfer to it waits
        assertThat(transferring.engine.transferLeadership(3)).isTrue();
        for (int i = 0; i < 9; i++) {
            transferring.engine.tick();
            transferring.engine.receive(ack(2, 1, 2, 3));
        }
        assertThat(transferring.engine.quiesced()).isFalse();
    }

    @Test
    void aProposalWakesTheLeaderWhichHeartbeatsAtOnce() {
        Node leader = quietLeader(QUIET);
        long index = propose(leader.engine, 1);
        assertThat(leader.engine.quiesced()).isFalse();
        List<RaftMessage> sent = leader.out.drainSent();
        // a heartbeat (empty, at the follower's match) and the new entry, to each follower, before any tick
        for (long follower : new long[] {2, 3}) {
            assertThat(sent).anyMatch(m -> m instanceof AppendEntriesRequest a && a.to() == follower
                    && a.entries().count() == 0);
            assertThat(sent).anyMatch(m -> m instanceof AppendEntriesRequest a && a.to() == follower
                    && a.entries().count() == 1 && a.entries().firstIndex() == index);
        }
    }

    @Test
    void aWokenLeaderGivesFollowersAFullElectionTimeoutBeforeCheckQuorum() {
        Node leader = quietLeader(QUIET);
        leader.tick(500); // a long quiet period
        propose(leader.engine, 1);
        leader.tick(9);
        assertThat(leader.engine.role()).isEqualTo(Role.LEADER);
        leader.tick(1); // a whole election timeout without answers: it steps down
        assertThat(leader.engine.role()).isEqualTo(Role.FOLLOWER);
    }

    @Test
    void lateAnswersToEarlierHeartbeatsDoNotWakeALeaderButAnythingElseDoes() {
        Node leader = quietLeader(QUIET);
        leader.engine.receive(ack(2, 1, 2, 2)); // no news
        leader.engine.receive(new LeadershipProbeAck(3, 1, 2, 1)); // an old round
        assertThat(leader.engine.quiesced()).isTrue();
        assertThat(leader.out.drainSent()).isEmpty();
        leader.engine.receive(new LeadershipProbeAck(3, 1, 2, 0)); // a follower's wake-up call
        assertThat(leader.engine.quiesced()).isFalse();
        assertThat(leader.out.drainSent()).hasSize(2).allMatch(m -> m instanceof AppendEntriesRequest);
    }

    @Test
    void aPeerReportWakesAQuietLeaderOnlyForAMember() {
        Node leader = quietLeader(QUIET);
        leader.engine.peerUnreachable(9);
        assertThat(leader.engine.quiesced()).isTrue();
        leader.engine.peerUnreachable(3);
        assertThat(leader.engine.quiesced()).isFalse();
        assertThat(leader.out.drainSent()).hasSize(2).allMatch(m -> m instanceof AppendEntriesRequest);
    }

    // ------------------------------------------------------------------ reads and leases

    @Test
    void aReadOnAQuietLeaderConfirmsLeadershipWithAFreshRound() {
        Node leader = quietLeader(QUIET);
        leader.engine.readIndex(11);
        assertThat(leader.engine.quiesced()).isFalse();
        List<EngineTestSupport.Event> events = leader.drain();
        assertThat(events).noneMatch(e -> e instanceof ReadReady);
        assertThat(events).contains(EngineTestSupport.send(new LeadershipProbe(1, 2, 2, 1)),
                EngineTestSupport.send(new LeadershipProbe(1, 3, 2, 1)));
        leader.engine.receive(new LeadershipProbeAck(2, 1, 2, 1));
        assertThat(leader.drain()).contains(new ReadReady(11, 2));
    }

    @Test
    void aLeaseDoesNotSurviveAQuietPeriod() {
        Node leader = committedLeader(LEASED_QUIET);
        leader.engine.readIndex(1);
        leader.engine.receive(new LeadershipProbeAck(2, 1, 2, 1));
        assertThat(leader.drain()).contains(new ReadReady(1, 2)); // a lease from here on
        // Idle: heartbeats renew the lease every 2 ticks, and the answers keep coming
        for (int i = 0; i < 30 && !leader.engine.quiesced(); i++) {
            leader.engine.tick();
            for (RaftMessage m : leader.out.drainSent()) {
                if (m instanceof LeadershipProbe p && !leader.engine.quiesced()) {
                    leader.engine.receive(new LeadershipProbeAck(p.to(), 1, 2, p.round()));
                } else if (m instanceof AppendEntriesRequest a && !leader.engine.quiesced()) {
                    leader.engine.receive(ack(a.to(), 1, 2, 2));
                }
            }
        }
        assertThat(leader.engine.quiesced()).isTrue();
        leader.drain();
        // A late acknowledgement of a round sent before the quiet period must not make a lease either
        leader.engine.receive(new LeadershipProbeAck(2, 1, 2, 99));
        leader.engine.readIndex(2); // its ticks stood still: a lease would look valid forever
        List<EngineTestSupport.Event> events = leader.drain();
        assertThat(events).noneMatch(e -> e instanceof ReadReady);
        assertThat(events).anyMatch(e -> e instanceof EngineTestSupport.Send s && s.message() instanceof LeadershipProbe);
    }

    // ------------------------------------------------------------------ follower

    /** Follower 2 of leader 1 in term 2, holding and having acknowledged indexes 1..2 (commit 1). */
    private static Node caughtUpFollower() {
        Node follower = Node.create(QUIET.forNode(2), vote(2), 1);
        follower.engine.receive(append(1, 2, 2, new LogId(1, 1), 1, 2));
        follower.flushAll();
        follower.drain();
        assertThat(follower.engine.lastLogId()).isEqualTo(new LogId(2, 2));
        return follower;
    }

    @Test
    void aFollowerQuiescesOnAMatchingQuiesceAndAdoptsItsCommitIndex() {
        Node follower = caughtUpFollower();
        follower.engine.receive(new Quiesce(1, 2, 2, new LogId(2, 2)));
        assertThat(follower.engine.quiesced()).isTrue();
        assertThat(follower.engine.commitIndex()).isEqualTo(2);
        assertThat(follower.drain()).containsExactly(new EngineTestSupport.Committed(2));
        follower.tick(1000);
        assertThat(follower.engine.role()).isEqualTo(Role.FOLLOWER);
        assertThat(follower.drain()).isEmpty();
        // a duplicate keeps it quiet
        follower.engine.receive(new Quiesce(1, 2, 2, new LogId(2, 2)));
        assertThat(follower.engine.quiesced()).isTrue();
        assertThat(follower.drain()).isEmpty();
    }

    @Test
    void aFollowerWhoseLogDiffersStaysActiveAndCallsTheLeader() {
        Node follower = caughtUpFollower();
        follower.engine.receive(new Quiesce(1, 2, 2, new LogId(2, 3))); // the leader has more
        assertThat(follower.engine.quiesced()).isFalse();
        assertThat(follower.out.drainSent()).containsExactly(new LeadershipProbeAck(2, 1, 2, 0));
        Node notDurable = Node.create(QUIET.forNode(2), vote(2), 1);
        notDurable.engine.receive(append(1, 2, 2, new LogId(1, 1), 1, 2)); // not flushed
        notDurable.drain();
        notDurable.engine.receive(new Quiesce(1, 2, 2, new LogId(2, 2)));
        assertThat(notDurable.engine.quiesced()).isFalse();
        // a follower that never verified its log against this leader's does not quiesce either
        Node unverified = Node.create(QUIET.forNode(2), vote(2), 1, 1, 2);
        unverified.engine.receive(new Quiesce(1, 2, 2, new LogId(2, 2)));
        assertThat(unverified.engine.quiesced()).isFalse();
        assertThat(unverified.out.drainSent()).containsExactly(new LeadershipProbeAck(2, 1, 2, 0));
    }

    @Test
    void aQuiesceOfAnOlderTermIsAnsweredWithTheNewerTerm() {
        Node follower = caughtUpFollower();
        follower.engine.receive(new Quiesce(3, 2, 1, new LogId(1, 1)));
        assertThat(follower.engine.quiesced()).isFalse();
        List<RaftMessage> sent = follower.out.drainSent();
        assertThat(sent).hasSize(1);
        assertThat(sent.get(0)).isInstanceOf(AppendEntriesResponse.class);
        assertThat(sent.get(0).term()).isEqualTo(2);
    }

    @Test
    void aQuiesceFromAnotherLeaderOfTheSameTermIsTwoLeaders() {
        Node leader = committedLeader(QUIET);
        assertThatThrownBy(() -> leader.engine.receive(new Quiesce(2, 1, 2, new LogId(2, 2))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("two leaders");
    }

    @Test
    void aQuietFollowerRejectsPreVotesAndVotesAsIfItsLeaderWereAlive() {
        Node follower = caughtUpFollower();
        follower.engine.receive(new Quiesce(1, 2, 2, new LogId(2, 2)));
        follower.tick(1000); // no time passes for it
        follower.engine.receive(new VoteRequest(3, 2, 3, new LogId(2, 2), true));
        follower.engine.receive(new VoteRequest(3, 2, 3, new LogId(2, 2), false));
        List<RaftMessage> sent = follower.out.drainSent();
        assertThat(sent).noneMatch(m -> m instanceof VoteResponse);
        assertThat(follower.engine.term()).isEqualTo(2);
        // it woke and called its leader, which will heartbeat
        assertThat(sent).contains(new LeadershipProbeAck(2, 1, 2, 0));
        assertThat(follower.engine.quiesced()).isFalse();
    }

    @Test
    void aMessageFromTheLeaderWakesAFollowerWithoutACall() {
        Node follower = caughtUpFollower();
        follower.engine.receive(new Quiesce(1, 2, 2, new LogId(2, 2)));
        follower.engine.receive(append(1, 2, 2, new LogId(2, 2), 2));
        assertThat(follower.engine.quiesced()).isFalse();
        assertThat(follower.out.drainSent()).containsExactly(ack(2, 1, 2, 2));
        follower.tick(9);
        assertThat(follower.engine.role()).isEqualTo(Role.FOLLOWER);
        follower.tick(11); // the timer runs again: randomized timeout is at most 2 x 10 ticks
        assertThat(follower.engine.role()).isNotEqualTo(Role.FOLLOWER);
    }

    @Test
    void aReadOnAQuietFollowerWakesItAndGoesToTheLeader() {
        Node follower = caughtUpFollower();
        follower.engine.receive(new Quiesce(1, 2, 2, new LogId(2, 2)));
        follower.engine.readIndex(5);
        assertThat(follower.engine.quiesced()).isFalse();
        assertThat(follower.out.drainSent()).containsExactly(new io.ringraft.message.ReadIndexRequest(2, 1, 2, 5));
    }

    @Test
    void aReportThatTheLeaderIsLostEndsTheLeaseAndCampaignsWithinOneElectionTimeout() {
        for (int offset = 0; offset < 10; offset++) {
            Node follower = Node.create(QUIET.forNode(2), EngineTestSupport.fixedRandom(offset), vote(2), 0, 1);
            follower.engine.receive(append(1, 2, 2, new LogId(1, 1), 1, 2));
            follower.flushAll();
            follower.engine.receive(new Quiesce(1, 2, 2, new LogId(2, 2)));
            follower.drain();
            follower.engine.peerUnreachable(3); // not its leader
            assertThat(follower.engine.quiesced()).isTrue();
            follower.engine.peerUnreachable(1);
            assertThat(follower.engine.quiesced()).isFalse();
            // its lease is over at once: it grants a pre-vote to an up-to-date candidate
            follower.engine.receive(new VoteRequest(3, 2, 3, new LogId(2, 2), true));
            assertThat(follower.out.drainSent()).contains(new VoteResponse(2, 3, 3, true, true));
            int ticks = 0;
            while (follower.engine.role() == Role.FOLLOWER && ticks < 100) {
                follower.engine.tick();
                ticks++;
            }
            assertThat(ticks).as("random offset %d", offset).isEqualTo(1 + Math.min(offset, 4)); // 1 .. ET/2
            assertThat(follower.engine.role()).isEqualTo(Role.CANDIDATE); // no pre-vote in this configuration
        }
    }

    @Test
    void anActiveFollowerOfALostLeaderCampaignsWithinHalfAnElectionTimeoutToo() {
        for (int offset = 0; offset < 10; offset++) {
            Node follower = Node.create(QUIET.forNode(2), EngineTestSupport.fixedRandom(offset), vote(2), 0, 1);
            follower.engine.receive(append(1, 2, 2, new LogId(1, 1), 1, 2));
            follower.flushAll();
            follower.drain();
            assertThat(follower.engine.quiesced()).isFalse();
            follower.engine.peerUnreachable(3); // not its leader: nothing changes
            follower.engine.peerUnreachable(1);
            int ticks = 0;
            while (follower.engine.role() == Role.FOLLOWER && ticks < 100) {
                follower.engine.tick();
                ticks++;
            }
            // Without the report it would wait its randomized timeout: at least the election timeout (10).
            assertThat(ticks).as("random offset %d", offset).isLessThanOrEqualTo(5);
            assertThat(follower.engine.role()).isEqualTo(Role.CANDIDATE);
        }
    }

    @Test
    void withoutQuiescenceAReportChangesNothing() {
        EngineConfig plain = QUIET.withQuiesceAfterTicks(0).forNode(2);
        Node follower = Node.create(plain, EngineTestSupport.fixedRandom(0), vote(2), 0, 1);
        follower.engine.receive(append(1, 2, 2, new LogId(1, 1), 1, 2));
        follower.flushAll();
        follower.drain();
        follower.engine.peerUnreachable(1);
        for (int i = 0; i < 9; i++) {
            follower.engine.tick();
        }
        assertThat(follower.engine.role()).isEqualTo(Role.FOLLOWER);
    }

    @Test
    void engineConfigValidatesQuiescence() {
        assertThatThrownBy(() -> QUIET.withQuiesceAfterTicks(9)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("quiesceAfterTicks must be 0 (off) or at least electionTimeoutTicks (10), got 9");
        assertThatThrownBy(() -> QUIET.withQuiesceAfterTicks(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> QUIET.withElectionSafeguards(false, false))
                .hasMessageContaining("quiescence needs check-quorum");
        assertThat(QUIET.forNode(2).quiesceAfterTicks()).isEqualTo(10);
        assertThat(QUIET.withQuiesceAfterTicks(0).quiesceAfterTicks()).isZero();
        assertThat(QUIET).isNotEqualTo(QUIET.withQuiesceAfterTicks(11));
    }
}
