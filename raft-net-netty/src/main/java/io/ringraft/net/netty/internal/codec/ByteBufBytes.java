package io.ringraft.net.netty.internal.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ringraft.api.Bytes;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * A {@link Bytes} view of {@code length} bytes of a Netty {@link ByteBuf} from {@code index}: how
 * {@link WireLogEntries} hands out a received entry's payload without copying it out of the frame,
 * whatever memory the frame is in (pooled or not, heap, direct or composite). Reads go through the
 * buffer's absolute accessors (big-endian, or their {@code LE} forms), so they never move its
 * reader or writer index and need nothing but Netty's public API.
 *
 * <p>A flyweight: {@link #wrap} re-points it, {@link #clear} points it at nothing. Owned by the
 * thread that reads the entries, like the view that hands it out; never blocks.
 */
final class ByteBufBytes implements Bytes {

    private ByteBuf buffer = Unpooled.EMPTY_BUFFER;
    private int index;
    private int length;

    /** Points this view at {@code length} bytes of {@code buffer} from {@code index}. */
    ByteBufBytes wrap(ByteBuf buffer, int index, int length) {
        this.buffer = buffer;
        this.index = index;
        this.length = length;
        return this;
    }

    /** Points this view at nothing, so that it no longer reaches the buffer's memory. */
    void clear() {
        wrap(Unpooled.EMPTY_BUFFER, 0, 0);
    }

    /** {@return the buffer this view reads (for tests: a view, not a copy)} */
    ByteBuf buffer() {
        return buffer;
    }

    /** {@return where in {@link #buffer()} this view starts} */
    int index() {
        return index;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public byte getByte(int i) {
        return buffer.getByte(index + Objects.checkIndex(i, length));
    }

    @Override
    public short getShort(int i) {
        return buffer.getShort(index + Objects.checkFromIndexSize(i, Short.BYTES, length));
    }

    @Override
    public int getInt(int i) {
        return buffer.getInt(index + Objects.checkFromIndexSize(i, Integer.BYTES, length));
    }

    @Override
    public long getLong(int i) {
        return buffer.getLong(index + Objects.checkFromIndexSize(i, Long.BYTES, length));
    }

    @Override
    public short getShort(int i, ByteOrder order) {
        int at = index + Objects.checkFromIndexSize(i, Short.BYTES, length);
        return order == ByteOrder.BIG_ENDIAN ? buffer.getShort(at) : buffer.getShortLE(at);
    }

    @Override
    public int getInt(int i, ByteOrder order) {
        int at = index + Objects.checkFromIndexSize(i, Integer.BYTES, length);
        return order == ByteOrder.BIG_ENDIAN ? buffer.getInt(at) : buffer.getIntLE(at);
    }

    @Override
    public long getLong(int i, ByteOrder order) {
        int at = index + Objects.checkFromIndexSize(i, Long.BYTES, length);
        return order == ByteOrder.BIG_ENDIAN ? buffer.getLong(at) : buffer.getLongLE(at);
    }

    @Override
    public void getBytes(int i, byte[] dst, int dstOffset, int count) {
        Objects.checkFromIndexSize(i, count, length);
        Objects.checkFromIndexSize(dstOffset, count, dst.length);
        buffer.getBytes(index + i, dst, dstOffset, count);
    }

    @Override
    public void getBytes(int i, ByteBuffer dst, int count) {
        Objects.checkFromIndexSize(i, count, length);
        if (dst.isReadOnly()) {
            throw new java.nio.ReadOnlyBufferException();
        }
        if (dst.remaining() < count) {
            throw new BufferOverflowException();
        }
        int limit = dst.limit();
        dst.limit(dst.position() + count); // Netty copies until dst's limit
        try {
            buffer.getBytes(index + i, dst);
        } finally {
            dst.limit(limit);
        }
    }

    @Override
    public ByteBuffer asReadOnlyBuffer() {
        return buffer.nioBuffer(index, length).asReadOnlyBuffer().order(ByteOrder.BIG_ENDIAN);
    }

    @Override
    public String toString() {
        return "Bytes[" + length + "]";
    }
}
