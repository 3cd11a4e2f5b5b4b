package io.ringraft.net.netty.internal.channel;

import io.netty.bootstrap.Bootstrap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The outgoing connections of one transport, one per peer address: every group and node sending to
 * an address shares its connection. Entries are created on first use and live while some node of
 * some group is mapped to their address (an idle connection costs a socket and no CPU): when the
 * address maps change, connections to addresses no map mentions any more are closed and forgotten,
 * so neither sockets nor state accumulate as peers move or leave. Thread-safe.
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
        } else if (!context.addressBook.contains(address)) {
            // raced with a change of the address maps (looked up before, created after the prune)
            forget(address, connection);
            return null;
        }
        return connection;
    }

    /**
     * Node {@code nodeId} completed a handshake on a connection it opened to this process (event loop):
     * every existing connection to an address of that node that is down tries again now instead of
     * waiting out its backoff (creates none).
     */
    void peerReachable(long nodeId) {
        for (PeerAddress address : context.addressBook.addressesOf(nodeId)) {
            PeerConnection connection = connections.get(address);
            if (connection != null) {
                connection.peerReachable();
            }
        }
    }

    /**
     * Connects now to every address of another node that has no connection yet (idle ones only: a
     * connection up, connecting or waiting out its backoff is left alone), so that the first message a
     * node sends there finds the connection up instead of being refused while it opens, and so that
     * a restarted process tells its peers at once that it is back (they dial back on its handshake).
     */
    void probeAll(long selfNodeId) {
        for (PeerAddress address : context.addressBook.addressesExcept(selfNodeId)) {
            PeerConnection connection = get(address);
            if (connection != null) {
                connection.probe();
            }
        }
    }

    /** Closes and forgets the connections to addresses that no address map mentions any more. */
    void retainMapped() {
        connections.forEach((address, connection) -> {
            if (!context.addressBook.contains(address)) {
                forget(address, connection);
            }
        });
    }

    private void forget(PeerAddress address, PeerConnection connection) {
        connections.remove(address, connection);
        connection.close();
    }

    void close() {
        closed = true;
        connections.values().forEach(PeerConnection::close);
    }
}
