package io.ringraft.internal.engine;

import static io.ringraft.internal.engine.EngineTestSupport.append;
import static io.ringraft.internal.engine.EngineTestSupport.id;
import static io.ringraft.internal.engine.EngineTestSupport.vote;
import static io.ringraft.internal.engine.EngineTestSupport.voteRequest;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.LogId;
import io.ringraft.api.Role;
import io.ringraft.internal.engine.EngineTestSupport.Node;
import io.ringraft.message.Quiesce;
import io.ringraft.message.RaftMessage;
import io.ringraft.message.VoteRequest;
import io.ringraft.message.VoteResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The dormant start ({@link Quiescence}, "Dormant start"; {@link RaftEngine#startDormant()}): a node started
 * dormant runs no election timer until a peer's message, a local demand or a wake; demand makes it campaign
 * within half an election timeout; a peer's message wakes it with an ordinary timer; a lost-peer report
 * does not wake it.
 */
class DormantStartTest {

    private static final long[] THREE = {1, 2, 3};
    /** Election 10 ticks, heartbeat 2, pre-vote, check-quorum, quiesce after 10 idle ticks. */
    private static final EngineConfig QUIET = new EngineConfig(1, THREE, 10, 2, true, true, 64, 256, 64, 0, 10);

    private static Node dormant() {
        Node node = Node.create(QUIET, vote(0));
        assertThat(node.engine.startDormant()).isTrue();
        return node;
    }

    private static boolean campaigned(List<RaftMessage> sent) {
        return sent.stream().anyMatch(m -> m instanceof VoteRequest);
    }

    @Test
    void aDormantNodeRunsNoElectionTimer() {
        Node node = dormant();
        assertThat(node.engine.quiesced()).isTrue();
        assertThat(node.engine.dormant()).isTrue();
        assertThat(node.engine.idleTicks()).isEqualTo(Integer.MAX_VALUE);
        node.tick(1_000); // a hundred election timeouts
        assertThat(node.out.drainSent()).isEmpty();
        assertThat(node.engine.role()).isEqualTo(Role.FOLLOWER);
        assertThat(node.engine.term()).isZero();
    }

    @Test
    void aLostPeerReportDoesNotWakeIt() {
        Node node = dormant();
        node.engine.peerUnreachable(2);
        node.tick(1_000);
        assertThat(node.out.drainSent()).isEmpty();
        assertThat(node.engine.dormant()).isTrue();
    }

    @Test
    void demandMakesItCampaignWithinHalfAnElectionTimeout() {
        Node node = dormant();
        node.engine.demand();
        assertThat(node.engine.quiesced()).isFalse();
        assertThat(node.engine.dormant()).isFalse();
        boolean campaigned = false;
        for (int tick = 1; tick <= 10 / 2 && !campaigned; tick++) {
            node.engine.tick();
            campaigned = campaigned(node.out.drainSent());
        }
        assertThat(campaigned).as("campaigned within half an election timeout of ticks").isTrue();
    }

    @Test
    void aLocalReadIsDemandToo() {
        Node node = dormant();
        node.engine.readIndex(7);
        assertThat(node.engine.dormant()).isFalse();
        node.tick(10 / 2);
        assertThat(campaigned(node.out.drainSent())).isTrue();
    }

    @Test
    void demandOnAnAwakeNodeChangesNothing() {
        Node node = Node.create(QUIET, vote(0));
        node.tick(5);
        node.engine.demand(); // not dormant: its own timer decides
        node.tick(4);
        assertThat(campaigned(node.out.drainSent())).as("no campaign before its timeout (10 ticks at least)").isFalse();
    }

    @Test
    void aPeersVoteRequestWakesItToAnswerWithAnOrdinaryTimer() {
        Node node = dormant();
        node.engine.receive(voteRequest(2, 1, 1, LogId.ZERO, true));
        assertThat(node.engine.dormant()).isFalse();
        List<RaftMessage> sent = node.out.drainSent();
        assertThat(sent).anyMatch(m -> m instanceof VoteResponse r && r.granted() && r.to() == 2);
        // woken by a candidate: it does not campaign before an ordinary election timeout
        node.tick(9);
        assertThat(campaigned(node.out.drainSent())).isFalse();
        node.tick(20); // nobody won: after its own timeout (10..19 ticks) it campaigns as any follower
        assertThat(campaigned(node.out.drainSent())).isTrue();
    }

    @Test
    void aLeadersAppendMakesItAnOrdinaryFollower() {
        Node node = dormant();
        node.engine.receive(append(2, 1, 1, LogId.ZERO, 0, 1));
        assertThat(node.engine.dormant()).isFalse();
        assertThat(node.engine.leaderId()).isEqualTo(2);
        node.engine.demand(); // it follows a leader: demand does not make it campaign
        node.tick(9);
        assertThat(campaigned(node.out.drainSent())).isFalse();
    }

    @Test
    void aQuiesceFromALeaderEndsTheDormancyButKeepsItQuiet() {
        Node node = dormant();
        node.engine.receive(append(2, 1, 1, LogId.ZERO, 0, 1));
        node.flushAll();
        node.out.drainSent();
        node.engine.receive(new Quiesce(2, 1, 1, id(1, 1)));
        assertThat(node.engine.quiesced()).isTrue();
        assertThat(node.engine.dormant()).isFalse();
        assertThat(node.engine.leaderId()).isEqualTo(2);
        node.engine.peerUnreachable(2); // now its leader's loss wakes it, as any quiet follower
        assertThat(node.engine.quiesced()).isFalse();
    }

    @Test
    void onlyWithQuiescenceOnAndOnlyAFollowerWithoutALeader() {
        Node off = Node.create(QUIET.withQuiesceAfterTicks(0), vote(0));
        assertThat(off.engine.startDormant()).isFalse();
        assertThat(off.engine.quiesced()).isFalse();
        Node following = Node.create(QUIET, vote(0));
        following.engine.receive(append(2, 1, 1, LogId.ZERO, 0, 1));
        assertThat(following.engine.startDormant()).isFalse();
    }
}
