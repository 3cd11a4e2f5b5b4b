package io.ringraft.examples.kv;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.FullBulkStringRedisMessage;
import io.netty.handler.codec.redis.InlineCommandRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.handler.codec.redis.SimpleStringRedisMessage;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One RESP connection. Commands take effect in the order the client sent them, and replies are
 * written in that order, whatever order the futures complete in (pipelining).
 *
 * <p><b>Order.</b> Consecutive writes start together (proposed in order at the leader, so the log
 * keeps their order, and a pipelined batch of writes is proposed as one burst), and so do
 * consecutive reads (they share ReadIndex rounds); but a read waits until the connection's earlier
 * writes completed, and a write until its earlier reads completed. So a pipelined
 * {@code INCR k; GET k} reads its own write, as with Redis.
 *
 * <p><b>Threads.</b> Everything here runs on the connection's event loop; a future completing on a
 * Raft thread only counts itself and schedules a drain. Nothing ever waits for a future.
 *
 * <p><b>Bounded.</b> When {@code maxPending} commands are waiting or owed a reply, the connection
 * stops reading (auto-read off) until half of them are answered: a client that pipelines without
 * reading holds a bounded amount of work (plus what one socket read already decoded).
 *
 * <p><b>Overload.</b> When the server refused writes at the door ({@code -TRYAGAIN busy}) since the
 * connection last looked, it stops reading for the retry hint (1 to 50 ms): a client that retries at
 * once (most benchmarks do) then waits in its socket instead of costing a refusal per retry, which
 * keeps the node's CPU for the writes it admitted.
 */
final class RespConnectionHandler extends ChannelInboundHandlerAdapter {

    /** A command not started yet. */
    private record Waiting(List<byte[]> args, RespCommands.Kind kind) {
    }

    private final RespCommands commands;
    private final int maxPending;
    /** Commands not started yet, in arrival order; all of them arrived after every started one. */
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    /** Replies owed, in arrival order. */
    private final ArrayDeque<CompletableFuture<RedisMessage>> replies = new ArrayDeque<>();
    private final AtomicInteger completedAsync = new AtomicInteger();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private int startedAsync;
    /** The kind of the started commands not yet complete (all one kind). */
    private RespCommands.Kind runningKind;
    private ChannelHandlerContext ctx;
    private boolean closeWhenDrained;
    /** {@code RespCommands.writesRefused()} when this connection last looked. */
    private long refusalsSeen;
    /** Reading is paused (overload) until this time ({@code System.nanoTime()}), or 0. */
    private long pausedUntilNanos;

    RespConnectionHandler(RespCommands commands, int maxPending) {
        this.commands = commands;
        this.maxPending = maxPending;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (closeWhenDrained) {
                return;
            }
            List<byte[]> args = arguments(msg);
            if (args == null) {
                protocolError("expected an array of bulk strings");
                return;
            }
            if (args.isEmpty()) {
                return; // an empty inline line, as Redis ignores it
            }
            waiting.add(new Waiting(args, RespCommands.kindOf(args)));
            startWhatMay();
            if (waiting.size() + replies.size() >= maxPending) {
                ctx.channel().config().setAutoRead(false);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        drain();
        long refused = commands.writesRefused();
        if (refused != refusalsSeen) {
            refusalsSeen = refused;
            pauseReading(Math.max(1, Math.min(50, commands.retryAfterMillis())));
        }
    }

    /** Stops reading for {@code millis}, then resumes unless the connection is full or closing. */
    private void pauseReading(long millis) {
        if (closeWhenDrained) {
            return;
        }
        pausedUntilNanos = System.nanoTime() + millis * 1_000_000L;
        ctx.channel().config().setAutoRead(false);
        ctx.executor().schedule(() -> {
            pausedUntilNanos = 0;
            if (!closeWhenDrained && waiting.size() + replies.size() <= maxPending / 2) {
                ctx.channel().config().setAutoRead(true);
            }
        }, millis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        protocolError(String.valueOf(cause.getMessage()));
        drain();
    }

    private void protocolError(String why) {
        waiting.clear(); // the stream is broken: nothing after the last good command runs
        replies.add(CompletableFuture.completedFuture(RespReplies.error("ERR Protocol error: " + why)));
        closeWhenDrained = true;
    }

    /** Starts waiting commands in order while each is compatible with what is still running. */
    private void startWhatMay() {
        while (!waiting.isEmpty()) {
            Waiting next = waiting.peek();
            boolean running = startedAsync != completedAsync.get();
            if (running && next.kind() != RespCommands.Kind.LOCAL && next.kind() != runningKind) {
                return;
            }
            waiting.poll();
            CompletableFuture<RedisMessage> reply = commands.execute(next.args());
            replies.add(reply);
            if (!reply.isDone()) {
                startedAsync++;
                runningKind = next.kind();
                reply.whenComplete((r, e) -> {
                    completedAsync.incrementAndGet();
                    scheduleDrain();
                });
            }
        }
    }

    private void scheduleDrain() {
        if (drainScheduled.compareAndSet(false, true)) {
            ctx.executor().execute(() -> {
                drainScheduled.set(false);
                drain();
            });
        }
    }

    /** Starts what may start, then writes every ready reply at the head of the queue, in order. */
    private void drain() {
        startWhatMay();
        boolean wrote = false;
        while (!replies.isEmpty() && replies.peek().isDone()) {
            ctx.write(replies.poll().getNow(null));
            wrote = true;
        }
        if (!wrote) {
            return;
        }
        if (closeWhenDrained && replies.isEmpty()) {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.flush();
        if (!closeWhenDrained && !ctx.channel().config().isAutoRead() && pausedUntilNanos == 0
                && waiting.size() + replies.size() <= maxPending / 2) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    /** A command's arguments, or null if the message is not a command. */
    private static List<byte[]> arguments(Object msg) {
        if (msg instanceof InlineCommandRedisMessage inline) {
            List<byte[]> args = new ArrayList<>();
            for (String word : inline.content().trim().split("\\s+")) {
                if (!word.isEmpty()) {
                    args.add(word.getBytes(StandardCharsets.UTF_8));
                }
            }
            return args;
        }
        if (!(msg instanceof ArrayRedisMessage array) || array.isNull() || array.children().isEmpty()) {
            return null;
        }
        List<byte[]> args = new ArrayList<>(array.children().size());
        for (RedisMessage child : array.children()) {
            if (child instanceof FullBulkStringRedisMessage bulk && !bulk.isNull()) {
                byte[] bytes = new byte[bulk.content().readableBytes()];
                bulk.content().getBytes(bulk.content().readerIndex(), bytes);
                args.add(bytes);
            } else if (child instanceof SimpleStringRedisMessage simple) {
                args.add(simple.content().getBytes(StandardCharsets.UTF_8));
            } else {
                return null;
            }
        }
        return args;
    }
}
