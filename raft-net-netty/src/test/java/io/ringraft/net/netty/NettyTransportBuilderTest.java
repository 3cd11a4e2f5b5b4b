package io.ringraft.net.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftNode;
import io.ringraft.local.InMemoryLogStorage;
import java.io.UncheckedIOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The builder validates before it binds anything, and a port in use is reported, not swallowed. */
class NettyTransportBuilderTest {

    private static NettyTransport.Builder valid() {
        return NettyTransport.builder().clusterId("c").nodeId(1).bind("127.0.0.1", 0);
    }

    @Test
    void missingOrInvalidSettingsAreRejected() {
        assertInvalid(NettyTransport.builder().nodeId(1).bind("127.0.0.1", 0), "clusterId");
        assertInvalid(valid().clusterId(""), "cluster id");
        assertInvalid(valid().clusterId("x".repeat(256)), "cluster id");
        assertInvalid(valid().nodeId(0), "nodeId");
        assertInvalid(NettyTransport.builder().clusterId("c").nodeId(1), "bind");
        assertInvalid(valid().maxFrameBytes(100), "maxFrameBytes");
        assertInvalid(valid().eventLoopThreads(0), "eventLoopThreads");
        assertInvalid(valid().writeBufferWaterMarks(10, 5), "water mark");
        assertInvalid(valid().reconnectBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)), "backoff");
        assertInvalid(valid().stallTimeout(Duration.ZERO), "stall");
        assertThatThrownBy(() -> valid().peer(2, "no-port")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> valid().peer(2, "host:99999")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TlsOptions.builder().build()).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aPortInUseIsReported() {
        try (NettyTransport first = valid().build()) {
            int port = first.localAddress().getPort();
            assertThatThrownBy(() -> valid().bind("127.0.0.1", port).build())
                    .isInstanceOf(UncheckedIOException.class).hasMessageContaining(String.valueOf(port));
            assertThat(first.toString()).contains("cluster=c", "node=1");
        }
    }

    @Test
    void aClosedTransportRefusesNewNodes() {
        NettyTransport transport = valid().build();
        transport.close();
        transport.close(); // idempotent
        assertThatThrownBy(() -> transport.connect(1, 1, m -> true)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aNodeWhoseLargestEntryExceedsTheFrameIsRefusedAtBuild() {
        // The trap: maxEntryBytes 6 MiB on the default 4 MiB frame; a 5 MiB proposal used to depose the leader.
        RaftConfig sixMiB = RaftConfig.builder().maxEntryBytes(6 << 20).maxBytesPerAppend(8 << 20)
                .proposalQueueBytes(64 << 20).build();
        try (NettyTransport transport = valid().build()) {
            assertThat(transport.maxEntryBytes()).isEqualTo((4 << 20) - 75);
            assertThat(transport.toString()).contains("maxFrameBytes=" + (4 << 20));
            assertThatThrownBy(() -> node(sixMiB, transport)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("maxEntryBytes (" + (6 << 20) + ")")
                    .hasMessageContaining(String.valueOf((4 << 20) - 75)).hasMessageContaining("maxFrameBytes");
        }
        try (NettyTransport small = valid().maxFrameBytes(64 << 10).build()) {
            RaftConfig atTheLimit = RaftConfig.builder().maxEntryBytes(small.maxEntryBytes()).ringCapacityBytes(1 << 20)
                    .proposalQueueBytes(1 << 20).build();
            node(atTheLimit, small).close();
            RaftConfig oneMore = RaftConfig.builder().maxEntryBytes(small.maxEntryBytes() + 1)
                    .ringCapacityBytes(1 << 20).proposalQueueBytes(1 << 20).build();
            assertThatThrownBy(() -> node(oneMore, small)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    private static RaftNode node(RaftConfig config, NettyTransport transport) {
        return RaftNode.builder().nodeId(1).voters(1).config(config).stateMachine((entries, results) -> { })
                .logStorage(new InMemoryLogStorage()).transport(transport).build();
    }

    private static void assertInvalid(NettyTransport.Builder builder, String text) {
        assertThatThrownBy(builder::build).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(text);
    }
}
