package io.ringraft.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.local.LocalNetwork;
import io.ringraft.internal.simdisk.SimDisk;
import io.ringraft.internal.simdisk.SimLogStorage;
import io.ringraft.spi.RaftTransport;
import io.ringraft.spi.RaftTransportFactory;
import org.junit.jupiter.api.Test;

/**
 * The configuration traps {@code RaftNode.Builder.build()} refuses: a node that is not a member of the
 * membership it starts with (unless it is joining), and entries larger than the transport carries.
 */
class BuildChecksTest {

    private static RaftNode.Builder node(long id, long... voters) {
        return RaftNode.builder().nodeId(id).voters(voters).stateMachine((entries, results) -> { })
                .transport(new LocalNetwork());
    }

    @Test
    void aNodeMissingFromItsVotersIsRefusedAndReleasesItsStorage() {
        SimDisk disk = new SimDisk();
        assertThatThrownBy(() -> node(4, 1, 2, 3).logStorage(new SimLogStorage(disk)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("node 4 is not a member of group 1")
                .hasMessageContaining("voters[1, 2, 3]")
                .hasMessageContaining("joining(true)");
        // The refused build closed what it opened: the same disk opens again (one storage at a time).
        try (RaftNode joiner = node(4, 1, 2, 3).joining(true).logStorage(new SimLogStorage(disk)).build()) {
            joiner.start();
            assertThat(joiner.isLeader()).isFalse();
            assertThat(joiner.status().membership().voters()).containsExactly(1L, 2L, 3L);
        }
    }

    @Test
    void theReservedHostGroupIdIsRefused() {
        assertThatThrownBy(() -> node(1, 1).groupId(io.ringraft.message.HeartbeatBatch.HOST_GROUP_ID)
                .logStorage(new InMemoryLogStorage()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("reserved for host-level messages");
        node(1, 1).groupId(Long.MIN_VALUE + 1).logStorage(new InMemoryLogStorage()).build().close();
    }

    @Test
    void aMemberMayBuildWithOrWithoutJoining() {
        node(2, 1, 2, 3).logStorage(new InMemoryLogStorage()).build().close();
        node(2, 1, 2, 3).joining(true).logStorage(new InMemoryLogStorage()).build().close();
    }

    @Test
    void entriesLargerThanTheTransportCarriesAreRefusedBeforeStorageOpens() {
        RaftTransportFactory small = new RaftTransportFactory() {
            @Override
            public RaftTransport connect(long groupId, long selfId, InboundHandler inbound) {
                throw new AssertionError("not started");
            }

            @Override
            public int maxEntryBytes() {
                return 1000;
            }

            @Override
            public String toString() {
                return "a 1000-byte transport";
            }
        };
        InMemoryLogStorage storage = new InMemoryLogStorage();
        RaftConfig tooLarge = RaftConfig.builder().maxEntryBytes(1001).build();
        assertThatThrownBy(() -> node(1, 1).config(tooLarge).logStorage(storage).transport(small).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxEntryBytes (1001)")
                .hasMessageContaining("(1000 bytes: a 1000-byte transport)");
        // Nothing was opened: the same storage still builds a node, at the transport's limit.
        node(1, 1).config(RaftConfig.builder().maxEntryBytes(1000).build()).logStorage(storage).transport(small)
                .build().close();
        assertThat(new LocalNetwork().maxEntryBytes()).as("in-process: no limit").isEqualTo(Integer.MAX_VALUE);
    }
}
