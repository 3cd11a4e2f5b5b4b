package io.ringraft.net.netty.internal.channel;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.TooLongFrameException;
import io.ringraft.net.netty.internal.codec.WireFormat;
import java.nio.ByteOrder;

/**
 * Splits the byte stream into frames on their 4-byte length prefix (stripped), failing fast on a
 * frame longer than {@code maxFrameBytes}. Until the handshake completes the limit is
 * {@link WireFormat#MAX_HANDSHAKE_FRAME_BYTES}, so an unauthenticated connection cannot make the
 * node buffer a large frame. One instance per channel.
 */
final class FrameDecoder extends LengthFieldBasedFrameDecoder {

    private boolean handshakeDone;

    FrameDecoder(int maxFrameBytes) {
        super(maxFrameBytes + WireFormat.LENGTH_FIELD_BYTES, 0, WireFormat.LENGTH_FIELD_BYTES, 0,
                WireFormat.LENGTH_FIELD_BYTES, true);
    }

    /** Lifts the handshake limit; called on the event loop by the handshake handler. */
    void handshakeDone() {
        handshakeDone = true;
    }

    @Override
    protected long getUnadjustedFrameLength(ByteBuf buf, int offset, int length, ByteOrder order) {
        long frameLength = buf.getUnsignedInt(offset);
        if (!handshakeDone && frameLength > WireFormat.MAX_HANDSHAKE_FRAME_BYTES) {
            throw new TooLongFrameException("handshake frame of " + frameLength + " bytes exceeds "
                    + WireFormat.MAX_HANDSHAKE_FRAME_BYTES);
        }
        return frameLength;
    }
}
