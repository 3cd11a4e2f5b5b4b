package io.ringraft.internal.bytes;

import io.ringraft.api.Bytes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * A {@link Bytes} view of the bytes a {@link ByteBuffer} had remaining when the view was made, for
 * buffers without an accessible array (direct or read-only ones): what {@link Bytes#wrap(ByteBuffer)}
 * returns for those. Reads use the buffer's absolute accessors on a big-endian slice of it, so later
 * changes to the caller's position, limit or order do not move the view. Immutable; as thread-safe as
 * the memory behind it.
 */
public final class BufferBytes implements Bytes {

    private final ByteBuffer slice;

    /** @param buffer the buffer whose remaining bytes this view covers */
    public BufferBytes(ByteBuffer buffer) {
        this.slice = buffer.slice().order(ByteOrder.BIG_ENDIAN);
    }

    @Override
    public int length() {
        return slice.limit();
    }

    @Override
    public byte getByte(int index) {
        return slice.get(Objects.checkIndex(index, slice.limit()));
    }

    @Override
    public short getShort(int index) {
        return slice.getShort(Objects.checkFromIndexSize(index, Short.BYTES, slice.limit()));
    }

    @Override
    public int getInt(int index) {
        return slice.getInt(Objects.checkFromIndexSize(index, Integer.BYTES, slice.limit()));
    }

    @Override
    public long getLong(int index) {
        return slice.getLong(Objects.checkFromIndexSize(index, Long.BYTES, slice.limit()));
    }

    @Override
    public void getBytes(int index, byte[] dst, int dstOffset, int length) {
        Objects.checkFromIndexSize(index, length, slice.limit());
        slice.get(index, dst, dstOffset, length);
    }

    @Override
    public void getBytes(int index, ByteBuffer dst, int length) {
        Objects.checkFromIndexSize(index, length, slice.limit());
        if (dst.remaining() < length) {
            throw new java.nio.BufferOverflowException();
        }
        dst.put(dst.position(), slice, index, length);
        dst.position(dst.position() + length);
    }

    @Override
    public ByteBuffer asReadOnlyBuffer() {
        return slice.asReadOnlyBuffer().order(ByteOrder.BIG_ENDIAN);
    }

    @Override
    public String toString() {
        return "Bytes[" + length() + "]";
    }
}
