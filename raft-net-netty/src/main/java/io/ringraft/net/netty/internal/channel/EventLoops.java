package io.ringraft.net.netty.internal.channel;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.concurrent.ThreadFactory;

/**
 * The event loop group and channel types: native epoll when it is available (Linux with the native
 * library on the class path) and wanted, NIO otherwise; {@link TransportChoice} says which and why.
 *
 * <p>Only API that Netty 4.1 and 4.2 both have: {@link EpollEventLoopGroup} and
 * {@link NioEventLoopGroup} (deprecated in 4.2 in favour of {@code MultiThreadIoEventLoopGroup} with
 * an {@code IoHandlerFactory}, which 4.1 lacks, but present and equivalent there). Using the 4.2-only
 * API broke every application whose Netty resolves to 4.1 (Spring Boot 3) with
 * {@code NoClassDefFoundError: io/netty/channel/nio/NioIoHandler}.
 */
record EventLoops(EventLoopGroup group, Class<? extends ServerChannel> serverChannel,
                  Class<? extends Channel> channel, TransportChoice choice) {

    @SuppressWarnings("deprecation") // the only event loop groups both Netty 4.1 and 4.2 have
    static EventLoops create(int threads, boolean preferNative, ThreadFactory threadFactory) {
        TransportChoice choice = TransportChoice.decide(preferNative, preferNative && Epoll.isAvailable(),
                preferNative ? Epoll.unavailabilityCause() : null);
        if (choice.nativeTransport()) {
            return new EventLoops(new EpollEventLoopGroup(threads, threadFactory),
                    EpollServerSocketChannel.class, EpollSocketChannel.class, choice);
        }
        return new EventLoops(new NioEventLoopGroup(threads, threadFactory),
                NioServerSocketChannel.class, NioSocketChannel.class, choice);
    }

    boolean nativeTransport() {
        return choice.nativeTransport();
    }
}
