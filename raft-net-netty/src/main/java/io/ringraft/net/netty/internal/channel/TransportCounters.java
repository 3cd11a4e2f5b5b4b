package io.ringraft.net.netty.internal.channel;

import io.ringraft.net.netty.TransportStats;
import java.util.concurrent.atomic.LongAdder;

/** The live counters of one transport; {@link #snapshot()} copies them into a {@link TransportStats}. */
final class TransportCounters {
    final LongAdder connectAttempts = new LongAdder();
    final LongAdder connectFailures = new LongAdder();
    final LongAdder connectionsEstablished = new LongAdder();
    final LongAdder connectionsAccepted = new LongAdder();
    final LongAdder handshakesRefused = new LongAdder();
    final LongAdder handshakesRejectedByPeer = new LongAdder();
    final LongAdder tlsFailures = new LongAdder();
    final LongAdder protocolErrors = new LongAdder();
    final LongAdder framesSent = new LongAdder();
    final LongAdder framesReceived = new LongAdder();
    final LongAdder sendsRefusedUnknownPeer = new LongAdder();
    final LongAdder sendsRefusedNotConnected = new LongAdder();
    final LongAdder sendsRefusedUnwritable = new LongAdder();
    final LongAdder sendsRefusedTooLarge = new LongAdder();
    final LongAdder appendsTruncated = new LongAdder();
    final LongAdder inboundPauses = new LongAdder();
    final LongAdder inboundDroppedNoNode = new LongAdder();
    final LongAdder inboundDroppedFull = new LongAdder();
    final LongAdder stalledConnectionsClosed = new LongAdder();
    final LongAdder bytesSent = new LongAdder();
    final LongAdder bytesReceived = new LongAdder();
    final LongAdder flushes = new LongAdder();

    TransportStats snapshot() {
        return new TransportStats(connectAttempts.sum(), connectFailures.sum(), connectionsEstablished.sum(),
                connectionsAccepted.sum(), handshakesRefused.sum(), handshakesRejectedByPeer.sum(),
                tlsFailures.sum(), protocolErrors.sum(), framesSent.sum(), framesReceived.sum(),
                sendsRefusedUnknownPeer.sum(), sendsRefusedNotConnected.sum(), sendsRefusedUnwritable.sum(),
                sendsRefusedTooLarge.sum(), appendsTruncated.sum(), inboundPauses.sum(),
                inboundDroppedNoNode.sum(), inboundDroppedFull.sum(), stalledConnectionsClosed.sum(), bytesSent.sum(),
                bytesReceived.sum(), flushes.sum());
    }
}
