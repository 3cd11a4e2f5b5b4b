package io.ringraft.net.netty.internal.channel;

import io.netty.bootstrap.Bootstrap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The outgoing connections of one transport, one per peer address: every group and node sending to
 * an address shares its connection. Entries are created on first use and live until the transport
 * closes (an idle connection costs a socket and no CPU). Thread-safe.
 */
final class ConnectionRegistry {

    private final TransportContext context;
    private final Bootstrap template;
    private final ReconnectBackoff backoff;
    private final Map<PeerAddress, PeerConnection> connections = new ConcurrentHashMap<>();
    private volatile boolean closed;

    ConnectionRegistry(TransportContext context, Bootstrap template, ReconnectBackoff backoff) {
        this.context = context;
        this.template = template;
        this.backoff = backoff;
    }

    /** The connection to {@code address}, created if needed; null once the registry is closed. */
    PeerConnection get(PeerAddress address) {
        PeerConnection connection = connections.get(address);
        if (connection != null) {
            return connection;
        }
        if (closed) {
            return null;
        }
        connection = connections.computeIfAbsent(address, a -> new PeerConnection(a, context, template, backoff));
        if (closed) {
            connection.close(); // raced with close(): make sure it never connects
        }
        return connection;
    }

    void close() {
        closed = true;
        connections.values().forEach(PeerConnection::close);
    }
}
