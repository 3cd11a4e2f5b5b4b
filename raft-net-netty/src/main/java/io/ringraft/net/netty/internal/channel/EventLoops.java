package io.ringraft.net.netty.internal.channel;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.concurrent.ThreadFactory;

/**
 * The event loop group and channel types: native epoll when it is available (Linux with the native
 * library on the class path) and wanted, NIO otherwise.
 */
record EventLoops(EventLoopGroup group, Class<? extends ServerChannel> serverChannel,
                  Class<? extends Channel> channel, boolean nativeTransport) {

    static EventLoops create(int threads, boolean preferNative, ThreadFactory threadFactory) {
        if (preferNative && Epoll.isAvailable()) {
            return new EventLoops(group(threads, threadFactory, EpollIoHandler.newFactory()),
                    EpollServerSocketChannel.class, EpollSocketChannel.class, true);
        }
        return new EventLoops(group(threads, threadFactory, NioIoHandler.newFactory()),
                NioServerSocketChannel.class, NioSocketChannel.class, false);
    }

    private static EventLoopGroup group(int threads, ThreadFactory threadFactory, IoHandlerFactory factory) {
        return new MultiThreadIoEventLoopGroup(threads, threadFactory, factory);
    }
}
