package io.ringraft.net.netty.internal.channel;

import io.ringraft.net.netty.internal.codec.RoutedMessage;
import io.ringraft.spi.RaftTransportFactory.InboundHandler;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands decoded messages to the local node they are addressed to, by (group id, node id). Every
 * connection of the transport shares one router, which is what lets one connection carry all groups.
 * Thread-safe.
 */
final class InboundRouter {

    private static final Logger LOG = LoggerFactory.getLogger(InboundRouter.class);

    /** What became of a message. */
    enum Result {
        /** The node took it. */
        DELIVERED,
        /** The node's inbound queue is full: hold the message and pause reading, or drop it. */
        FULL,
        /** No such node here (not started, closed, or misaddressed): dropped. */
        NO_NODE
    }

    private record Key(long groupId, long nodeId) {
    }

    private final Map<Key, InboundHandler> handlers = new ConcurrentHashMap<>();

    void register(long groupId, long nodeId, InboundHandler handler) {
        if (handlers.putIfAbsent(new Key(groupId, nodeId), handler) != null) {
            throw new IllegalStateException("node " + nodeId + " of group " + groupId
                    + " is already connected to this transport");
        }
    }

    void unregister(long groupId, long nodeId, InboundHandler handler) {
        handlers.remove(new Key(groupId, nodeId), handler);
    }

    Result deliver(RoutedMessage routed) {
        InboundHandler handler = handlers.get(new Key(routed.groupId(), routed.message().to()));
        if (handler == null) {
            return Result.NO_NODE;
        }
        try {
            return handler.offer(routed.message()) ? Result.DELIVERED : Result.FULL;
        } catch (RuntimeException e) {
            LOG.warn("node {} of group {} threw from offer(); message dropped", routed.message().to(),
                    routed.groupId(), e);
            return Result.NO_NODE;
        }
    }
}
