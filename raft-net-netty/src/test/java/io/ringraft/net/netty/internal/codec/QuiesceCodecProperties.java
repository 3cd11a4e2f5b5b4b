package io.ringraft.net.netty.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.ringraft.api.LogId;
import io.ringraft.message.Quiesce;
import io.ringraft.message.RaftMessage;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The QUIESCE frame (type 29, a 40-byte control body: from, to, term, last log term, last log index):
 * every valid message round-trips with any group id, and every malformed body (short, long, a field a
 * {@link Quiesce} refuses) is rejected as a {@link MalformedFrameException} before any message exists.
 */
class QuiesceCodecProperties {

    private static final int MAX_FRAME = 64 * 1024;
    /** Offsets in the frame: header (version, type, group id) is 10 bytes. */
    private static final int FROM = 10;
    private static final int TO = 18;
    private static final int TERM = 26;
    private static final int LAST_TERM = 34;
    private static final int LAST_INDEX = 42;

    @Provide
    Arbitrary<Quiesce> quiesces() {
        return TestMessages.quiesces();
    }

    @Property(tries = 300)
    void quiesceRoundTrips(@ForAll("quiesces") Quiesce message, @ForAll long groupId) {
        ByteBuf frame = MessageCodec.encode(ByteBufAllocator.DEFAULT, groupId, message, MAX_FRAME);
        try {
            assertThat(frame.readableBytes()).isEqualTo(WireFormat.HEADER_BYTES + 40);
            assertThat(frame.getByte(1)).isEqualTo(WireFormat.QUIESCE);
            RoutedMessage decoded = MessageCodec.decode(frame);
            assertThat(frame.isReadable()).isFalse();
            assertThat(decoded.groupId()).isEqualTo(groupId);
            assertThat(decoded.message()).isEqualTo(message);
            decoded.release();
        } finally {
            frame.release();
        }
    }

    @Example
    void extremeValuesRoundTrip() {
        long max = Long.MAX_VALUE;
        for (Quiesce message : new Quiesce[] {new Quiesce(max, max, max, new LogId(max, max)),
                new Quiesce(1, 1, 0, LogId.ZERO), new Quiesce(3, 2, 7, new LogId(0, max))}) {
            ByteBuf frame = MessageCodec.encode(ByteBufAllocator.DEFAULT, Long.MIN_VALUE, message, MAX_FRAME);
            RoutedMessage decoded = MessageCodec.decode(frame);
            assertThat(decoded.message()).isEqualTo(message);
            decoded.release();
            frame.release();
        }
    }

    @Example
    void aShortBodyIsRejected() {
        ByteBuf frame = encode(valid());
        ByteBuf shorter = frame.slice(0, frame.readableBytes() - 1); // shares the frame's count: released with it
        assertMalformed(shorter, "QUIESCE body needs 40 more bytes, frame has 39");
    }

    @Example
    void trailingBytesAreRejected() {
        ByteBuf frame = encode(valid());
        ByteBuf longer = Unpooled.buffer().writeBytes(frame).writeByte(0);
        assertMalformed(longer, "QUIESCE has 1 trailing bytes");
        frame.release();
    }

    @Example
    void badFieldsAreRejected() {
        assertMalformed(patchLong(encode(valid()), FROM, 0), "node ids must be positive");
        assertMalformed(patchLong(encode(valid()), TO, -1), "node ids must be positive");
        assertMalformed(patchLong(encode(valid()), TERM, -5), "invalid QUIESCE");
        assertMalformed(patchLong(encode(valid()), LAST_TERM, -1), "invalid QUIESCE");
        assertMalformed(patchLong(encode(valid()), LAST_INDEX, Long.MIN_VALUE), "invalid QUIESCE");
        // a last entry of a term after the leader's own cannot exist
        assertMalformed(patchLong(encode(valid()), LAST_TERM, 8), "invalid QUIESCE");
    }

    @Example
    void aQuiesceFrameWithAnotherControlTypeIsRejected() {
        ByteBuf frame = encode(valid());
        frame.setByte(1, WireFormat.TIMEOUT_NOW); // 24 body bytes expected, 40 present
        assertMalformed(frame, "TIMEOUT_NOW has 16 trailing bytes");
    }

    @Example
    void theTypeHasItsName() {
        assertThat(WireFormat.typeName(WireFormat.QUIESCE)).isEqualTo("QUIESCE");
    }

    // ---- helpers

    private static Quiesce valid() {
        return new Quiesce(2, 1, 7, new LogId(6, 40));
    }

    private static ByteBuf encode(RaftMessage message) {
        ByteBuf frame = MessageCodec.encode(ByteBufAllocator.DEFAULT, 5, message, MAX_FRAME);
        ByteBuf heap = Unpooled.buffer().writeBytes(frame);
        frame.release();
        return heap;
    }

    private static ByteBuf patchLong(ByteBuf frame, int offset, long value) {
        frame.setLong(offset, value);
        return frame;
    }

    private static void assertMalformed(ByteBuf frame, String message) {
        try {
            assertThatThrownBy(() -> MessageCodec.decode(frame)).isInstanceOf(MalformedFrameException.class)
                    .hasMessageContaining(message);
        } finally {
            frame.release();
        }
    }
}
