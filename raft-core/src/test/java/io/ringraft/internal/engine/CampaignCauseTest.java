package io.ringraft.internal.engine;

import static io.ringraft.internal.engine.EngineTestSupport.append;
import static io.ringraft.internal.engine.EngineTestSupport.config;
import static io.ringraft.internal.engine.EngineTestSupport.id;
import static io.ringraft.internal.engine.EngineTestSupport.vote;
import static io.ringraft.internal.engine.EngineTestSupport.voters;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.Role;
import io.ringraft.internal.engine.EngineTestSupport.Node;
import io.ringraft.message.TimeoutNow;
import org.junit.jupiter.api.Test;

/** The engine records why each election round started, for the runtime's log line. */
class CampaignCauseTest {

    private static final long[] THREE = voters(1, 2, 3);

    @Test
    void anElectionTimeoutNamesTheLeaderLastHeardAndTheTicksSince() {
        Node n = Node.create(config(1, THREE, true, false), vote(2), 1, 1, 2);
        n.engine.receive(append(3, 1, 2, id(2, 3), 0));
        n.tick(4);
        n.engine.receive(append(3, 1, 2, id(2, 3), 0)); // heard again: the timer restarts
        n.tick(10); // timeout 10 ticks (the fixed random draws the base)

        assertThat(n.engine.role()).isEqualTo(Role.PRE_CANDIDATE);
        CampaignCause cause = n.engine.lastCampaign();
        assertThat(cause.reason()).isEqualTo(CampaignCause.Reason.ELECTION_TIMEOUT);
        assertThat(cause.formerLeader()).isEqualTo(3);
        assertThat(cause.elapsedTicks()).isEqualTo(10);
        assertThat(cause.timeoutTicks()).isEqualTo(10);
    }

    @Test
    void aNodeThatNeverHeardALeaderSaysSo() {
        Node n = Node.create(config(1, THREE, true, false), vote(2), 1, 1, 2);
        n.tick(10);
        assertThat(n.engine.lastCampaign()).isEqualTo(new CampaignCause(CampaignCause.Reason.ELECTION_TIMEOUT, 0, 10, 10));
    }

    @Test
    void aLeaderReportedLostAndATransferAreTheirOwnReasons() {
        Node n = Node.create(config(1, THREE, true, false), vote(2), 1, 1, 2);
        n.engine.receive(append(3, 1, 2, id(2, 3), 0));
        n.engine.activeFollowerLostLeader();
        for (int i = 0; i < 20 && n.engine.role() == Role.FOLLOWER; i++) {
            n.tick(1);
        }
        assertThat(n.engine.lastCampaign().reason()).isEqualTo(CampaignCause.Reason.LEADER_REPORTED_LOST);
        assertThat(n.engine.lastCampaign().formerLeader()).isEqualTo(3);

        Node m = Node.create(config(1, THREE, true, false), vote(2), 1, 1, 2);
        m.engine.receive(append(3, 1, 2, id(2, 3), 0));
        m.engine.receive(new TimeoutNow(3, 1, 2));
        assertThat(m.engine.role()).isEqualTo(Role.CANDIDATE);
        assertThat(m.engine.lastCampaign().reason()).isEqualTo(CampaignCause.Reason.TRANSFER);
        assertThat(m.engine.lastCampaign().formerLeader()).isEqualTo(3);
    }
}
