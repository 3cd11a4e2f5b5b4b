package io.ringraft.net.netty.internal.client;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * Takes the transport's connections that shook hands in the client role: counts them against
 * {@link ServerLimits#maxConnections()} (one more gets a CLIENT_ERROR and is closed) and installs a
 * {@link ClientRequestHandler} on the others. Called on each connection's event loop; thread-safe.
 */
public final class ClientAcceptor implements Consumer<Channel> {

    private final LongFunction<ServedGroup> groups;
    private final ServerLimits limits;
    private final Map<Long, String> advertised;
    private final AtomicInteger connections = new AtomicInteger();
    private final ChannelGroup channels = new DefaultChannelGroup("ringraft-clients", GlobalEventExecutor.INSTANCE);

    /**
     * @param groups     the group a request names, or null if this node serves none such
     * @param limits     the bounds
     * @param advertised client addresses of members, sent in INFO answers
     */
    public ClientAcceptor(LongFunction<ServedGroup> groups, ServerLimits limits, Map<Long, String> advertised) {
        this.groups = groups;
        this.limits = limits;
        this.advertised = Map.copyOf(advertised);
    }

    @Override
    public void accept(Channel channel) {
        if (connections.incrementAndGet() > limits.maxConnections()) {
            connections.decrementAndGet();
            channel.writeAndFlush(ClientCodec.encodeError(channel.alloc(), ClientCodec.ERROR_TOO_MANY_CONNECTIONS,
                    "this node has its most client connections (" + limits.maxConnections() + ")"))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        channel.pipeline().addLast("client", new ClientRequestHandler(groups, limits, advertised,
                connections::decrementAndGet));
        channels.add(channel);
    }

    /** {@return client connections open now} */
    public int connections() {
        return connections.get();
    }

    /** Closes every client connection (and waits up to a second for them to close). */
    public void closeAll() {
        channels.close().awaitUninterruptibly(1000);
    }
}
