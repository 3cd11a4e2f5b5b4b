package io.ringraft.net.netty.internal.channel;

import io.ringraft.message.RaftMessage;
import io.ringraft.spi.RaftTransport;
import io.ringraft.spi.RaftTransportFactory.InboundHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's {@link RaftTransport}: looks up the receiver's address (group map first, then the
 * shared one) and sends over that address's shared connection. Closing unregisters the node from
 * inbound routing and leaves the connections to the other nodes of the process.
 */
final class NodeEndpoint implements RaftTransport {

    private static final Logger LOG = LoggerFactory.getLogger(NodeEndpoint.class);

    private final TransportContext context;
    private final ConnectionRegistry registry;
    private final long groupId;
    private final long selfId;
    private final InboundHandler inbound;
    private final RateLimitedLog unknownPeerLog = new RateLimitedLog(LOG, 5000);
    private volatile boolean closed;

    NodeEndpoint(TransportContext context, ConnectionRegistry registry, long groupId, long selfId,
                 InboundHandler inbound) {
        this.context = context;
        this.registry = registry;
        this.groupId = groupId;
        this.selfId = selfId;
        this.inbound = inbound;
    }

    @Override
    public boolean send(RaftMessage message) {
        if (closed) {
            return false;
        }
        PeerAddress address = context.addressBook.lookup(groupId, message.to());
        if (address == null) {
            context.counters.sendsRefusedUnknownPeer.increment();
            unknownPeerLog.warn("node {} of group {}: no address for node {}", selfId, groupId, message.to());
            return false;
        }
        PeerConnection connection = registry.get(address);
        return connection != null && connection.send(groupId, message);
    }

    @Override
    public void close() {
        closed = true;
        context.router.unregister(groupId, selfId, inbound);
    }
}
