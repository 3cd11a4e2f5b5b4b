package io.ringraft.examples.kv;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.redis.RedisMessage;
import java.util.ArrayDeque;
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
 * <p><b>Overload.</b> A data write that finds every admission slot taken ({@link WriteAdmission}) waits
 * at the door: the connection stops reading and is woken when a write completes, so an overloading
 * client is slowed by TCP back-pressure instead of being answered (and retrying) at the cost of a
 * refusal per command. Only a write that waited longer than {@code doorWaitNanos} is refused
 * ({@code -TRYAGAIN busy}: certainly without effect), so the node stays at its capacity and refuses the
 * excess only. When the server refused writes since the connection last looked, it also stops reading
 * for the retry hint (1 to 50 ms): a client that retries at once then waits in its socket.
 */
final class RespConnectionHandler extends ChannelInboundHandlerAdapter {

    /** A command not started yet, received at {@code arrivedNanos} ({@code System.nanoTime()}). */
    private record Waiting(List<byte[]> args, RespCommands.Kind kind, long arrivedNanos) {
    }

    private final RespCommands commands;
    private final int maxPending;
    private final long doorWaitNanos;
    /** Registered with admission to be woken when a slot frees (at most once at a time). */
    private final AtomicBoolean awaitingSlot = new AtomicBoolean();
    /** The head of {@link #waiting} is a write waiting for an admission slot (reading is off meanwhile). */
    private boolean blockedAtDoor;
    /** A timer is armed to refuse the door's head once it waited {@link #doorWaitNanos}. */
    private boolean doorTimerArmed;
    /** Admission slots this connection took (to tell whether a wake-up was used). */
    private long slotsTaken;
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

    /**
     * @param maxPending    commands a connection may hold (waiting or owed a reply) before it stops reading
     * @param doorWaitNanos how long a write may wait for admission before it is refused
     */
    RespConnectionHandler(RespCommands commands, int maxPending, long doorWaitNanos) {
        this.commands = commands;
        this.maxPending = maxPending;
        this.doorWaitNanos = doorWaitNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closeWhenDrained) {
            return;
        }
        if (msg instanceof RespCommandDecoder.ProtocolError error) {
            protocolError(error.reason());
            return;
        }
        List<byte[]> args = (List<byte[]>) msg; // RespCommandDecoder's only other output
        if (args.isEmpty()) {
            return; // an empty inline line, as Redis ignores it
        }
        waiting.add(new Waiting(args, RespCommands.kindOf(args), System.nanoTime()));
        startWhatMay();
        if (waiting.size() + replies.size() >= maxPending) {
            ctx.channel().config().setAutoRead(false);
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
            resumeReadingIfRoom();
        }, millis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Reads again unless closing, paused, blocked at the door or holding too many commands. */
    private void resumeReadingIfRoom() {
        if (!closeWhenDrained && !ctx.channel().config().isAutoRead() && pausedUntilNanos == 0 && !blockedAtDoor
                && waiting.size() + replies.size() <= maxPending / 2) {
            ctx.channel().config().setAutoRead(true);
        }
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

    /**
     * Starts waiting commands in order while each is compatible with what is still running and, for a
     * data write, admission has a slot; a write without one waits at the door (see the class comment).
     */
    private void startWhatMay() {
        blockedAtDoor = false;
        while (!waiting.isEmpty()) {
            Waiting next = waiting.peek();
            boolean running = startedAsync != completedAsync.get();
            if (running && next.kind() != RespCommands.Kind.LOCAL && next.kind() != runningKind) {
                return;
            }
            CompletableFuture<RedisMessage> reply;
            if (RespCommands.needsAdmission(next.args())) {
                if (commands.admission().tryAcquire()) {
                    slotsTaken++;
                    reply = commands.executeAdmitted(next.args());
                } else if (System.nanoTime() - next.arrivedNanos() >= doorWaitNanos) {
                    reply = CompletableFuture.completedFuture(commands.refusal()); // waited too long: the excess
                } else {
                    waitAtDoor(next);
                    return;
                }
            } else {
                reply = commands.execute(next.args());
            }
            waiting.poll();
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

    /**
     * The head write found no admission slot: stop reading, ask admission to wake this connection when
     * a slot frees, and arm a timer that refuses the head once it waited {@link #doorWaitNanos}.
     */
    private void waitAtDoor(Waiting head) {
        blockedAtDoor = true;
        ctx.channel().config().setAutoRead(false);
        if (awaitingSlot.compareAndSet(false, true)) {
            commands.admission().awaitSlot(this::wokenAtDoor);
        }
        if (!doorTimerArmed) {
            doorTimerArmed = true;
            long delay = Math.max(0, head.arrivedNanos() + doorWaitNanos - System.nanoTime());
            ctx.executor().schedule(() -> {
                doorTimerArmed = false;
                drain();
            }, delay, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    /** Admission freed a slot (called on the releasing thread): try the door again on the event loop. */
    private void wokenAtDoor() {
        awaitingSlot.set(false);
        ctx.executor().execute(() -> {
            long before = slotsTaken;
            if (ctx.channel().isActive()) {
                drain();
            }
            if (slotsTaken == before && !awaitingSlot.get()) {
                commands.admission().wakeNext(); // not needed here: pass the wake-up on
            }
        });
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
        if (wrote) {
            if (closeWhenDrained && replies.isEmpty()) {
                ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            ctx.flush();
        }
        resumeReadingIfRoom();
    }
}
