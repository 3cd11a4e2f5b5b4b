package io.ringraft.net.netty.internal.codec;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.ringraft.message.RaftMessage;

/** Frame helpers the codec tests share: encode, measure, patch and extend frames, expect rejection. */
final class Frames {

    /** The transport's default {@code maxFrameBytes}. */
    static final int DEFAULT_MAX_FRAME = 4 << 20;

    private Frames() {
    }

    static ByteBuf encode(RaftMessage message) {
        return MessageCodec.encode(ByteBufAllocator.DEFAULT, 1, message, DEFAULT_MAX_FRAME);
    }

    static int frameSize(RaftMessage message) {
        ByteBuf frame = encode(message);
        try {
            return frame.readableBytes();
        } finally {
            frame.release();
        }
    }

    static ByteBuf patchLong(ByteBuf frame, int at, long value) {
        frame.setLong(at, value);
        return frame;
    }

    static ByteBuf withExtraByte(ByteBuf frame) {
        ByteBuf longer = Unpooled.buffer(frame.readableBytes() + 1).writeBytes(frame).writeByte(0);
        frame.release();
        return longer;
    }

    /** Decoding {@code frame} (released here) fails with a message containing {@code text}. */
    static void assertMalformed(ByteBuf frame, String text) {
        try {
            assertThatThrownBy(() -> MessageCodec.decode(frame)).isInstanceOf(MalformedFrameException.class)
                    .hasMessageContaining(text);
        } finally {
            frame.release();
        }
    }
}
