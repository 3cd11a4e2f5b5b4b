package io.ringraft.internal.engine;

import static io.ringraft.internal.engine.EngineTestSupport.ack;
import static io.ringraft.internal.engine.EngineTestSupport.config;
import static io.ringraft.internal.engine.EngineTestSupport.send;
import static io.ringraft.internal.engine.EngineTestSupport.vote;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.Role;
import io.ringraft.internal.engine.EngineTestSupport.Node;
import io.ringraft.internal.engine.EngineTestSupport.ReadFailed;
import io.ringraft.internal.engine.EngineTestSupport.ReadReady;
import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.LeadershipProbe;
import io.ringraft.message.LeadershipProbeAck;
import io.ringraft.message.RaftMessage;
import io.ringraft.message.ReadIndexRequest;
import io.ringraft.message.ReadIndexResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ReadIndex on the engine: exact outputs for one input (catalogue G55 and the forwarding path). */
class LinearizableReadsTest {

    private static final long[] THREE = {1, 2, 3};

    /** A leader of term 2 over a log [1, 1], whose no-op (index 3) is committed. */
    private static Node committedLeader() {
        Node leader = Node.create(config(1, THREE), vote(1), 1, 1);
        leader.electSelf();
        leader.flushAll();
        leader.engine.receive(ack(2, 1, 2, 3));
        assertThat(leader.engine.commitIndex()).isEqualTo(3);
        leader.drain();
        return leader;
    }

    @Test
    void aLeaderConfirmsWithAQuorumRoundBeforeTheReadIsReady() {
        Node leader = committedLeader();
        leader.engine.readIndex(7);
        assertThat(leader.drain()).containsExactly(
                send(new LeadershipProbe(1, 2, 2, 1)),
                send(new LeadershipProbe(1, 3, 2, 1)));
        leader.engine.receive(new LeadershipProbeAck(2, 1, 2, 1));
        assertThat(leader.drain()).containsExactly(new ReadReady(7, 3));
    }

    @Test
    void g55_aFreshLeaderDefersReadsUntilItCommitsAnEntryOfItsTerm() {
        Node leader = Node.create(config(1, THREE), vote(1), 1, 1);
        leader.electSelf();
        leader.engine.readIndex(9);
        assertThat(leader.drain()).as("no confirmation round and no read before a commit in term 2")
                .isEmpty();
        leader.flushAll();
        leader.engine.receive(ack(2, 1, 2, 3));
        List<EngineTestSupport.Event> events = leader.drain();
        assertThat(events).contains(send(new LeadershipProbe(1, 2, 2, 1)), send(new LeadershipProbe(1, 3, 2, 1)));
        assertThat(events).noneMatch(e -> e instanceof ReadReady);
        leader.engine.receive(new LeadershipProbeAck(3, 1, 2, 1));
        assertThat(leader.drain()).containsExactly(new ReadReady(9, 3));
    }

    @Test
    void readsArrivingDuringARoundShareTheNextRound() {
        Node leader = committedLeader();
        leader.engine.readIndex(1);
        leader.drain();
        leader.engine.readIndex(2);
        leader.engine.readIndex(3);
        assertThat(leader.drain()).as("round 1 is still out: no new probes").isEmpty();
        leader.engine.receive(new LeadershipProbeAck(2, 1, 2, 1));
        assertThat(leader.drain()).containsExactly(
                new ReadReady(1, 3),
                send(new LeadershipProbe(1, 2, 2, 2)),
                send(new LeadershipProbe(1, 3, 2, 2)));
        leader.engine.receive(new LeadershipProbeAck(3, 1, 2, 2));
        assertThat(leader.drain()).containsExactly(new ReadReady(2, 3), new ReadReady(3, 3));
    }

    @Test
    void anAckOfAnOlderRoundDoesNotConfirmANewerOne() {
        Node leader = committedLeader();
        leader.engine.readIndex(1);
        leader.engine.receive(new LeadershipProbeAck(2, 1, 2, 1));
        leader.engine.readIndex(2);
        leader.drain();
        leader.engine.receive(new LeadershipProbeAck(2, 1, 2, 1)); // a duplicate of round 1
        assertThat(leader.drain()).isEmpty();
    }

    @Test
    void aLeaderThatStepsDownFailsItsPendingReads() {
        Node leader = committedLeader();
        leader.engine.readIndex(5);
        leader.engine.receive(new ReadIndexRequest(3, 1, 2, 44));
        leader.drain();
        leader.engine.receive(new AppendEntriesRequest(2, 1, 3, io.ringraft.api.LogId.ZERO,
                io.ringraft.spi.LogEntries.empty(1), 0));
        List<EngineTestSupport.Event> events = leader.drain();
        assertThat(events).contains(new ReadFailed(5, 2), send(new ReadIndexResponse(1, 3, 3, 44, false, 0)));
        assertThat(leader.engine.role()).isEqualTo(Role.FOLLOWER);
    }

    @Test
    void aFollowerForwardsToTheLeaderAndServesAtTheIndexItAnswers() {
        Node follower = Node.create(config(2, THREE), vote(2, 1), 1, 1);
        follower.engine.receive(new AppendEntriesRequest(1, 2, 2, new io.ringraft.api.LogId(1, 2),
                io.ringraft.spi.LogEntries.empty(3), 2));
        follower.drain();
        follower.engine.readIndex(11);
        assertThat(follower.drain()).containsExactly(send(new ReadIndexRequest(2, 1, 2, 11)));
        follower.engine.receive(new ReadIndexResponse(1, 2, 2, 11, true, 5));
        assertThat(follower.drain()).containsExactly(new ReadReady(11, 5));
    }

    @Test
    void aLeaderAnswersAForwardedReadAfterItsRound() {
        Node leader = committedLeader();
        leader.engine.receive(new ReadIndexRequest(2, 1, 2, 8));
        leader.drain();
        leader.engine.receive(new LeadershipProbeAck(3, 1, 2, 1));
        assertThat(leader.drain()).containsExactly(send(new ReadIndexResponse(1, 2, 2, 8, true, 3)));
    }

    @Test
    void aForwardedReadFailsWhenTheLeaderDoesNotAnswerWithinAnElectionTimeout() {
        Node follower = Node.create(config(2, THREE), vote(2, 1), 1, 1);
        follower.engine.receive(new AppendEntriesRequest(1, 2, 2, new io.ringraft.api.LogId(1, 2),
                io.ringraft.spi.LogEntries.empty(3), 2));
        follower.engine.readIndex(11);
        follower.drain();
        follower.tick(9);
        assertThat(follower.drain()).noneMatch(e -> e instanceof ReadFailed);
        follower.tick(1);
        assertThat(follower.drain()).contains(new ReadFailed(11, 1));
    }

    @Test
    void withoutAKnownLeaderAReadFailsAtOnce() {
        Node follower = Node.create(config(2, THREE), vote(1), 1);
        follower.engine.readIndex(3);
        assertThat(follower.drain()).containsExactly(new ReadFailed(3, 0));
        assertThat(follower.out.readFailuresBusy()).containsExactly(false);
    }

    @Test
    void failuresForLackOfRoomOrTimeAreReportedAsBusyNotAsNotLeader() {
        EngineConfig small = new EngineConfig(1, THREE, 10, 1, false, false, 64, 256, 2);
        Node leader = Node.create(small, vote(1), 1, 1);
        leader.electSelf();
        leader.flushAll();
        leader.engine.receive(ack(2, 1, 2, 3));
        leader.drain();
        leader.engine.readIndex(1);
        leader.engine.readIndex(2);
        leader.engine.readIndex(3); // a third does not fit
        assertThat(leader.drain()).contains(new ReadFailed(3, 0));
        assertThat(leader.out.readFailuresBusy()).containsExactly(true);
        leader.engine.receive(new ReadIndexRequest(2, 1, 2, 9)); // nor does a follower's: no answer
        assertThat(leader.out.drainSent()).isEmpty();

        Node follower = Node.create(config(2, THREE), vote(2, 1), 1, 1);
        follower.engine.receive(new AppendEntriesRequest(1, 2, 2, new io.ringraft.api.LogId(1, 2),
                io.ringraft.spi.LogEntries.empty(3), 2));
        follower.engine.readIndex(11);
        follower.tick(10);
        assertThat(follower.drain()).contains(new ReadFailed(11, 1));
        assertThat(follower.out.readFailuresBusy()).containsExactly(true);
    }

    @Test
    void aFollowerAcknowledgesAProbeAndTreatsItAsAHeartbeat() {
        Node follower = Node.create(config(2, THREE), vote(1), 1);
        follower.engine.receive(new LeadershipProbe(3, 2, 4, 7));
        List<EngineTestSupport.Event> events = follower.drain();
        assertThat(events).contains(send(new LeadershipProbeAck(2, 3, 4, 7)));
        assertThat(follower.engine.leaderId()).isEqualTo(3);
        assertThat(follower.engine.term()).isEqualTo(4);
    }

    @Test
    void aDeposedLeaderLearnsTheNewTermFromAStaleProbe() {
        Node follower = Node.create(config(2, THREE), vote(5), 1);
        follower.engine.receive(new LeadershipProbe(3, 2, 4, 7));
        List<RaftMessage> sent = follower.out.drainSent();
        assertThat(sent).containsExactly(new LeadershipProbeAck(2, 3, 5, 7));
    }

    @Test
    void aSingleVoterServesReadsWithoutRounds() {
        Node single = Node.create(config(1, 1), vote(0));
        single.engine.campaign();
        single.flushAll();
        single.flushAll();
        assertThat(single.engine.commitIndex()).isEqualTo(1);
        single.drain();
        single.engine.readIndex(4);
        assertThat(single.drain()).containsExactly(new ReadReady(4, 1));
    }

    @Test
    void theReadTablesAreAllocatedByAReadAndHandedBackOnlyWhileNoneWaits() {
        Node leader = committedLeader();
        assertThat(leader.engine.readTablesAllocated()).as("no read yet").isFalse();
        leader.engine.readIndex(7);
        leader.drain();
        assertThat(leader.engine.readTablesAllocated()).isTrue();
        leader.engine.releaseIdleMemory();
        assertThat(leader.engine.readTablesAllocated()).as("read 7 waits for its round").isTrue();
        leader.engine.receive(new LeadershipProbeAck(2, 1, 2, 1));
        assertThat(leader.drain()).containsExactly(new ReadReady(7, 3));
        leader.engine.releaseIdleMemory();
        assertThat(leader.engine.readTablesAllocated()).isFalse();
        leader.engine.readIndex(8);
        assertThat(leader.drain()).as("the next read allocates again and takes its round").containsExactly(
                send(new LeadershipProbe(1, 2, 2, 2)),
                send(new LeadershipProbe(1, 3, 2, 2)));
        leader.engine.receive(new LeadershipProbeAck(3, 1, 2, 2));
        assertThat(leader.drain()).containsExactly(new ReadReady(8, 3));
    }
}
