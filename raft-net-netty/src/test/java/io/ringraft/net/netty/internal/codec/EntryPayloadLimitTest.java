package io.ringraft.net.netty.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.ringraft.api.EntryKind;
import io.ringraft.api.LogId;
import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.ForwardProposal;
import io.ringraft.message.HeapLogEntries;
import org.junit.jupiter.api.Test;

/**
 * {@link MessageCodec#maxEntryPayloadBytes} is exact: an AppendEntries holding one entry of that size
 * fills a frame of {@code maxFrameBytes} to the byte, one byte more does not fit, and a forwarded command
 * of that size fits too. This is what {@code NettyTransport.maxEntryBytes()} reports to the node's builder.
 */
class EntryPayloadLimitTest {

    @Test
    void theLargestEntryFillsAFrameExactly() {
        for (int frame : new int[] {WireFormat.MIN_MAX_FRAME_BYTES, 64 << 10, 4 << 20}) {
            int payload = MessageCodec.maxEntryPayloadBytes(frame);
            AppendEntriesRequest fits = oneEntry(payload);
            assertThat(MessageCodec.entriesFitting(fits, frame)).as("frame %d", frame).isEqualTo(1);
            ByteBuf encoded = MessageCodec.encode(UnpooledByteBufAllocator.DEFAULT, 1, fits, frame);
            try {
                assertThat(encoded.readableBytes()).as("frame %d", frame).isEqualTo(frame);
            } finally {
                encoded.release();
            }
            assertThat(MessageCodec.entriesFitting(oneEntry(payload + 1), frame)).as("frame %d", frame).isZero();
            assertThat(MessageCodec.unsendableReason(new ForwardProposal(2, 1, 3, 9, new byte[payload]), frame))
                    .as("frame %d", frame).isNull();
        }
        assertThat(MessageCodec.maxEntryPayloadBytes(4 << 20)).isEqualTo((4 << 20) - 75);
    }

    private static AppendEntriesRequest oneEntry(int payload) {
        return new AppendEntriesRequest(1, 2, 3, new LogId(3, 10),
                HeapLogEntries.builder(11).add(3, EntryKind.COMMAND, new byte[payload]).build(), 10);
    }
}
