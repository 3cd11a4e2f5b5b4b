package io.ringraft.net.netty.internal.channel;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslHandler;

/**
 * Builds the handler pipelines of accepted and outgoing connections:
 *
 * <pre>
 * accepted: [tls] frames(decoder) length(prepender) handshake(server) dispatch errors
 * outgoing: [tls] frames(decoder) length(prepender) handshake(client) dispatch errors
 * </pre>
 *
 * The outgoing side needs no flush consolidation: senders do not flush, their frames wait in the
 * connection's {@link SendQueue}, and its event loop flushes once per drain.
 *
 * Both sides can receive Raft messages after the handshake (a connection is symmetric on the wire);
 * this transport sends only on the connections it opened.
 */
final class Pipelines {

    private Pipelines() {
    }

    static void initAccepted(Channel channel, TransportContext context) {
        ChannelPipeline pipeline = channel.pipeline();
        if (context.serverSsl != null) {
            SslHandler tls = context.serverSsl.newHandler(channel.alloc());
            tls.setHandshakeTimeoutMillis(context.settings.handshakeTimeoutMillis());
            pipeline.addLast("tls", tls);
        }
        FrameDecoder frames = new FrameDecoder(context.settings.maxFrameBytes());
        pipeline.addLast("frames", frames);
        pipeline.addLast("length", context.prepender);
        pipeline.addLast("handshake", new ServerHandshakeHandler(context, frames));
        pipeline.addLast("dispatch", new InboundDispatcher(context));
        pipeline.addLast("errors", context.errorHandler);
    }

    static void initOutgoing(Channel channel, TransportContext context, PeerConnection peer) {
        ChannelPipeline pipeline = channel.pipeline();
        if (context.clientSsl != null) {
            SslHandler tls = context.clientSsl.newHandler(channel.alloc(), peer.address().host(), peer.address().port());
            tls.setHandshakeTimeoutMillis(context.settings.handshakeTimeoutMillis());
            pipeline.addLast("tls", tls);
        }
        FrameDecoder frames = new FrameDecoder(context.settings.maxFrameBytes());
        pipeline.addLast("frames", frames);
        pipeline.addLast("length", context.prepender);
        pipeline.addLast("handshake", new ClientHandshakeHandler(context, frames, peer));
        pipeline.addLast("dispatch", new InboundDispatcher(context));
        pipeline.addLast("errors", context.errorHandler);
    }
}
