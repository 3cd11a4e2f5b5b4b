package io.ringraft.internal.engine;

import io.ringraft.internal.engine.membership.ClusterConfig;
import static io.ringraft.internal.engine.EngineTestSupport.ack;
import static io.ringraft.internal.engine.EngineTestSupport.config;
import static io.ringraft.internal.engine.EngineTestSupport.vote;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.EntryKind;
import io.ringraft.api.LogId;
import io.ringraft.api.Role;
import io.ringraft.internal.engine.EngineTestSupport.AppendConfig;
import io.ringraft.internal.engine.EngineTestSupport.Node;
import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.HeapLogEntries;
import io.ringraft.spi.LogEntries;
import io.ringraft.message.VoteRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Membership changes on the engine: joint consensus, learners, removing the leader (catalogue F49-F53). */
class MembershipChangeTest {

    private static final long[] THREE = {1, 2, 3};

    /** A leader of term 2 over [1, 1] whose no-op (index 3) is committed with follower 2. */
    private static Node leader(long[] voters) {
        Node leader = Node.create(config(1, voters), vote(1), 1, 1);
        leader.electSelf();
        leader.flushAll();
        leader.engine.receive(ack(2, 1, 2, 3));
        assertThat(leader.engine.commitIndex()).isEqualTo(3);
        leader.drain();
        return leader;
    }

    private static List<AppendConfig> configsAppended(List<EngineTestSupport.Event> events) {
        return events.stream().filter(e -> e instanceof AppendConfig).map(e -> (AppendConfig) e).toList();
    }

    @Test
    void f49_addingAVoterGoesThroughAJointConfigurationThenTheNewOne() {
        Node leader = leader(THREE);
        assertThat(leader.engine.changeMembership(new long[] {1, 2, 3, 4}, new long[0])).isTrue();
        List<EngineTestSupport.Event> events = leader.drain();
        ClusterConfig joint = configsAppended(events).get(0).config();
        assertThat(joint.isJoint()).isTrue();
        assertThat(joint.voters()).containsExactly(1, 2, 3, 4);
        assertThat(joint.outgoing()).containsExactly(1, 2, 3);
        assertThat(events).anyMatch(e -> e instanceof EngineTestSupport.Send s
                && s.message() instanceof AppendEntriesRequest r && r.to() == 4);
        assertThat(leader.engine.changeMembership(new long[] {1, 2, 3, 4, 5}, new long[0]))
                .as("one change at a time").isFalse();

        leader.flushAll();
        leader.engine.receive(ack(2, 1, 2, 4));
        // {1,2} is a majority of the old voters but not of the new four: not committed yet.
        assertThat(leader.engine.commitIndex()).isEqualTo(3);
        leader.engine.receive(ack(4, 1, 2, 4));
        assertThat(leader.engine.commitIndex()).isEqualTo(4);
        ClusterConfig fin = configsAppended(leader.drain()).get(0).config();
        assertThat(fin.isJoint()).isFalse();
        assertThat(fin.voters()).containsExactly(1, 2, 3, 4);
        assertThat(leader.engine.membershipChangePending()).isTrue();

        leader.flushAll();
        leader.engine.receive(ack(2, 1, 2, 5));
        leader.engine.receive(ack(4, 1, 2, 5));
        assertThat(leader.engine.commitIndex()).isEqualTo(5);
        assertThat(leader.engine.membershipChangePending()).isFalse();
        assertThat(leader.engine.clusterConfig()).isEqualTo(ClusterConfig.of(new long[] {1, 2, 3, 4}, new long[0]));
    }

    @Test
    void f49_aLeaderRemovedFromTheVotersStepsDownOnceTheNewConfigurationCommitsAndNeverCampaigns() {
        Node leader = leader(THREE);
        assertThat(leader.engine.changeMembership(new long[] {2, 3}, new long[0])).isTrue();
        leader.flushAll();
        leader.engine.receive(ack(2, 1, 2, 4));
        leader.engine.receive(ack(3, 1, 2, 4)); // joint committed: both majorities hold 4
        assertThat(leader.engine.role()).isEqualTo(Role.LEADER);
        leader.flushAll();
        leader.engine.receive(ack(2, 1, 2, 5));
        leader.engine.receive(ack(3, 1, 2, 5)); // {2,3} commit the final configuration without the leader
        assertThat(leader.engine.commitIndex()).isEqualTo(5);
        assertThat(leader.engine.role()).isEqualTo(Role.FOLLOWER);
        leader.drain();
        leader.tick(100);
        assertThat(leader.out.drainSent()).noneMatch(m -> m instanceof VoteRequest);
    }

    @Test
    void aChangeWaitsForACommitInTheLeadersTerm() {
        Node leader = Node.create(config(1, THREE), vote(1), 1, 1);
        leader.electSelf();
        assertThat(leader.engine.changeMembership(new long[] {1, 2}, new long[0])).isFalse();
    }

    @Test
    void learnersReceiveTheLogButNeitherCountNorVote() {
        Node leader = leader(THREE);
        assertThat(leader.engine.changeMembership(THREE, new long[] {4})).isTrue();
        ClusterConfig withLearner = configsAppended(leader.drain()).get(0).config();
        assertThat(withLearner.isJoint()).as("learners alone need no joint phase").isFalse();
        assertThat(withLearner.learners()).containsExactly(4);
        leader.flushAll();
        leader.engine.receive(ack(4, 1, 2, 4)); // the learner's ack is not a quorum with the leader
        assertThat(leader.engine.commitIndex()).isEqualTo(3);
        leader.engine.receive(ack(2, 1, 2, 4));
        assertThat(leader.engine.commitIndex()).isEqualTo(4);

        Node learner = Node.create(config(4, THREE), vote(2, 1), 1, 1);
        learner.engine.receive(new AppendEntriesRequest(1, 4, 2, new LogId(1, 2), configEntry(3, 2, withLearner), 2));
        assertThat(learner.engine.clusterConfig()).isEqualTo(withLearner);
        learner.drain();
        learner.tick(100);
        assertThat(learner.out.drainSent()).noneMatch(m -> m instanceof VoteRequest);
    }

    @Test
    void aConfigurationInTheLogIsInForceAtOnceAndTruncatingItRevertsIt() {
        ClusterConfig five = ClusterConfig.joint(ClusterConfig.of(THREE, new long[0]), new long[] {1, 2, 3, 4, 5},
                new long[0]);
        Node follower = Node.create(config(2, THREE), vote(2, 1), 1, 1);
        follower.engine.receive(new AppendEntriesRequest(1, 2, 2, new LogId(1, 2), configEntry(3, 2, five), 2));
        assertThat(follower.engine.clusterConfig()).isEqualTo(five);
        // A new leader of term 3 replaces index 3: the joint configuration goes with it.
        follower.engine.receive(new AppendEntriesRequest(3, 2, 3, new LogId(1, 2),
                EngineTestSupport.entries(3, 3), 2));
        assertThat(follower.engine.clusterConfig()).isEqualTo(ClusterConfig.of(THREE, new long[0]));
    }

    @Test
    void f53_aRemovedNodeCannotDisruptTheCluster() {
        Node member = Node.create(config(2, new long[] {1, 2, 3}, true, true), vote(2, 1), 1, 1);
        member.engine.receive(new AppendEntriesRequest(1, 2, 2, new LogId(1, 2),
                configEntry(3, 2, ClusterConfig.of(new long[] {1, 2}, new long[0])), 2));
        member.drain();
        // While the member hears its leader (check-quorum's lease) it ignores removed node 3's campaign,
        // pre-vote or not (without the lease, node 3's log, which stopped at its removal, fails pre-vote).
        member.engine.receive(new VoteRequest(3, 2, 3, new LogId(2, 2), true));
        member.engine.receive(new VoteRequest(3, 2, 9, new LogId(9, 9), false));
        assertThat(member.engine.term()).as("node 3 cannot raise the term of a node that hears its leader")
                .isEqualTo(2);
        assertThat(member.out.drainSent()).isEmpty();
    }

    @Test
    void configurationsSurviveEncoding() {
        ClusterConfig joint = ClusterConfig.joint(ClusterConfig.of(THREE, new long[] {7}), new long[] {2, 3, 4},
                new long[] {7, 8});
        assertThat(ClusterConfig.decode(joint.encode())).isEqualTo(joint);
        assertThat(joint.isMember(1)).isTrue();
        assertThat(joint.isVoter(8)).isFalse();
    }

    private static LogEntries configEntry(long index, long term, ClusterConfig config) {
        return HeapLogEntries.builder(index).add(term, EntryKind.CONFIG, config.encode()).build();
    }

    /**
     * Simulator seed 5236: a voter whose log still holds an older configuration must vote for a
     * candidate of a newer one (here node 4, not in {1, 2, 3}); dropping such requests left a cluster
     * mid-change with no electable majority.
     */
    @Test
    void aVoterOfAnOlderConfigurationVotesForACandidateOfANewerOne() {
        Node follower = Node.create(config(2, THREE), vote(1), 1, 1);
        follower.engine.receive(new VoteRequest(4, 2, 1, new LogId(1, 5), true, false));
        follower.engine.receive(new VoteRequest(4, 2, 2, new LogId(1, 5), false, false));
        follower.flushAll(); // a grant goes out once the vote is durable
        assertThat(follower.drain()).anyMatch(e -> e instanceof EngineTestSupport.Send send
                && send.message() instanceof io.ringraft.message.VoteResponse response
                && response.preVote() && response.granted())
                .anyMatch(e -> e instanceof EngineTestSupport.Send send
                && send.message() instanceof io.ringraft.message.VoteResponse response
                && !response.preVote() && response.granted() && response.term() == 2);
        assertThat(follower.engine.droppedMessages()).isZero();
    }
}
