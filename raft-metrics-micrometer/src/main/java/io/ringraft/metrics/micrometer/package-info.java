/**
 * Micrometer meters for RingRaft nodes ({@link io.ringraft.metrics.micrometer.MicrometerRaftMetrics}) and
 * for the Netty transport ({@link io.ringraft.metrics.micrometer.NettyTransportMetrics}). The meters, their
 * units and tags are listed in {@code docs/operations.md}, "Metrics".
 */
package io.ringraft.metrics.micrometer;
