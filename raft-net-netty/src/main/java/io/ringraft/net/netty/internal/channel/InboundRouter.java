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

    /**
     * What became of a message. Only {@link #DELIVERED} passes ownership of the message (and of the
     * frame memory it may hold) to the node; otherwise the caller still owns it and releases it if it
     * drops it.
     */
    enum Result {
        /** The node took it, and releases it when done. */
        DELIVERED,
        /** The node's inbound queue is full: hold the message and pause reading, or drop (release) it. */
        FULL,
        /** No such node here (not started, closed, or misaddressed), or its offer() threw: drop (release) it. */
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

    /** Offers {@code routed} to its node; never releases it (see {@link Result} for who owns it after). */
    Result deliver(RoutedMessage routed) {
        InboundHandler handler = handlers.get(new Key(routed.groupId(), routed.message().to()));
        if (handler == null) {
            return Result.NO_NODE;
        }
        try {
            return handler.offer(routed.message()) ? Result.DELIVERED : Result.FULL;
        } catch (RuntimeException e) {
            // Not accepted (offer did not return true): the caller still owns the message and drops it.
            LOG.warn("node {} of group {} threw from offer(); message dropped", routed.message().to(),
                    routed.groupId(), e);
            return Result.NO_NODE;
        }
    }
}
