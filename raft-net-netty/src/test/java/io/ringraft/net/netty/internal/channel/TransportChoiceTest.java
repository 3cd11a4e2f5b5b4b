package io.ringraft.net.netty.internal.channel;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.epoll.Epoll;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Epoll when wanted and available, otherwise NIO with the reason, which the transport logs. */
class TransportChoiceTest {

    @Test
    void epollWhenWantedAndAvailable() {
        TransportChoice choice = TransportChoice.decide(true, true, null);
        assertThat(choice.nativeTransport()).isTrue();
        assertThat(choice.description()).isEqualTo("epoll");
    }

    @Test
    void nioWhenNotWanted() {
        TransportChoice choice = TransportChoice.decide(false, false, null);
        assertThat(choice.nativeTransport()).isFalse();
        assertThat(choice.description()).isEqualTo("NIO (preferNativeTransport(false))");
    }

    @Test
    void nioWithTheRootCauseAndHowToAddEpollWhenTheNativeLibraryIsMissing() {
        UnsatisfiedLinkError missing = new UnsatisfiedLinkError("could not load a native library: netty_transport_native_epoll_x86_64");
        Throwable cause = new IllegalStateException("failed to load the required native library", missing);
        TransportChoice choice = TransportChoice.decide(true, false, cause);
        assertThat(choice.nativeTransport()).isFalse();
        assertThat(choice.description())
                .startsWith("NIO: native epoll is unavailable (UnsatisfiedLinkError: could not load a native library")
                .contains("add io.netty:netty-transport-native-epoll")
                .contains("docs/transport.md");
    }

    @Test
    void nioNamingTheMissingLibraryWhenItIsNotOnTheClassPath() {
        TransportChoice choice = TransportChoice.libraryAbsent("META-INF/native/libnetty_transport_native_epoll_x86_64.so");
        assertThat(choice.nativeTransport()).isFalse();
        assertThat(choice.description())
                .startsWith("NIO: native epoll is not on the class path (no META-INF/native/libnetty_transport_native_epoll")
                .contains("add io.netty:netty-transport-native-epoll");
    }

    @Test
    void theLibraryLookedForIsTheOneNettysJarForThisPlatformHolds() {
        // this module's tests have the linux-x86_64 jar; on another platform Netty's loader finds nothing either
        assertThat(EventLoops.NATIVE_LIBRARY).startsWith("META-INF/native/libnetty_transport_native_epoll_");
        assertThat(getClass().getClassLoader().getResource(EventLoops.NATIVE_LIBRARY) != null)
                .isEqualTo(Epoll.isAvailable());
    }

    @Test
    void theEventLoopsFollowWhatNettyReports() {
        EventLoops loops = EventLoops.create(1, true, new DefaultThreadFactory("choice-test", true));
        try {
            assertThat(loops.nativeTransport()).isEqualTo(Epoll.isAvailable());
            assertThat(loops.choice().description()).startsWith(Epoll.isAvailable() ? "epoll" : "NIO: native epoll is unavailable");
        } finally {
            loops.group().shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
