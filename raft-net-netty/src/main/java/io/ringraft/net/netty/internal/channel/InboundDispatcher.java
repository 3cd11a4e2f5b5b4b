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
 * {@code maxHeldInboundFrames}. Frames are released as soon as they are decoded.
 *
 * <p><b>Ownership.</b> A decoded AppendEntries with entries holds a reference to its frame's pooled
 * memory (no copy, see {@code WireLogEntries}). It becomes the node's when the node's
 * {@code InboundHandler} accepts it (the node releases it); until then this dispatcher owns it, and
 * releases every message it drops: no node (or one that threw from {@code offer}), held queue full,
 * still refused at the end of the pause, or the connection closed or the handler removed while it
 * was held. Event loop only.
 */
final class InboundDispatcher extends ChannelInboundHandlerAdapter {

    private static final long FIRST_RETRY_MILLIS = 1;
    private static final long MAX_RETRY_MILLIS = 32;

    private final TransportContext context;
    private final ArrayDeque<RoutedMessage> held = new ArrayDeque<>();
    /**
     * How long the current pause has lasted when the scheduled retry runs: the sum of the retry delays.
     * Retries never run early, so the pause lasts at least this long. Counted rather than read from a
     * clock: {@code EventExecutor.ticker()} exists only in Netty 4.2, and EmbeddedChannel's virtual time
     * (the tests') moves the scheduled retries in both 4.1 and 4.2.
     */
    private long pausedNanos;
    private long retryMillis = FIRST_RETRY_MILLIS;
    private ScheduledFuture<?> retry;
    /** Set when the channel went inactive or this handler was removed: nothing is held any more. */
    private boolean closed;

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
        int bytes = frame.readableBytes();
        try {
            if (closed || !ctx.channel().isActive()) {
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
        context.counters.bytesReceived.add(bytes);
        if (!held.isEmpty()) {
            hold(routed);
            return;
        }
        switch (context.router.deliver(routed)) {
            case DELIVERED -> { } // the node's now
            case NO_NODE -> dropNoNode(routed);
            case FULL -> {
                hold(routed);
                pause(ctx);
            }
        }
    }

    private void hold(RoutedMessage routed) {
        if (held.size() >= context.settings.maxHeldInboundFrames()) {
            dropFull(routed);
            return;
        }
        held.addLast(routed);
    }

    private void dropNoNode(RoutedMessage routed) {
        context.counters.inboundDroppedNoNode.increment();
        routed.release();
    }

    private void dropFull(RoutedMessage routed) {
        context.counters.inboundDroppedFull.increment();
        routed.release();
    }

    private void pause(ChannelHandlerContext ctx) {
        ctx.channel().config().setAutoRead(false);
        context.counters.inboundPauses.increment();
        pausedNanos = 0;
        retryMillis = FIRST_RETRY_MILLIS;
        scheduleRetry(ctx);
    }

    private void scheduleRetry(ChannelHandlerContext ctx) {
        pausedNanos += TimeUnit.MILLISECONDS.toNanos(retryMillis);
        retry = ctx.executor().schedule(() -> retry(ctx), retryMillis, TimeUnit.MILLISECONDS);
        retryMillis = Math.min(MAX_RETRY_MILLIS, retryMillis * 2);
    }

    private void retry(ChannelHandlerContext ctx) {
        retry = null;
        if (!ctx.channel().isActive()) {
            releaseHeld();
            return;
        }
        boolean expired = pausedNanos >= context.settings.maxInboundPauseNanos();
        while (!held.isEmpty()) {
            RoutedMessage head = held.peekFirst();
            InboundRouter.Result result = context.router.deliver(head);
            if (result == InboundRouter.Result.FULL && !expired) {
                scheduleRetry(ctx);
                return;
            }
            held.pollFirst();
            if (result == InboundRouter.Result.FULL) {
                dropFull(head);
            } else if (result == InboundRouter.Result.NO_NODE) {
                dropNoNode(head);
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
        close();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        close();
    }

    private void close() {
        closed = true;
        if (retry != null) {
            retry.cancel(false);
            retry = null;
        }
        releaseHeld();
    }

    /** Drops every held message (not counted: the connection is gone), giving back its frame memory. */
    private void releaseHeld() {
        for (RoutedMessage routed; (routed = held.pollFirst()) != null; ) {
            routed.release();
        }
    }
}
