package io.ringraft.net.netty.internal.channel;

/**
 * Which socket transport a {@code NettyTransport} runs on, and why: native epoll when it is wanted
 * and Netty's native library loads, NIO otherwise. The description is what the transport logs once,
 * at INFO, when it starts, so that an application that meant to run on epoll but lacks the native
 * jar ({@code io.netty:netty-transport-native-epoll}, classifier {@code linux-x86_64} or
 * {@code linux-aarch_64}) sees it. Immutable.
 *
 * @param nativeTransport true for epoll, false for NIO
 * @param description     "epoll", or "NIO" and the reason epoll is not used
 */
record TransportChoice(boolean nativeTransport, String description) {

    /**
     * Decides from the builder's wish and what Netty reports.
     *
     * @param preferNative      {@code NettyTransport.Builder.preferNativeTransport}
     * @param epollAvailable    {@code Epoll.isAvailable()} (only asked when native is preferred)
     * @param unavailableReason {@code Epoll.unavailabilityCause()} when epoll is not available, else null
     */
    static TransportChoice decide(boolean preferNative, boolean epollAvailable, Throwable unavailableReason) {
        if (!preferNative) {
            return new TransportChoice(false, "NIO (preferNativeTransport(false))");
        }
        if (epollAvailable) {
            return new TransportChoice(true, "epoll");
        }
        return new TransportChoice(false, "NIO: native epoll is unavailable (" + reason(unavailableReason)
                + "); to use it, add io.netty:netty-transport-native-epoll with the classifier of this platform"
                + " (linux-x86_64, linux-aarch_64), see docs/transport.md");
    }

    /**
     * NIO because the native library of this platform is not on the class path (Netty was not asked,
     * see {@link EventLoops}).
     *
     * @param resource where the library would be
     */
    static TransportChoice libraryAbsent(String resource) {
        return new TransportChoice(false, "NIO: native epoll is not on the class path (no " + resource
                + "); to use it, add io.netty:netty-transport-native-epoll with the classifier of this platform"
                + " (linux-x86_64, linux-aarch_64), see docs/transport.md");
    }

    private static String reason(Throwable cause) {
        if (cause == null) {
            return "no reason given";
        }
        // The cause chain ends at what failed: a missing native library, another OS, a missing class.
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
