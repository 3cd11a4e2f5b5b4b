package io.ringraft.internal.bytes;

import io.ringraft.api.Bytes;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * A {@link Bytes} view of {@code length} bytes of a {@code byte[]} from {@code offset}, re-pointed
 * with {@link #wrap}: the flyweight that the ring's entries, entry batches and heap entries hand out
 * as payloads, and what {@link Bytes#wrap(byte[])} returns. Multi-byte reads use
 * {@link MethodHandles#byteArrayViewVarHandle} (plain access, any alignment), bulk reads
 * {@link System#arraycopy}.
 *
 * <p>Owned by one thread at a time, like every view; re-pointing allocates nothing. Bounds are
 * checked against the view (not only the array), so a reader never sees a neighbouring entry's bytes.
 */
public final class ArrayBytes implements Bytes {

    private static final byte[] NOTHING = new byte[0];

    /** The empty view {@link Bytes#empty()} returns; it cannot be re-pointed. */
    public static final ArrayBytes EMPTY = new ArrayBytes(true);
    private static final VarHandle SHORT_BE = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle SHORT_LE = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final boolean fixed;
    private byte[] array = NOTHING;
    private int offset;
    private int length;

    /** An empty view, to be pointed somewhere with {@link #wrap}. */
    public ArrayBytes() {
        this(false);
    }

    private ArrayBytes(boolean fixed) {
        this.fixed = fixed;
    }

    /**
     * Points this view at {@code length} bytes of {@code array} from {@code offset}.
     *
     * @return this view
     * @throws IndexOutOfBoundsException if the range is outside {@code array}
     */
    public ArrayBytes wrap(byte[] array, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, array.length);
        if (fixed) {
            throw new UnsupportedOperationException("the shared empty view cannot be re-pointed");
        }
        this.array = array;
        this.offset = offset;
        this.length = length;
        return this;
    }

    /** Points this view at nothing (so that it no longer reaches the array it was over). */
    public void clear() {
        wrap(NOTHING, 0, 0);
    }

    /** {@return the array this view is over (for copies within RingRaft; never handed to users)} */
    public byte[] array() {
        return array;
    }

    /** {@return where this view starts in {@link #array()}} */
    public int offset() {
        return offset;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public byte getByte(int index) {
        return array[offset + Objects.checkIndex(index, length)];
    }

    @Override
    public short getShort(int index) {
        return (short) SHORT_BE.get(array, offset + Objects.checkFromIndexSize(index, Short.BYTES, length));
    }

    @Override
    public int getInt(int index) {
        return (int) INT_BE.get(array, offset + Objects.checkFromIndexSize(index, Integer.BYTES, length));
    }

    @Override
    public long getLong(int index) {
        return (long) LONG_BE.get(array, offset + Objects.checkFromIndexSize(index, Long.BYTES, length));
    }

    @Override
    public short getShort(int index, ByteOrder order) {
        int at = offset + Objects.checkFromIndexSize(index, Short.BYTES, length);
        return order == ByteOrder.BIG_ENDIAN ? (short) SHORT_BE.get(array, at) : (short) SHORT_LE.get(array, at);
    }

    @Override
    public int getInt(int index, ByteOrder order) {
        int at = offset + Objects.checkFromIndexSize(index, Integer.BYTES, length);
        return order == ByteOrder.BIG_ENDIAN ? (int) INT_BE.get(array, at) : (int) INT_LE.get(array, at);
    }

    @Override
    public long getLong(int index, ByteOrder order) {
        int at = offset + Objects.checkFromIndexSize(index, Long.BYTES, length);
        return order == ByteOrder.BIG_ENDIAN ? (long) LONG_BE.get(array, at) : (long) LONG_LE.get(array, at);
    }

    @Override
    public void getBytes(int index, byte[] dst, int dstOffset, int length) {
        Objects.checkFromIndexSize(index, length, this.length);
        System.arraycopy(array, offset + index, dst, dstOffset, length);
    }

    @Override
    public void getBytes(int index, ByteBuffer dst, int length) {
        Objects.checkFromIndexSize(index, length, this.length);
        dst.put(array, offset + index, length);
    }

    @Override
    public byte[] toByteArray() {
        return java.util.Arrays.copyOfRange(array, offset, offset + length);
    }

    @Override
    public ByteBuffer asReadOnlyBuffer() {
        return ByteBuffer.wrap(array, offset, length).slice().asReadOnlyBuffer();
    }

    @Override
    public String toString() {
        return "Bytes[" + length + "]";
    }
}
