package io.ringraft.net.netty.internal.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import io.ringraft.net.netty.internal.codec.HandshakeCodec;
import io.ringraft.net.netty.internal.codec.MalformedFrameException;
import io.ringraft.net.netty.internal.codec.WireFormat;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's side of one connection: sends HELLO in the client role, completes the link's ready
 * future on HELLO_ACK (or fails it with the node's reason on REFUSE), then hands responses to the
 * link. A CLIENT_ERROR or an undecodable frame closes the connection (failing what waits on it). Event
 * loop only.
 */
final class ClientLinkHandler extends ChannelInboundHandlerAdapter {

    static final AttributeKey<NodeLink> LINK = AttributeKey.valueOf("ringraft.clientLink");
    static final AttributeKey<CompletableFuture<Channel>> READY = AttributeKey.valueOf("ringraft.clientReady");
    private static final Logger LOG = LoggerFactory.getLogger(ClientLinkHandler.class);

    private final String clusterId;
    private boolean handshakeDone;

    ClientLinkHandler(String clusterId) {
        this.clusterId = clusterId;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(HandshakeCodec.encodeHello(ctx.alloc(), new HandshakeCodec.Hello(WireFormat.MIN_VERSION,
                WireFormat.MAX_VERSION, WireFormat.CLIENT_NODE_ID, clusterId)));
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        NodeLink link = ctx.channel().attr(LINK).get();
        CompletableFuture<Channel> ready = ctx.channel().attr(READY).get();
        try {
            if (!handshakeDone) {
                byte type = HandshakeCodec.readHeader(frame);
                if (type == WireFormat.HELLO_ACK) {
                    HandshakeCodec.decodeAck(frame);
                    handshakeDone = true;
                    ready.complete(ctx.channel());
                } else if (type == WireFormat.REFUSE) {
                    HandshakeCodec.Refuse refuse = HandshakeCodec.decodeRefuse(frame);
                    link.lost(ready, new IOException("node " + link.nodeId() + " refused the connection: "
                            + refuse.reason() + ": " + refuse.message()));
                    ctx.close();
                } else {
                    throw new MalformedFrameException("expected HELLO_ACK or REFUSE, got " + WireFormat.typeName(type));
                }
                return;
            }
            byte type = frame.getByte(frame.readerIndex() + 1);
            if (type == WireFormat.CLIENT_ERROR) {
                frame.skipBytes(WireFormat.HEADER_BYTES);
                String error = ClientCodec.decodeError(frame);
                LOG.warn("node {} closed the client connection: {}", link.nodeId(), error);
                link.lost(ready, new IOException("node " + link.nodeId() + " sent error " + error));
                ctx.close();
                return;
            }
            if (type == WireFormat.SUBSCRIPTION_BATCH) {
                link.batch(SubscriptionCodec.decodeBatch(frame));
                return;
            }
            link.answered(ClientCodec.decodeResponse(frame));
        } catch (MalformedFrameException e) {
            LOG.warn("closing the connection to node {}: {}", link.nodeId(), e.getMessage());
            link.lost(ready, new IOException("node " + link.nodeId() + " sent a malformed frame: " + e.getMessage()));
            ctx.close();
        } finally {
            frame.release();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        NodeLink link = ctx.channel().attr(LINK).get();
        link.lost(ctx.channel().attr(READY).get(), new IOException("connection to node " + link.nodeId()
                + " failed: " + cause));
        ctx.close();
    }
}
