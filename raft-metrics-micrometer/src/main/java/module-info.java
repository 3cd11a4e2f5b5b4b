/**
 * Micrometer meters for RingRaft: {@link io.ringraft.metrics.micrometer.MicrometerRaftMetrics}, a
 * {@code io.ringraft.spi.RaftMetrics} that records one node's measurements, and
 * {@link io.ringraft.metrics.micrometer.NettyTransportMetrics}, the Netty transport's counters (only with
 * {@code raft-net-netty}, an optional dependency).
 */
module io.ringraft.metrics.micrometer {
    requires transitive io.ringraft.core;
    requires transitive micrometer.core;
    requires static transitive io.ringraft.net.netty;

    exports io.ringraft.metrics.micrometer;
}
