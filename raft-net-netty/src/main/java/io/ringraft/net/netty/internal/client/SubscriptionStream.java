package io.ringraft.net.netty.internal.client;

import io.netty.channel.ChannelHandlerContext;
import io.ringraft.messaging.CommittedEntry;
import io.ringraft.messaging.HistoryPurgedException;
import io.ringraft.messaging.KeyedSubscription;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The serving side of one remote subscription: reads the replica's applied log from the subscriber's cursor
 * ({@link KeyedSubscription}) and writes SUBSCRIPTION_BATCH frames while the subscriber has credit and the
 * connection is writable (below Netty's write-buffer high-water mark); otherwise it holds only its cursor.
 * When the replica has applied nothing new it looks again after 1 ms, backing off to 8 ms while idle.
 * Event loop of its connection only (storage reads run there, as the client server's local queries do).
 */
final class SubscriptionStream {

    private static final int READS_PER_TURN = 16;
    private static final long MAX_IDLE_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(8);

    /** How the stream ended, for the handler's answer. */
    interface Ending {
        void ended(SubscriptionStream stream, ClientStatus status, String message, byte[] payload);
    }

    final long requestId;
    private final long groupId;
    private final ChannelHandlerContext ctx;
    private final KeyedSubscription reader;
    private final SubscriptionSpec spec;
    private final Ending ending;
    private int credit;
    private long batchFrom;
    private long idleDelayNanos;
    private boolean scheduled;
    private boolean ended;

    SubscriptionStream(long requestId, long groupId, ChannelHandlerContext ctx, KeyedSubscription reader,
                       SubscriptionSpec spec, Ending ending) {
        this.requestId = requestId;
        this.groupId = groupId;
        this.ctx = ctx;
        this.reader = reader;
        this.spec = spec;
        this.ending = ending;
        this.credit = spec.credit();
        this.batchFrom = spec.fromIndex();
    }

    /** The subscriber grants {@code batches} more; credit never exceeds the window (the excess is ignored). */
    void grant(int batches) {
        credit = Math.min(spec.window(), credit + batches);
        pump();
    }

    /** Stops without an answer (unsubscribed, or the connection closed). */
    void cancel() {
        ended = true;
    }

    /** Sends what it may; called on grants, on writability, on its timer. */
    void pump() {
        if (ended) {
            return;
        }
        for (int reads = 0; reads < READS_PER_TURN; reads++) {
            if (credit <= 0 || !ctx.channel().isWritable()) {
                return; // paused: a grant or the channel turning writable pumps again
            }
            long from = reader.nextIndex();
            List<CommittedEntry> entries;
            try {
                entries = reader.poll(spec.maxBatchEntries(), spec.maxBatchBytes());
            } catch (HistoryPurgedException purged) {
                end(ClientStatus.PURGED, purged.getMessage(), java.nio.ByteBuffer.allocate(16)
                        .putLong(purged.purgedIndex()).putLong(purged.snapshotIndex()).array());
                return;
            } catch (RuntimeException failed) {
                end(ClientStatus.FAILED, "reading the log failed at " + from + ": " + failed, null);
                return;
            }
            if (reader.nextIndex() == from) {
                if (!ctx.channel().isActive()) {
                    return;
                }
                idle();
                return;
            }
            idleDelayNanos = 0;
            if (!entries.isEmpty()) {
                credit--;
                ctx.writeAndFlush(SubscriptionCodec.encodeBatch(ctx.alloc(),
                        new SubscriptionBatch(groupId, requestId, batchFrom, reader.nextIndex(), entries)));
                batchFrom = reader.nextIndex();
            }
        }
        ctx.executor().execute(this::pump); // more to read: yield to the connection's other work first
    }

    private void idle() {
        if (scheduled) {
            return;
        }
        idleDelayNanos = idleDelayNanos == 0 ? TimeUnit.MILLISECONDS.toNanos(1)
                : Math.min(MAX_IDLE_DELAY_NANOS, idleDelayNanos * 2);
        scheduled = true;
        ctx.executor().schedule(() -> {
            scheduled = false;
            pump();
        }, idleDelayNanos, TimeUnit.NANOSECONDS);
    }

    private void end(ClientStatus status, String message, byte[] payload) {
        ended = true;
        ending.ended(this, status, message, payload);
    }
}
