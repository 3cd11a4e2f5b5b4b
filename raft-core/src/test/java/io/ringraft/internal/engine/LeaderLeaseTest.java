package io.ringraft.internal.engine;

import static io.ringraft.internal.engine.EngineTestSupport.ack;
import static io.ringraft.internal.engine.EngineTestSupport.vote;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.internal.engine.EngineTestSupport.Node;
import io.ringraft.internal.engine.EngineTestSupport.ReadReady;
import io.ringraft.message.LeadershipProbe;
import io.ringraft.message.LeadershipProbeAck;
import io.ringraft.message.RaftMessage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Leader leases: reads without a quorum round while a confirmed round's lease runs. */
class LeaderLeaseTest {

    private static final long[] THREE = {1, 2, 3};
    /** Election timeout 10 ticks, heartbeat 5, check-quorum on, lease 8 ticks. */
    private static final EngineConfig LEASED = new EngineConfig(1, THREE, 10, 5, false, true, 64, 256, 64, 8);

    /** A committed leader of term 2 whose lease round 1 (sent at tick 0) a quorum confirmed. */
    private static Node leasedLeader() {
        Node leader = Node.create(LEASED, vote(1), 1, 1);
        leader.electSelf();
        leader.flushAll();
        leader.engine.receive(ack(2, 1, 2, 3));
        leader.engine.readIndex(1); // round 1 at tick 0
        leader.engine.receive(new LeadershipProbeAck(2, 1, 2, 1));
        assertThat(leader.drain()).contains(new ReadReady(1, 3));
        return leader;
    }

    @Test
    void whileTheLeaseRunsReadsAreReadyWithoutARound() {
        Node leader = leasedLeader();
        leader.engine.readIndex(2);
        assertThat(leader.drain()).containsExactly(new ReadReady(2, 3));
    }

    @Test
    void theLeaseEndsLeaseTicksAfterTheConfirmedRoundWasSent() {
        Node leader = leasedLeader();
        leader.tick(4); // no heartbeat yet (interval 5): no renewal
        leader.engine.receive(ack(2, 1, 2, 3)); // keep check-quorum satisfied
        leader.tick(3);
        leader.drain();
        leader.engine.readIndex(3); // tick 7 < 0 + 8: still leased
        assertThat(leader.drain()).contains(new ReadReady(3, 3));
        Node expired = leasedLeader();
        expired.tick(4);
        expired.engine.receive(ack(2, 1, 2, 3));
        expired.drain();
        // tick 5: a heartbeat renews with round 2 (not yet confirmed); ticks 6..8 pass
        expired.tick(4);
        expired.drain();
        expired.engine.readIndex(4); // tick 8 >= 8: the old lease is over, round 2 is not confirmed
        List<EngineTestSupport.Event> events = expired.drain();
        assertThat(events).noneMatch(e -> e instanceof ReadReady);
        // Round 2 was sent before the read arrived, so the read waits for round 3.
        expired.engine.receive(new LeadershipProbeAck(3, 1, 2, 2));
        events = expired.drain();
        assertThat(events).noneMatch(e -> e instanceof ReadReady);
        assertThat(events).contains(EngineTestSupport.send(new LeadershipProbe(1, 3, 2, 3)));
        expired.engine.receive(new LeadershipProbeAck(3, 1, 2, 3));
        assertThat(expired.drain()).contains(new ReadReady(4, 3));
    }

    @Test
    void aHeartbeatRenewsTheLeaseWithARoundEvenWithoutReads() {
        Node leader = leasedLeader();
        leader.tick(5);
        List<RaftMessage> sent = leader.out.drainSent();
        assertThat(sent).contains(new LeadershipProbe(1, 2, 2, 2), new LeadershipProbe(1, 3, 2, 2));
    }

    @Test
    void handingLeadershipOverEndsTheLease() {
        Node leader = leasedLeader();
        leader.engine.receive(ack(2, 1, 2, 3));
        assertThat(leader.engine.transferLeadership(2)).isTrue();
        leader.drain();
        leader.engine.readIndex(5);
        assertThat(leader.drain()).noneMatch(e -> e instanceof ReadReady);
    }

    @Test
    void leasesNeedCheckQuorumAndMustBeShorterThanTheElectionTimeout() {
        assertThatThrownBy(() -> new EngineConfig(1, THREE, 10, 5, false, false, 64, 256, 64, 8))
                .hasMessageContaining("check-quorum");
        assertThatThrownBy(() -> new EngineConfig(1, THREE, 10, 5, false, true, 64, 256, 64, 10))
                .hasMessageContaining("leaseTicks");
    }
}
