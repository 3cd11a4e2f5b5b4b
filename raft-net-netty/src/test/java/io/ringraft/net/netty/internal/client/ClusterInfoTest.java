package io.ringraft.net.netty.internal.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.api.client.GroupBalancing;
import io.ringraft.net.netty.internal.codec.MalformedFrameException;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The INFO payload carries the group's advertised balancing, and refuses a malformed one. */
class ClusterInfoTest {

    @Test
    void balancingRoundTripsAndItsAbsenceToo() {
        GroupBalancing balancing = GroupBalancing.of(GroupBalancing.Strategy.POWER_OF_TWO_CHOICES).withWeight(2, 0)
                .withWeight(3, 7);
        ClusterInfo info = new ClusterInfo(Set.of(1L, 2L, 3L), Set.of(4L), Map.of(1L, "h:1"), balancing);
        assertThat(ClusterInfo.decode(info.encode())).isEqualTo(info);
        ClusterInfo none = new ClusterInfo(Set.of(1L), Set.of(), Map.of());
        assertThat(ClusterInfo.decode(none.encode()).balancing()).isNull();
        // a node that stops after the addresses (advertises nothing) is read as advertising none
        byte[] bytes = none.encode();
        assertThat(ClusterInfo.decode(Arrays.copyOf(bytes, bytes.length - 1)).balancing()).isNull();
    }

    @Test
    void anUnknownStrategyOrABadWeightIsMalformed() {
        byte[] bytes = new ClusterInfo(Set.of(1L), Set.of(), Map.of(),
                GroupBalancing.of(GroupBalancing.Strategy.RANDOM).withWeight(1, 5)).encode();
        byte[] unknown = bytes.clone();
        unknown[unknown.length - 15] = 99; // the strategy byte: before count:u16 id:i64 weight:i32
        assertThatThrownBy(() -> ClusterInfo.decode(unknown)).isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("strategy 99");
        byte[] negative = bytes.clone();
        negative[negative.length - 4] = (byte) 0xff; // weight -...
        assertThatThrownBy(() -> ClusterInfo.decode(negative)).isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("weight");
        assertThatThrownBy(() -> ClusterInfo.decode(Arrays.copyOf(bytes, bytes.length - 2)))
                .isInstanceOf(MalformedFrameException.class);
    }
}
