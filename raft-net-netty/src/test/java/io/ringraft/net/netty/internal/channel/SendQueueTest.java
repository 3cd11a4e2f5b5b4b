package io.ringraft.net.netty.internal.channel;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A connection's send queue on an embedded channel, whose event loop runs its tasks only when told: frames
 * wait until the drain, leave in order, and everything queued before a drain leaves with one flush.
 */
class SendQueueTest {

    private final List<String> pipelineEvents = new ArrayList<>();
    private final EmbeddedChannel channel = new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
        @Override
        public void flush(ChannelHandlerContext ctx) {
            pipelineEvents.add("flush");
            ctx.flush();
        }
    });
    private final TransportCounters counters = new TransportCounters();
    private final SendQueue queue = new SendQueue(channel, counters);

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private static ByteBuf frame(int id, int bytes) {
        ByteBuf frame = Unpooled.buffer(bytes);
        frame.writeInt(id);
        frame.writerIndex(bytes);
        return frame;
    }

    private int nextWritten() {
        ByteBuf written = channel.readOutbound();
        if (written == null) {
            return -1;
        }
        try {
            return written.getInt(0);
        } finally {
            written.release();
        }
    }

    @Test
    void framesQueuedBeforeADrainLeaveInOrderWithOneFlush() {
        queue.add(frame(1, 100));
        queue.add(frame(2, 50));
        queue.add(frame(3, 10));
        assertThat(queue.queuedBytes()).isEqualTo(160);
        assertThat(channel.outboundMessages()).as("nothing written before the event loop drains").isEmpty();

        channel.runPendingTasks(); // one drain
        assertThat(pipelineEvents).containsExactly("flush");
        assertThat(counters.flushes.sum()).isEqualTo(1);
        assertThat(queue.queuedBytes()).isZero();
        assertThat(nextWritten()).isEqualTo(1);
        assertThat(nextWritten()).isEqualTo(2);
        assertThat(nextWritten()).isEqualTo(3);
        assertThat(nextWritten()).isEqualTo(-1);

        // A frame after the drain schedules the next one: it does not wait for a later send.
        queue.add(frame(4, 20));
        channel.runPendingTasks();
        assertThat(counters.flushes.sum()).isEqualTo(2);
        assertThat(nextWritten()).isEqualTo(4);
    }

    @Test
    void aFrameQueuedAsTheChannelClosesIsReleased() {
        channel.close(); // the connection closed; a sender still held its queue
        ByteBuf frame = frame(1, 64);
        queue.add(frame);
        channel.runPendingTasks();
        assertThat(frame.refCnt()).as("the drain's write to the closed channel released the frame").isZero();
        assertThat(queue.queuedBytes()).isZero();
        assertThat(counters.flushes.sum()).isEqualTo(1);
        try {
            channel.checkException(); // the failed write, reported to the pipeline as on a real connection
        } catch (Exception expected) {
            assertThat(expected).isInstanceOf(java.nio.channels.ClosedChannelException.class);
        }
    }
}
