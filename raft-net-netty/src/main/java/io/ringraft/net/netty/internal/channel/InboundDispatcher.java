package io.ringraft.net.netty.internal.channel;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.ringraft.net.netty.internal.codec.MalformedFrameException;
import io.ringraft.net.netty.internal.codec.MessageCodec;
import io.ringraft.net.netty.internal.codec.RoutedMessage;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Decodes each frame of an established connection and offers the message to its node, with inbound
 * back-pressure: when a node's queue is full, the message is held, the connection stops reading
 * ({@code autoRead} off) and a timer retries (1 ms, doubling to 32 ms). Messages stay in order; when
 * all held messages are delivered, reading resumes. A pause lasts at most
 * {@code maxInboundPauseNanos}: then each held message is offered once more and dropped if still
 * refused (Raft retransmits), and reading resumes, so a stuck node cannot wedge a connection that
 * other groups share.
 *
 * <p>Held messages are bounded: only frames already read when the pause began can arrive while
 * paused (one socket read plus one partial frame), and a hard cap drops beyond
 * {@code maxHeldInboundFrames}. Frames are released as soon as they are decoded. Event loop only.
 */
final class InboundDispatcher extends ChannelInboundHandlerAdapter {

    private static final long FIRST_RETRY_MILLIS = 1;
    private static final long MAX_RETRY_MILLIS = 32;

    private final TransportContext context;
    private final ArrayDeque<RoutedMessage> held = new ArrayDeque<>();
    private long pausedAtNanos;
    private long retryMillis = FIRST_RETRY_MILLIS;
    private ScheduledFuture<?> retry;

    InboundDispatcher(TransportContext context) {
        this.context = context;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf frame)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        RoutedMessage routed;
        try {
            if (!ctx.channel().isActive()) {
                return; // closing (for example after an error): ignore the rest of the read
            }
            routed = MessageCodec.decode(frame);
        } catch (MalformedFrameException e) {
            ConnectionErrors.protocolError(ctx.channel(), context.counters, e);
            return;
        } finally {
            frame.release();
        }
        context.counters.framesReceived.increment();
        if (!held.isEmpty()) {
            hold(routed);
            return;
        }
        switch (context.router.deliver(routed)) {
            case DELIVERED -> { }
            case NO_NODE -> context.counters.inboundDroppedNoNode.increment();
            case FULL -> {
                hold(routed);
                pause(ctx);
            }
        }
    }

    private void hold(RoutedMessage routed) {
        if (held.size() >= context.settings.maxHeldInboundFrames()) {
            context.counters.inboundDroppedFull.increment();
            return;
        }
        held.addLast(routed);
    }

    private void pause(ChannelHandlerContext ctx) {
        ctx.channel().config().setAutoRead(false);
        context.counters.inboundPauses.increment();
        pausedAtNanos = ctx.executor().ticker().nanoTime();
        retryMillis = FIRST_RETRY_MILLIS;
        scheduleRetry(ctx);
    }

    private void scheduleRetry(ChannelHandlerContext ctx) {
        retry = ctx.executor().schedule(() -> retry(ctx), retryMillis, TimeUnit.MILLISECONDS);
        retryMillis = Math.min(MAX_RETRY_MILLIS, retryMillis * 2);
    }

    private void retry(ChannelHandlerContext ctx) {
        retry = null;
        if (!ctx.channel().isActive()) {
            held.clear();
            return;
        }
        boolean expired = ctx.executor().ticker().nanoTime() - pausedAtNanos >= context.settings.maxInboundPauseNanos();
        while (!held.isEmpty()) {
            RoutedMessage head = held.peekFirst();
            InboundRouter.Result result = context.router.deliver(head);
            if (result == InboundRouter.Result.FULL && !expired) {
                scheduleRetry(ctx);
                return;
            }
            held.pollFirst();
            if (result == InboundRouter.Result.FULL) {
                context.counters.inboundDroppedFull.increment();
            } else if (result == InboundRouter.Result.NO_NODE) {
                context.counters.inboundDroppedNoNode.increment();
            }
        }
        ctx.channel().config().setAutoRead(true);
    }

    /** Messages held while paused (for tests). */
    int heldCount() {
        return held.size();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        release();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        release();
    }

    private void release() {
        if (retry != null) {
            retry.cancel(false);
            retry = null;
        }
        held.clear();
    }
}
