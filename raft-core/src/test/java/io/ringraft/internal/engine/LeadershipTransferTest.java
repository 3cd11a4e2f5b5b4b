package io.ringraft.internal.engine;

import static io.ringraft.internal.engine.EngineTestSupport.ack;
import static io.ringraft.internal.engine.EngineTestSupport.config;
import static io.ringraft.internal.engine.EngineTestSupport.propose;
import static io.ringraft.internal.engine.EngineTestSupport.vote;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.LogId;
import io.ringraft.api.Role;
import io.ringraft.internal.engine.EngineTestSupport.Node;
import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.spi.LogEntries;
import io.ringraft.message.RaftMessage;
import io.ringraft.message.TimeoutNow;
import io.ringraft.message.VoteRequest;
import io.ringraft.message.VoteResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Leadership transfer on the engine (TimeoutNow), exact outputs for one input. */
class LeadershipTransferTest {

    private static final long[] THREE = {1, 2, 3};

    /** A leader of term 2 over [1, 1] + no-op at 3, follower 2 fully caught up, follower 3 not. */
    private static Node leader() {
        Node leader = Node.create(config(1, THREE, false, true), vote(1), 1, 1);
        leader.electSelf();
        leader.flushAll();
        leader.engine.receive(ack(2, 1, 2, 3));
        leader.drain();
        return leader;
    }

    @Test
    void anUpToDateTargetIsToldToCampaignAtOnceAndProposalsAreRefused() {
        Node leader = leader();
        assertThat(leader.engine.transferLeadership(2)).isTrue();
        assertThat(leader.out.drainSent()).containsExactly(new TimeoutNow(1, 2, 2));
        assertThat(leader.engine.transferringTo()).isEqualTo(2);
        assertThat(propose(leader.engine, 1)).isEqualTo(-1);
    }

    @Test
    void aLaggingTargetIsCaughtUpFirst() {
        Node leader = leader();
        assertThat(leader.engine.transferLeadership(3)).isTrue();
        List<RaftMessage> sent = leader.out.drainSent();
        assertThat(sent).noneMatch(m -> m instanceof TimeoutNow);
        leader.engine.receive(ack(3, 1, 2, 3));
        assertThat(leader.out.drainSent()).contains(new TimeoutNow(1, 3, 2));
    }

    @Test
    void aTransferThatDoesNotCompleteIsAbandonedAfterAnElectionTimeout() {
        Node leader = leader();
        leader.engine.transferLeadership(3);
        leader.tick(9);
        assertThat(leader.engine.transferringTo()).isEqualTo(3);
        leader.engine.receive(ack(2, 1, 2, 3)); // keep check-quorum happy
        leader.tick(1);
        assertThat(leader.engine.transferringTo()).isZero();
        assertThat(leader.engine.role()).isEqualTo(Role.LEADER);
        assertThat(propose(leader.engine, 1)).isEqualTo(4);
    }

    @Test
    void transferToItselfOrANonVoterOrTwiceIsRefused() {
        Node leader = leader();
        assertThat(leader.engine.transferLeadership(1)).isFalse();
        assertThat(leader.engine.transferLeadership(9)).isFalse();
        assertThat(leader.engine.transferLeadership(2)).isTrue();
        assertThat(leader.engine.transferLeadership(3)).isFalse();
    }

    @Test
    void theTargetCampaignsWithoutPreVoteAndVotersAnswerDespiteTheirLease() {
        Node target = Node.create(config(2, THREE, true, true), vote(2, 1), 1, 1);
        target.engine.receive(new AppendEntriesRequest(1, 2, 2, new LogId(1, 2), LogEntries.empty(3), 2));
        target.drain();
        target.engine.receive(new TimeoutNow(1, 2, 2));
        assertThat(target.engine.role()).isEqualTo(Role.CANDIDATE);
        assertThat(target.engine.term()).isEqualTo(3);
        List<RaftMessage> sent = target.out.drainSent();
        assertThat(sent).contains(new VoteRequest(2, 1, 3, new LogId(1, 2), false, true),
                new VoteRequest(2, 3, 3, new LogId(1, 2), false, true));

        // A voter that heard from the leader a moment ago still answers a transfer campaign ...
        Node voter = Node.create(config(3, THREE, true, true), vote(2, 1), 1, 1);
        voter.engine.receive(new AppendEntriesRequest(1, 3, 2, new LogId(1, 2), LogEntries.empty(3), 2));
        voter.drain();
        voter.engine.receive(new VoteRequest(2, 3, 3, new LogId(1, 2), false, true));
        voter.flushAll();
        assertThat(voter.out.drainSent()).contains(new VoteResponse(3, 2, 3, true, false));

        // ... but ignores an ordinary one (check-quorum's lease).
        Node leased = Node.create(config(3, THREE, true, true), vote(2, 1), 1, 1);
        leased.engine.receive(new AppendEntriesRequest(1, 3, 2, new LogId(1, 2), LogEntries.empty(3), 2));
        leased.drain();
        leased.engine.receive(new VoteRequest(2, 3, 3, new LogId(1, 2), false, false));
        assertThat(leased.out.drainSent()).isEmpty();
        assertThat(leased.engine.term()).isEqualTo(2);
    }

    @Test
    void aTimeoutNowFromANodeThatIsNotOurLeaderIsIgnored() {
        Node follower = Node.create(config(2, THREE, true, true), vote(2, 1), 1, 1);
        follower.engine.receive(new AppendEntriesRequest(1, 2, 2, new LogId(1, 2), LogEntries.empty(3), 2));
        follower.drain();
        follower.engine.receive(new TimeoutNow(3, 2, 2));
        assertThat(follower.engine.role()).isEqualTo(Role.FOLLOWER);
        assertThat(follower.engine.term()).isEqualTo(2);
    }
}
