package io.ringraft.metrics.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftNode;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.net.netty.NettyTransport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The transport's counters in Micrometer: a 3-node cluster over loopback TCP (ephemeral ports), one
 * {@link NettyTransport} per node; after proposals, frames and bytes sent and received and the connections
 * count up, and {@code close()} removes the counters.
 */
class NettyTransportMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<NettyTransport> transports = new ArrayList<>();
    private final List<RaftNode> nodes = new ArrayList<>();

    @AfterEach
    void closeAll() {
        nodes.forEach(RaftNode::close);
        transports.forEach(NettyTransport::close);
    }

    @Test
    void framesBytesAndConnectionsAreCounted() throws Exception {
        for (long id = 1; id <= 3; id++) {
            transports.add(NettyTransport.builder().clusterId("metrics").nodeId(id).bind("127.0.0.1", 0)
                    .eventLoopThreads(1).build());
        }
        for (NettyTransport transport : transports) {
            for (NettyTransport peer : transports) {
                transport.peer(peer.nodeId(), "127.0.0.1:" + peer.localAddress().getPort());
            }
        }
        NettyTransportMetrics metrics = new NettyTransportMetrics(transports.get(0));
        metrics.bindTo(registry);
        assertThatThrownBy(() -> metrics.bindTo(registry)).isInstanceOf(IllegalStateException.class);
        RaftConfig config = RaftConfig.builder().tickMillis(5).heartbeatIntervalMillis(20).electionTimeoutMillis(150)
                .ringCapacityEntries(1024).ringCapacityBytes(1 << 20).maxEntryBytes(4096).proposalQueueBytes(1 << 16)
                .build();
        for (NettyTransport transport : transports) {
            nodes.add(RaftNode.builder().nodeId(transport.nodeId()).voters(1, 2, 3).config(config)
                    .stateMachine((entries, results) -> { }).logStorage(new InMemoryLogStorage())
                    .transport(transport).build());
        }
        nodes.forEach(RaftNode::start);
        RaftNode[] leader = new RaftNode[1];
        await("a leader is elected", () -> (leader[0] = nodes.stream().filter(n -> n.status().isLeader())
                .findFirst().orElse(null)) != null);
        for (int i = 0; i < 20; i++) {
            leader[0].propose(new byte[100]).get(20, TimeUnit.SECONDS);
        }
        await("node 1 has sent and received frames", () -> counter("ringraft.transport.frames.sent") > 0
                && counter("ringraft.transport.frames.received") > 0);

        // Every frame left in some flush, and a flush writes at least one frame.
        assertThat(counter("ringraft.transport.flushes")).isPositive()
                .isLessThanOrEqualTo(counter("ringraft.transport.frames.sent"));
        // A frame is at least its 10-byte header.
        assertThat(counter("ringraft.transport.bytes.sent")).isGreaterThan(counter("ringraft.transport.frames.sent"));
        assertThat(counter("ringraft.transport.bytes.received"))
                .isGreaterThan(counter("ringraft.transport.frames.received"));
        assertThat(registry.get("ringraft.transport.connections").tags("direction", "outgoing").functionCounter().count())
                .isPositive();
        assertThat(registry.get("ringraft.transport.bytes.sent").functionCounter().getId().getBaseUnit())
                .isEqualTo("bytes");
        assertThat(registry.get("ringraft.transport.sends.refused").tags("reason", "too_large").functionCounter()
                .count()).isZero();
        assertThat(registry.get("ringraft.transport.frames.sent").functionCounter().getId().getTag("cluster.id"))
                .isEqualTo("metrics");

        metrics.close();
        assertThat(registry.getMeters()).isEmpty();
    }

    private double counter(String name) {
        FunctionCounter counter = registry.get(name).tags("transport.node.id", "1").functionCounter();
        return counter.count();
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }
}
