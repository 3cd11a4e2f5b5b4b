package io.ringraft.net.netty.internal.channel;

/**
 * The validated, immutable settings of one transport (built by {@code NettyTransport.Builder}).
 *
 * @param clusterId              sent and checked in the handshake
 * @param nodeId                 this process's id in the handshake
 * @param maxFrameBytes          largest frame, without its 4-byte length prefix, either way
 * @param connectTimeoutMillis   TCP connect timeout
 * @param handshakeTimeoutMillis time a new connection gets to complete TLS and the handshake
 * @param lowWaterMark           outbound bytes below which a connection becomes writable again
 * @param highWaterMark          outbound bytes above which a connection stops taking messages
 * @param controlReserveBytes    extra outbound bytes that votes, responses and heartbeats may use
 *                               above the high water mark
 * @param maxInboundPauseNanos   longest a connection stops reading for a node whose inbound queue
 *                               is full; then the held messages the node still refuses are dropped
 * @param stallTimeoutNanos      a connection that stays unwritable this long is closed
 * @param backoffInitialNanos    first reconnect delay (before jitter)
 * @param backoffMaxNanos        largest reconnect delay (before jitter)
 * @param maxHeldInboundFrames   hard cap on decoded messages a paused connection holds
 */
public record TransportSettings(String clusterId, long nodeId, int maxFrameBytes, int connectTimeoutMillis,
                                long handshakeTimeoutMillis, int lowWaterMark, int highWaterMark,
                                int controlReserveBytes, long maxInboundPauseNanos, long stallTimeoutNanos,
                                long backoffInitialNanos, long backoffMaxNanos, int maxHeldInboundFrames) {
}
