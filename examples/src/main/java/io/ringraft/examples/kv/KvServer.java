package io.ringraft.examples.kv;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.redis.RedisEncoder;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's RESP (Redis protocol) server: Netty's redis codec in front of {@link RespCommands}.
 * Listens until {@link #close()}, which also closes every client connection. The event loop group
 * (NIO) is the caller's, so that many servers can share one. Serves at most {@link #MAX_CLIENTS}
 * connections at once; one more is refused with an error reply.
 */
public final class KvServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KvServer.class);

    /** Replies a connection may owe before it stops reading. */
    static final int MAX_PENDING_PER_CONNECTION = 1024;
    /** Most elements in one command. */
    static final int MAX_ARGUMENTS = 1 << 20;
    /**
     * Most client connections served at once (Redis's {@code maxclients} default). One more is answered
     * {@code -ERR max number of clients reached} and closed, so the connections, and with them the
     * replies they may owe and the door's waiters (at most one per connection), stay bounded.
     */
    static final int MAX_CLIENTS = 10_000;
    /** The answer to a connection beyond {@link #MAX_CLIENTS}. */
    static final String TOO_MANY_CLIENTS = "-ERR max number of clients reached\r\n";

    private final Channel serverChannel;
    private final ChannelGroup connections;

    private KvServer(Channel serverChannel, ChannelGroup connections) {
        this.serverChannel = serverChannel;
        this.connections = connections;
    }

    /**
     * Binds {@code address} (port 0: any free port) and serves {@code commands}.
     *
     * @param group        NIO event loops for the listening socket and the connections
     * @param maxBulkBytes largest bulk string (argument) a client may send
     * @throws UncheckedIOException if {@code address} cannot be bound (for example, the port is in use)
     */
    public static KvServer start(InetSocketAddress address, RespCommands commands, EventLoopGroup group,
                                 int maxBulkBytes) {
        return start(address, commands, group, maxBulkBytes, MAX_CLIENTS);
    }

    /** As {@link #start(InetSocketAddress, RespCommands, EventLoopGroup, int)}, serving at most {@code maxClients}. */
    static KvServer start(InetSocketAddress address, RespCommands commands, EventLoopGroup group, int maxBulkBytes,
                          int maxClients) {
        ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        AtomicInteger open = new AtomicInteger();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (open.incrementAndGet() > maxClients) {
                            open.decrementAndGet();
                            LOG.warn("refused a Redis client from {}: {} connections are open (the most served at once)",
                                    ch.remoteAddress(), maxClients);
                            ch.writeAndFlush(Unpooled.copiedBuffer(TOO_MANY_CLIENTS, StandardCharsets.US_ASCII))
                                    .addListener(ChannelFutureListener.CLOSE);
                            return;
                        }
                        ch.closeFuture().addListener(closed -> open.decrementAndGet());
                        connections.add(ch);
                        ch.pipeline().addLast(
                                new RedisEncoder(),
                                new RespCommandDecoder(maxBulkBytes, MAX_ARGUMENTS),
                                new RespConnectionHandler(commands, MAX_PENDING_PER_CONNECTION, commands.doorWaitNanos()));
                    }
                });
        Channel channel;
        try {
            channel = bootstrap.bind(address).syncUninterruptibly().channel();
        } catch (Exception e) { // Netty rethrows the bind's checked exception unchecked
            throw new UncheckedIOException("cannot listen for Redis clients on " + address,
                    e instanceof IOException io ? io : new IOException(e));
        }
        return new KvServer(channel, connections);
    }

    /** The address the server listens on. */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Stops listening and closes every connection. Idempotent. */
    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        connections.close().syncUninterruptibly();
    }
}
