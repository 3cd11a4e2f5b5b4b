package io.ringraft.net.netty.internal.channel;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.io.IOException;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last handler of every pipeline: no exception gets past it. TLS errors (failed handshake, untrusted
 * certificate, plaintext on a TLS port) are counted as TLS failures; decoder errors and anything
 * unexpected close the connection as a protocol error; plain I/O errors (reset by peer) just close. The node keeps serving its other connections either way.
 */
@ChannelHandler.Sharable
final class ConnectionErrorHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionErrorHandler.class);

    private final TransportContext context;

    ConnectionErrorHandler(TransportContext context) {
        this.context = context;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof SslHandshakeCompletionEvent completion && !completion.isSuccess()) {
            ConnectionErrors.tlsFailure(ctx.channel(), context.counters, completion.cause());
        }
        // other events (e.g. SslCloseCompletionEvent) need nothing
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (isTls(cause)) {
            // a failed or refused TLS handshake (e.g. an untrusted certificate, or plaintext to a
            // TLS port), or a broken TLS record later on
            ConnectionErrors.tlsFailure(ctx.channel(), context.counters, cause);
        } else if (cause instanceof IOException) {
            LOG.debug("closing connection {}: {}", ConnectionErrors.describe(ctx.channel()), cause.toString());
            ctx.close();
        } else {
            ConnectionErrors.protocolError(ctx.channel(), context.counters, cause);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        // Nothing should get here; release whatever does rather than leak it.
        io.netty.util.ReferenceCountUtil.release(msg);
    }

    private static boolean isTls(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SSLException) {
                return true;
            }
        }
        return false;
    }
}
