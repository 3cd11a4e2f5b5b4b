package io.ringraft.examples.kv;

import io.netty.bootstrap.ServerBootstrap;
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

/**
 * A node's RESP (Redis protocol) server: Netty's redis codec in front of {@link RespCommands}.
 * Listens until {@link #close()}, which also closes every client connection. The event loop group
 * (NIO) is the caller's, so that many servers can share one.
 */
public final class KvServer implements AutoCloseable {

    /** Replies a connection may owe before it stops reading. */
    static final int MAX_PENDING_PER_CONNECTION = 1024;
    /** Most elements in one command. */
    static final int MAX_ARGUMENTS = 1 << 20;

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
        ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
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
