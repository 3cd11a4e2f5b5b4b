package io.ringraft.net.netty.internal.channel;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The frames senders encoded for one connection, waiting for its event loop to write them all and flush
 * once: cross-group batching at the socket. Every group and node of the process sends to a peer process
 * over the same connection; the frames that senders add while the event loop is busy or asleep leave in
 * one {@code write} (or {@code writev}) syscall instead of one each, and the event loop runs one task for
 * them instead of a task per frame.
 *
 * <p><b>How.</b> {@link #add} queues a frame and, if no drain is pending, hands one drain to the event
 * loop; the drain clears that mark first, then writes every frame it finds and flushes once. A frame
 * added after the mark was cleared schedules the next drain, so no frame waits for a later send.
 * Frames leave in the order they were added (per connection: a FIFO shared by all senders).
 *
 * <p><b>Bounded.</b> The queue holds no more bytes than its connection admits
 * ({@code PeerConnection.admit}: the queued bytes count against the write-buffer water marks together
 * with what Netty holds), so it is bounded by the high water mark plus the control reserve, plus one
 * frame per sender racing past the check.
 *
 * <p>Threads: {@link #add} from any sender thread; {@link #run} on the channel's event loop.
 */
final class SendQueue implements Runnable {

    final Channel channel;
    private final TransportCounters counters;
    private final ConcurrentLinkedQueue<ByteBuf> frames = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainPending = new AtomicBoolean();
    private final AtomicLong queuedBytes = new AtomicLong();

    SendQueue(Channel channel, TransportCounters counters) {
        this.channel = channel;
        this.counters = counters;
    }

    /** {@return the bytes of the frames queued and not yet handed to Netty} Any thread. */
    long queuedBytes() {
        return queuedBytes.get();
    }

    /** Queues {@code frame} (its reference passes to the queue) and makes sure a drain will write it. */
    void add(ByteBuf frame) {
        queuedBytes.addAndGet(frame.readableBytes());
        frames.offer(frame);
        if (drainPending.compareAndSet(false, true)) {
            try {
                channel.eventLoop().execute(this);
            } catch (RejectedExecutionException e) { // the event loop shut down: the connection is gone
                drainPending.set(false);
                discard();
            }
        }
    }

    /** Event loop: writes every queued frame and flushes once. */
    @Override
    public void run() {
        drainPending.set(false); // before polling: a frame added from now on schedules another drain
        int written = 0;
        for (ByteBuf frame; (frame = frames.poll()) != null; ) {
            queuedBytes.addAndGet(-frame.readableBytes());
            channel.write(frame, channel.voidPromise()); // a closed channel releases it
            written++;
        }
        if (written > 0) {
            channel.flush();
            counters.flushes.increment();
        }
    }

    /** Releases what is queued (the event loop will not run again). */
    private void discard() {
        for (ByteBuf frame; (frame = frames.poll()) != null; ) {
            queuedBytes.addAndGet(-frame.readableBytes());
            frame.release();
        }
    }
}
