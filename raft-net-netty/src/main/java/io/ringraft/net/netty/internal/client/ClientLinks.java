package io.ringraft.net.netty.internal.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.ringraft.api.client.ClientSettings;
import io.ringraft.net.netty.internal.channel.PeerAddress;
import io.ringraft.net.netty.internal.codec.WireFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client's connections, one per node (made on first use), the nodes' addresses (seeds, and members
 * nodes advertise) and load-balancing state, and the event loop the client's timers run on.
 * Thread-safe. The maps hold one entry per node of the cluster.
 */
public final class ClientLinks implements AutoCloseable {

    /** Largest frame the client takes from a node. */
    static final int MAX_FRAME_BYTES = 64 << 20;

    final ClientSettings settings;
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final SslContext tls;
    private final Map<Long, PeerAddress> addresses = new ConcurrentHashMap<>();
    private final Map<Long, NodeLink> links = new ConcurrentHashMap<>();
    private final Map<Long, ReplicaState> replicas = new ConcurrentHashMap<>();
    private final AtomicLong requestIds = new AtomicLong();

    /**
     * @param settings the client's settings
     * @param tls      the TLS context for connections, or null
     */
    @SuppressWarnings("deprecation") // NioEventLoopGroup: the one group Netty 4.1 and 4.2 both have (see EventLoops)
    public ClientLinks(ClientSettings settings, SslContext tls) {
        this.settings = settings;
        this.group = new NioEventLoopGroup(1, new DefaultThreadFactory("ringraft-client", true));
        this.tls = tls;
        this.bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        settings.attemptTimeout().toMillis()));
        settings.seeds().forEach((id, hostPort) -> addresses.put(id, PeerAddress.parse(hostPort)));
    }

    long nextRequestId() {
        return requestIds.incrementAndGet();
    }

    /** Learns where node {@code nodeId} serves clients, unless it is known already (seeds win). */
    void learn(long nodeId, String hostPort) {
        try {
            addresses.putIfAbsent(nodeId, PeerAddress.parse(hostPort));
        } catch (IllegalArgumentException e) {
            // a node advertised an address we cannot parse: ignore it, the seeds still work
        }
    }

    boolean knows(long nodeId) {
        return addresses.containsKey(nodeId);
    }

    java.util.Set<Long> knownNodes() {
        return addresses.keySet();
    }

    /** {@return the link to {@code nodeId}, or null if its address is unknown} */
    NodeLink link(long nodeId) {
        PeerAddress address = addresses.get(nodeId);
        if (address == null) {
            return null;
        }
        return links.computeIfAbsent(nodeId, id -> new NodeLink(id, address, bootstrap.clone().handler(
                pipeline(address)), settings.attemptTimeout().toMillis()));
    }

    /** The handlers of a connection to {@code address}: [tls] frames, length, the client's handler. */
    private ChannelInitializer<Channel> pipeline(PeerAddress address) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel channel) {
                if (tls != null) { // the node's name is checked against its certificate if TlsOptions says so
                    channel.pipeline().addLast("tls", tls.newHandler(channel.alloc(), address.host(), address.port()));
                }
                channel.pipeline().addLast("frames", new LengthFieldBasedFrameDecoder(
                        MAX_FRAME_BYTES + WireFormat.LENGTH_FIELD_BYTES, 0, WireFormat.LENGTH_FIELD_BYTES, 0,
                        WireFormat.LENGTH_FIELD_BYTES, true));
                channel.pipeline().addLast("length", new LengthFieldPrepender(WireFormat.LENGTH_FIELD_BYTES));
                channel.pipeline().addLast("client", new ClientLinkHandler(settings.clusterId()));
            }
        };
    }

    ReplicaState replica(long nodeId) {
        return replicas.computeIfAbsent(nodeId, id -> new ReplicaState(id, settings.zones().get(id)));
    }

    ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
        return group.next().schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
        links.values().forEach(NodeLink::close);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2000);
    }
}
