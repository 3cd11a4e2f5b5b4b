package io.ringraft.examples.kv;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.redis.BulkStringHeaderRedisMessage;
import io.netty.util.ReferenceCountUtil;

/**
 * Refuses a bulk string longer than a limit as soon as its header is decoded, before the
 * aggregator buffers it (Netty's own limit is Redis's 512 MB). The connection then answers a
 * protocol error and closes.
 */
final class RespLimitHandler extends ChannelInboundHandlerAdapter {

    private final int maxBulkBytes;

    RespLimitHandler(int maxBulkBytes) {
        this.maxBulkBytes = maxBulkBytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof BulkStringHeaderRedisMessage header && header.bulkStringLength() > maxBulkBytes) {
            ReferenceCountUtil.release(msg);
            throw new TooLongFrameException("bulk string of " + header.bulkStringLength()
                    + " bytes exceeds " + maxBulkBytes);
        }
        ctx.fireChannelRead(msg);
    }
}
