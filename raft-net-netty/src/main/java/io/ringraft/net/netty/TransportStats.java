package io.ringraft.net.netty;

/**
 * Counters of one {@link NettyTransport} since it was built, from {@link NettyTransport#stats()}.
 * Each field is read atomically, the record as a whole is not a consistent snapshot.
 *
 * @param connectAttempts          outgoing connection attempts started (lazily, on a send, after backoff)
 * @param connectFailures          attempts whose TCP connect failed
 * @param connectionsEstablished   outgoing connections that completed the handshake
 * @param connectionsAccepted      incoming connections that completed the handshake
 * @param handshakesRefused        handshakes this transport refused (wrong cluster, unknown node id,
 *                                 incompatible version; either side)
 * @param handshakesRejectedByPeer handshakes a peer refused with a reason (logged)
 * @param tlsFailures              connections closed because their TLS handshake failed (for example
 *                                 an untrusted certificate)
 * @param protocolErrors           connections closed because of a malformed, truncated, oversized or
 *                                 unexpected frame
 * @param framesSent               Raft messages written
 * @param framesReceived           Raft messages decoded
 * @param sendsRefusedUnknownPeer  sends refused: no address for the receiver
 * @param sendsRefusedNotConnected sends refused: no established connection (one is started if due)
 * @param sendsRefusedUnwritable   sends refused: the connection's outbound buffer is above its high
 *                                 water mark
 * @param sendsRefusedTooLarge     AppendEntries refused because even its first entry exceeds the maximum
 *                                 frame, and InstallSnapshot chunks refused because chunk and membership
 *                                 exceed it (or the membership exceeds 64 KiB)
 * @param appendsTruncated         AppendEntries sent with only the prefix of entries that fits a frame
 * @param inboundPauses            times a connection stopped reading because a node's inbound queue was full
 * @param inboundDroppedNoNode     received messages for a node that is not connected to this transport
 * @param inboundDroppedFull       received messages dropped because their node stayed full past the
 *                                 maximum pause
 * @param stalledConnectionsClosed connections closed because they stayed unwritable past the stall timeout
 * @param bytesSent                bytes of the Raft messages written ({@code framesSent}: frames without
 *                                 their 4-byte length prefix, before TLS)
 * @param bytesReceived            bytes of the Raft messages decoded ({@code framesReceived}, counted the
 *                                 same way)
 * @param flushes                  flushes of Raft frames to connections: each writes every frame queued on
 *                                 its connection since the previous one, in one {@code write}/{@code writev}
 *                                 syscall unless the socket buffer is full ({@code framesSent / flushes}:
 *                                 frames per write)
 */
public record TransportStats(long connectAttempts, long connectFailures, long connectionsEstablished,
                             long connectionsAccepted, long handshakesRefused, long handshakesRejectedByPeer,
                             long tlsFailures, long protocolErrors, long framesSent, long framesReceived,
                             long sendsRefusedUnknownPeer, long sendsRefusedNotConnected,
                             long sendsRefusedUnwritable, long sendsRefusedTooLarge, long appendsTruncated,
                             long inboundPauses, long inboundDroppedNoNode, long inboundDroppedFull,
                             long stalledConnectionsClosed, long bytesSent, long bytesReceived, long flushes) {
}
