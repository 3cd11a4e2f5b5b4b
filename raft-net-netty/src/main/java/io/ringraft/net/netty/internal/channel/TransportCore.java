package io.ringraft.net.netty.internal.channel;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.ringraft.net.netty.TransportStats;
import io.ringraft.spi.RaftTransport;
import io.ringraft.spi.RaftTransportFactory.InboundHandler;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running transport behind {@code NettyTransport}: event loops, the listening socket, the
 * outgoing connection registry, the inbound router and the address book. Created (and bound) by
 * {@code NettyTransport.Builder.build()}.
 */
public final class TransportCore implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TransportCore.class);

    private final TransportContext context;
    private final EventLoops loops;
    private final ChannelGroup accepted;
    private final ConnectionRegistry registry;
    private final Channel server;
    private volatile boolean closed;
    /** Whether some node registered: from then on a new address is probed at once. */
    private volatile boolean nodesRegistered;

    /**
     * Starts the event loops and binds {@code bindAddress}.
     *
     * @throws UncheckedIOException if the address cannot be bound
     */
    public TransportCore(TransportSettings settings, SslContext serverSsl, SslContext clientSsl, int threads,
                         boolean preferNative, SocketAddress bindAddress) {
        this.context = new TransportContext(settings, serverSsl, clientSsl);
        this.loops = EventLoops.create(threads, preferNative,
                new DefaultThreadFactory("ringraft-netty-" + settings.nodeId(), true));
        this.accepted = new DefaultChannelGroup("ringraft-accepted", loops.group().next());
        WriteBufferWaterMark waterMark = new WriteBufferWaterMark(settings.lowWaterMark(), settings.highWaterMark());
        Bootstrap client = new Bootstrap().group(loops.group()).channel(loops.channel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, settings.connectTimeoutMillis())
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark);
        this.registry = new ConnectionRegistry(context, client,
                new ReconnectBackoff(settings.backoffInitialNanos(), settings.backoffMaxNanos()));
        context.peerAccepted = registry::peerReachable;
        ServerBootstrap serverBootstrap = new ServerBootstrap().group(loops.group()).channel(loops.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, 128)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        accepted.add(channel);
                        Pipelines.initAccepted(channel, context);
                    }
                });
        try {
            this.server = serverBootstrap.bind(bindAddress).syncUninterruptibly().channel();
        } catch (Exception e) { // Netty rethrows the bind's checked exception unchecked
            loops.group().shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            throw new UncheckedIOException("cannot listen on " + bindAddress,
                    e instanceof java.io.IOException io ? io : new java.io.IOException(e));
        }
        // Once per transport: which socket transport runs (and why not epoll), so a missing native jar shows.
        LOG.info("node {} of cluster '{}' listening on {}{}, transport {}", settings.nodeId(), settings.clusterId(),
                server.localAddress(), serverSsl != null ? " (TLS)" : "", loops.choice().description());
    }

    /** Registers a node for inbound messages and returns its sending endpoint. */
    public RaftTransport connect(long groupId, long selfId, InboundHandler inbound) {
        if (closed) {
            throw new IllegalStateException("transport is closed");
        }
        context.router.register(groupId, selfId, inbound);
        nodesRegistered = true;
        registry.probeAll(context.settings.nodeId());
        return new NodeEndpoint(context, registry, groupId, selfId, inbound);
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) server.localAddress();
    }

    public boolean nativeTransport() {
        return loops.nativeTransport();
    }

    /** Hands connections in the client role to {@code clients} (null: refuse them). */
    public void acceptClients(java.util.function.Consumer<io.netty.channel.Channel> clients) {
        context.clients = clients;
    }

    public void putPeer(long nodeId, PeerAddress address) {
        context.addressBook.put(nodeId, address);
        registry.retainMapped();
        probeIfNodes();
    }

    public void putPeer(long groupId, long nodeId, PeerAddress address) {
        context.addressBook.put(groupId, nodeId, address);
        registry.retainMapped();
        probeIfNodes();
    }

    private void probeIfNodes() {
        if (nodesRegistered && !closed) {
            registry.probeAll(context.settings.nodeId());
        }
    }

    public void removePeer(long nodeId) {
        context.addressBook.remove(nodeId);
        registry.retainMapped();
    }

    public void removePeer(long groupId, long nodeId) {
        context.addressBook.remove(groupId, nodeId);
        registry.retainMapped();
    }

    public TransportStats stats() {
        return context.counters.snapshot();
    }

    /** Closes the listener and every connection and stops the event loops (waits up to a few seconds). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        registry.close();
        server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        accepted.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        loops.group().shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
