package io.ringraft.net.netty.internal.channel;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.ringraft.net.netty.internal.codec.HandshakeCodec;
import io.ringraft.net.netty.internal.codec.HandshakeCodec.Hello;
import io.ringraft.net.netty.internal.codec.HandshakeCodec.HelloAck;
import io.ringraft.net.netty.internal.codec.HandshakeCodec.Refuse;
import io.ringraft.net.netty.internal.codec.MalformedFrameException;
import io.ringraft.net.netty.internal.codec.WireFormat;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connecting side of the handshake: sends HELLO as soon as the connection is up (behind TLS,
 * which holds it until the TLS handshake is done), then waits for HELLO_ACK, checks it, and tells
 * the {@link PeerConnection} that the connection is ready. A REFUSE is logged with its reason and
 * closes the connection; so does silence past the handshake timeout.
 */
final class ClientHandshakeHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(ClientHandshakeHandler.class);
    private static final RateLimitedLog REFUSALS = new RateLimitedLog(LOG, 1000);

    private final TransportContext context;
    private final FrameDecoder frameDecoder;
    private final PeerConnection peer;
    private ScheduledFuture<?> timeout;
    private boolean finished;

    ClientHandshakeHandler(TransportContext context, FrameDecoder frameDecoder, PeerConnection peer) {
        this.context = context;
        this.frameDecoder = frameDecoder;
        this.peer = peer;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(HandshakeCodec.encodeHello(ctx.alloc(), new Hello(WireFormat.MIN_VERSION,
                WireFormat.MAX_VERSION, context.settings.nodeId(), context.settings.clusterId())));
        timeout = ctx.executor().schedule(() -> {
            if (!finished) {
                finished = true;
                LOG.debug("closing connection {}: no handshake answer within {} ms",
                        ConnectionErrors.describe(ctx.channel()), context.settings.handshakeTimeoutMillis());
                ctx.close();
            }
        }, context.settings.handshakeTimeoutMillis(), TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (timeout != null) {
            timeout.cancel(false);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (finished || !(msg instanceof ByteBuf frame)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        try {
            finished = true;
            byte type = HandshakeCodec.readHeader(frame);
            if (type == WireFormat.REFUSE) {
                Refuse refusal = HandshakeCodec.decodeRefuse(frame);
                ConnectionErrors.firstReport(ctx.channel());
                context.counters.handshakesRejectedByPeer.increment();
                REFUSALS.warn("peer {} refused the connection: {}: {}", peer.address(), refusal.reason(),
                        refusal.message());
                ctx.close();
                return;
            }
            if (type != WireFormat.HELLO_ACK) {
                throw new MalformedFrameException("expected HELLO_ACK or REFUSE, got " + WireFormat.typeName(type));
            }
            HelloAck ack = HandshakeCodec.decodeAck(frame);
            String problem = check(ack);
            if (problem != null) {
                ConnectionErrors.firstReport(ctx.channel());
                context.counters.handshakesRefused.increment();
                REFUSALS.warn("dropping connection to {}: {}", peer.address(), problem);
                ctx.close();
                return;
            }
            ctx.channel().attr(ConnectionErrors.PEER_NODE_ID).set(ack.nodeId());
            frameDecoder.handshakeDone();
            ctx.pipeline().remove(this);
            LOG.debug("connected {}", ConnectionErrors.describe(ctx.channel()));
            peer.onReady(ctx.channel());
            // Counted once sends can use it: a caller that sees the count may send at once.
            context.counters.connectionsEstablished.increment();
        } catch (MalformedFrameException e) {
            ConnectionErrors.protocolError(ctx.channel(), context.counters, e);
        } finally {
            frame.release();
        }
    }

    private String check(HelloAck ack) {
        if (!context.settings.clusterId().equals(ack.clusterId())) {
            return "it belongs to cluster '" + ack.clusterId() + "', not '" + context.settings.clusterId() + "'";
        }
        if (ack.version() < WireFormat.MIN_VERSION || ack.version() > WireFormat.MAX_VERSION) {
            return "it chose protocol version " + ack.version() + ", outside " + WireFormat.MIN_VERSION + ".."
                    + WireFormat.MAX_VERSION;
        }
        if (!context.addressBook.isKnown(ack.nodeId())) {
            return "it is node " + ack.nodeId() + ", which is not a known peer";
        }
        return null;
    }
}
