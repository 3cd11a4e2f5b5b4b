/**
 * RingRaft's Netty TCP transport. Exports only the public API package; codecs and channel handlers
 * are internal.
 */
module io.ringraft.net.netty {
    requires transitive io.ringraft.core;
    requires io.netty.buffer;
    requires io.netty.codec;
    requires io.netty.common;
    requires io.netty.handler;
    requires io.netty.transport;
    requires io.netty.transport.classes.epoll;
    requires org.slf4j;

    exports io.ringraft.net.netty;
    exports io.ringraft.net.netty.client;

    provides io.ringraft.api.client.RaftClientFactory with io.ringraft.net.netty.client.NettyRaftClientFactory;
}
