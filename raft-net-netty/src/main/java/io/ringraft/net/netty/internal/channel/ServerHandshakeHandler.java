package io.ringraft.net.netty.internal.channel;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.ringraft.net.netty.internal.codec.HandshakeCodec;
import io.ringraft.net.netty.internal.codec.HandshakeCodec.Hello;
import io.ringraft.net.netty.internal.codec.HandshakeCodec.HelloAck;
import io.ringraft.net.netty.internal.codec.HandshakeCodec.Refuse;
import io.ringraft.net.netty.internal.codec.HandshakeCodec.RefuseReason;
import io.ringraft.net.netty.internal.codec.MalformedFrameException;
import io.ringraft.net.netty.internal.codec.WireFormat;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The accepting side of the handshake: the first frame must be a HELLO of this cluster, from a
 * known node id, with a protocol version range this build shares. Answers HELLO_ACK and steps out
 * of the pipeline, or REFUSE with the reason (logged here too) and closes. A connection that does
 * not complete the handshake in time is closed.
 */
final class ServerHandshakeHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(ServerHandshakeHandler.class);
    private static final RateLimitedLog REFUSALS = new RateLimitedLog(LOG, 1000);

    private final TransportContext context;
    private final FrameDecoder frameDecoder;
    private ScheduledFuture<?> timeout;
    private boolean finished;

    ServerHandshakeHandler(TransportContext context, FrameDecoder frameDecoder) {
        this.context = context;
        this.frameDecoder = frameDecoder;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        timeout = ctx.executor().schedule(() -> {
            if (!finished) {
                finished = true;
                LOG.debug("closing connection {}: no handshake within {} ms",
                        ConnectionErrors.describe(ctx.channel()), context.settings.handshakeTimeoutMillis());
                ctx.close();
            }
        }, context.settings.handshakeTimeoutMillis(), TimeUnit.MILLISECONDS);
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
            byte type = HandshakeCodec.readHeader(frame);
            if (type != WireFormat.HELLO) {
                throw new MalformedFrameException("expected HELLO, got " + WireFormat.typeName(type));
            }
            Hello hello = HandshakeCodec.decodeHello(frame);
            int version = Math.min(WireFormat.MAX_VERSION, hello.maxVersion());
            boolean client = hello.nodeId() == WireFormat.CLIENT_NODE_ID;
            java.util.function.Consumer<io.netty.channel.Channel> clients = context.clients;
            Refuse refusal = client && clients == null
                    ? new Refuse(RefuseReason.UNKNOWN_NODE, "this node serves no clients (no ClientServer attached)")
                    : check(hello, version, client);
            finished = true;
            if (refusal != null) {
                refuse(ctx, hello, refusal);
                return;
            }
            if (client) {
                ctx.writeAndFlush(HandshakeCodec.encodeAck(ctx.alloc(),
                        new HelloAck(version, context.settings.nodeId(), context.settings.clusterId())));
                frameDecoder.handshakeDone();
                ctx.pipeline().remove("dispatch");
                ctx.pipeline().remove("errors");
                clients.accept(ctx.channel()); // the client server installs its handlers
                ctx.pipeline().remove(this);
                return;
            }
            ctx.channel().attr(ConnectionErrors.PEER_NODE_ID).set(hello.nodeId());
            ctx.writeAndFlush(HandshakeCodec.encodeAck(ctx.alloc(),
                    new HelloAck(version, context.settings.nodeId(), context.settings.clusterId())));
            frameDecoder.handshakeDone();
            context.counters.connectionsAccepted.increment();
            LOG.debug("accepted connection {}", ConnectionErrors.describe(ctx.channel()));
            ctx.pipeline().remove(this);
            context.peerAccepted.accept(hello.nodeId());
        } catch (MalformedFrameException e) {
            finished = true;
            ConnectionErrors.protocolError(ctx.channel(), context.counters, e);
        } finally {
            frame.release();
        }
    }

    private Refuse check(Hello hello, int version, boolean client) {
        if (!context.settings.clusterId().equals(hello.clusterId())) {
            return new Refuse(RefuseReason.WRONG_CLUSTER, "this node belongs to cluster '"
                    + context.settings.clusterId() + "', not '" + hello.clusterId() + "'");
        }
        if (version < Math.max(WireFormat.MIN_VERSION, hello.minVersion()) || hello.minVersion() > hello.maxVersion()) {
            return new Refuse(RefuseReason.INCOMPATIBLE_VERSION, "peer speaks protocol versions "
                    + hello.minVersion() + ".." + hello.maxVersion() + ", this node " + WireFormat.MIN_VERSION
                    + ".." + WireFormat.MAX_VERSION);
        }
        if (!client && !context.addressBook.isKnown(hello.nodeId())) {
            return new Refuse(RefuseReason.UNKNOWN_NODE, "node id " + hello.nodeId() + " is not a known peer");
        }
        return null;
    }

    private void refuse(ChannelHandlerContext ctx, Hello hello, Refuse refusal) {
        ConnectionErrors.firstReport(ctx.channel());
        context.counters.handshakesRefused.increment();
        REFUSALS.warn("refused connection from {} (node {}, cluster '{}'): {}: {}", ctx.channel().remoteAddress(),
                hello.nodeId(), hello.clusterId(), refusal.reason(), refusal.message());
        ctx.writeAndFlush(HandshakeCodec.encodeRefuse(ctx.alloc(), refusal)).addListener(ChannelFutureListener.CLOSE);
    }
}
