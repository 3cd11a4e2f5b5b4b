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
import io.netty.util.internal.PlatformDependent;
import java.util.concurrent.ThreadFactory;

/**
 * The event loop group and channel types: native epoll when it is available (Linux with the native
 * library on the class path) and wanted, NIO otherwise; {@link TransportChoice} says which and why.
 *
 * <p>Netty is asked about epoll ({@link Epoll#isAvailable()}) only when the native library of this
 * platform is on the class path: asking loads it, and without the jar Netty falls back to
 * {@code System.loadLibrary}, which JDK 24 and later report with a "restricted method" warning on
 * stderr even though nothing loads. So a service without the epoll jar starts without a warning.
 *
 * <p>Only API that Netty 4.1 and 4.2 both have: {@link EpollEventLoopGroup} and
 * {@link NioEventLoopGroup} (deprecated in 4.2 in favour of {@code MultiThreadIoEventLoopGroup} with
 * an {@code IoHandlerFactory}, which 4.1 lacks, but present and equivalent there). Using the 4.2-only
 * API broke every application whose Netty resolves to 4.1 (Spring Boot 3) with
 * {@code NoClassDefFoundError: io/netty/channel/nio/NioIoHandler}.
 */
record EventLoops(EventLoopGroup group, Class<? extends ServerChannel> serverChannel,
                  Class<? extends Channel> channel, TransportChoice choice) {

    /** Where Netty's jar for this platform keeps the epoll library (as Netty's loader looks it up). */
    static final String NATIVE_LIBRARY = "META-INF/native/"
            + System.mapLibraryName("netty_transport_native_epoll_" + PlatformDependent.normalizedArch());

    @SuppressWarnings("deprecation") // the only event loop groups both Netty 4.1 and 4.2 have
    static EventLoops create(int threads, boolean preferNative, ThreadFactory threadFactory) {
        TransportChoice choice;
        if (!preferNative) {
            choice = TransportChoice.decide(false, false, null);
        } else if (Epoll.class.getClassLoader().getResource(NATIVE_LIBRARY) == null) { // Epoll not initialized
            choice = TransportChoice.libraryAbsent(NATIVE_LIBRARY);
        } else {
            choice = TransportChoice.decide(true, Epoll.isAvailable(), Epoll.unavailabilityCause());
        }
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
