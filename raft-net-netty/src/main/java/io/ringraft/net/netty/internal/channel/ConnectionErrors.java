package io.ringraft.net.netty.internal.channel;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closing a connection because of bad input, counted once per connection and logged (rate-limited).
 * Used by every handler that detects a problem, so the accounting is the same everywhere.
 */
final class ConnectionErrors {

    /** Set once a connection's failure has been counted: later errors on it are only closed. */
    static final AttributeKey<Boolean> REPORTED = AttributeKey.valueOf("ringraft.errorReported");
    /** The node id the peer announced in the handshake. */
    static final AttributeKey<Long> PEER_NODE_ID = AttributeKey.valueOf("ringraft.peerNodeId");

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionErrors.class);
    private static final RateLimitedLog PROTOCOL_LOG = new RateLimitedLog(LOG, 1000);
    private static final RateLimitedLog TLS_LOG = new RateLimitedLog(LOG, 1000);

    private ConnectionErrors() {
    }

    /** A malformed, truncated, oversized or unexpected frame: count, log, close. */
    static void protocolError(Channel channel, TransportCounters counters, Throwable cause) {
        if (firstReport(channel)) {
            counters.protocolErrors.increment();
            PROTOCOL_LOG.warn("closing connection {}: protocol error: {}", describe(channel), message(cause));
        }
        channel.close();
    }

    /** A failed TLS handshake or a broken TLS record: count, log, close. */
    static void tlsFailure(Channel channel, TransportCounters counters, Throwable cause) {
        if (firstReport(channel)) {
            counters.tlsFailures.increment();
            TLS_LOG.warn("closing connection {}: TLS failure: {}", describe(channel), message(cause));
        }
        channel.close();
    }

    /** Marks the connection as reported; true the first time. */
    static boolean firstReport(Channel channel) {
        return channel.attr(REPORTED).setIfAbsent(Boolean.TRUE) == null;
    }

    /** The connection's addresses and, once known, the peer's node id, for log lines. */
    static String describe(Channel channel) {
        Long peer = channel.attr(PEER_NODE_ID).get();
        return channel.localAddress() + " <-> " + channel.remoteAddress() + (peer == null ? "" : " (node " + peer + ")");
    }

    private static String message(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = String.valueOf(cause.getMessage());
        return root == cause || message.contains(String.valueOf(root.getMessage())) ? message : message + " (" + root + ")";
    }
}
