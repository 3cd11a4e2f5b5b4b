package io.ringraft.api;

import io.ringraft.internal.bytes.ArrayBytes;
import io.ringraft.internal.bytes.BufferBytes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * A read-only view of {@link #length()} bytes: how RingRaft hands over a log entry's payload
 * ({@code io.ringraft.spi.LogEntries#payloadAt}) and a read's query
 * ({@code io.ringraft.spi.StateMachine#query}), without copying them and without exposing the
 * memory behind them. Indexes are 0-based within the view; every access outside
 * {@code [0, length())} throws {@link IndexOutOfBoundsException}.
 *
 * <p><b>Byte order.</b> {@link #getShort(int)}, {@link #getInt(int)} and {@link #getLong(int)} read
 * big-endian (network order, as {@link ByteBuffer} and {@link java.io.DataInput} do); the overloads
 * with a {@link ByteOrder} read either order.
 *
 * <p><b>Who calls it, and how long a view lives.</b> RingRaft passes views to the state machine, the
 * log storage and the transport, on the thread of the task that calls them (applier, log writer,
 * peer sender). A view is valid only as long as the call or object that produced it says (for
 * {@code payloadAt}: until the next {@code payloadAt} on the same entries, and never beyond the call
 * the entries were passed to): whoever keeps the bytes copies them ({@link #toByteArray()},
 * {@link #getBytes}). A view may be a flyweight that its producer re-points later, so do not keep
 * the object itself either. Views are not thread-safe and never block. Reading RingRaft's own views
 * allocates nothing, except {@link #toByteArray()} and {@link #asReadOnlyBuffer()}.
 *
 * <p><b>Implementing it.</b> Applications rarely need to: {@link #wrap(byte[])} and
 * {@link #wrap(ByteBuffer)} cover arrays and buffers. A {@code LogStorage} or transport that reads
 * its own memory may implement {@link #length()}, {@link #getByte(int)} and
 * {@link #getBytes(int, byte[], int, int)}; the other methods have correct (byte-by-byte or
 * copying) defaults that an implementation overrides where it can do better.
 *
 * <p>Unlike Agrona's {@code DirectBuffer}, which RingRaft's API exposed before, this type needs no
 * access to JDK internals: RingRaft runs without {@code --add-exports} or any other JVM option.
 */
public interface Bytes {

    /** {@return the number of bytes in this view, {@code >= 0}} */
    int length();

    /**
     * {@return the byte at {@code index}}
     *
     * @param index {@code 0 <= index < length()}
     * @throws IndexOutOfBoundsException if {@code index} is outside the view
     */
    byte getByte(int index);

    /**
     * Copies {@code length} bytes from {@code index} into {@code dst} at {@code dstOffset}.
     *
     * @param index     first byte to copy, within this view
     * @param dst       where to copy them
     * @param dstOffset where in {@code dst} the first byte goes
     * @param length    how many bytes to copy
     * @throws IndexOutOfBoundsException if the range is outside this view or outside {@code dst}
     */
    void getBytes(int index, byte[] dst, int dstOffset, int length);

    /**
     * {@return the big-endian {@code short} at {@code index}}
     *
     * @param index first of the two bytes, {@code 0 <= index <= length() - 2}
     * @throws IndexOutOfBoundsException if the two bytes are not all inside the view
     */
    default short getShort(int index) {
        Objects.checkFromIndexSize(index, Short.BYTES, length());
        return (short) ((getByte(index) & 0xff) << 8 | getByte(index + 1) & 0xff);
    }

    /**
     * {@return the big-endian {@code int} at {@code index}}
     *
     * @param index first of the four bytes, {@code 0 <= index <= length() - 4}
     * @throws IndexOutOfBoundsException if the four bytes are not all inside the view
     */
    default int getInt(int index) {
        Objects.checkFromIndexSize(index, Integer.BYTES, length());
        int value = 0;
        for (int i = 0; i < Integer.BYTES; i++) {
            value = value << 8 | getByte(index + i) & 0xff;
        }
        return value;
    }

    /**
     * {@return the big-endian {@code long} at {@code index}}
     *
     * @param index first of the eight bytes, {@code 0 <= index <= length() - 8}
     * @throws IndexOutOfBoundsException if the eight bytes are not all inside the view
     */
    default long getLong(int index) {
        Objects.checkFromIndexSize(index, Long.BYTES, length());
        long value = 0;
        for (int i = 0; i < Long.BYTES; i++) {
            value = value << 8 | getByte(index + i) & 0xffL;
        }
        return value;
    }

    /**
     * {@return the {@code short} at {@code index} in byte order {@code order}}
     *
     * @param index first of the two bytes, {@code 0 <= index <= length() - 2}
     * @param order the byte order to read in
     * @throws IndexOutOfBoundsException if the two bytes are not all inside the view
     */
    default short getShort(int index, ByteOrder order) {
        short value = getShort(index);
        return order == ByteOrder.BIG_ENDIAN ? value : Short.reverseBytes(value);
    }

    /**
     * {@return the {@code int} at {@code index} in byte order {@code order}}
     *
     * @param index first of the four bytes, {@code 0 <= index <= length() - 4}
     * @param order the byte order to read in
     * @throws IndexOutOfBoundsException if the four bytes are not all inside the view
     */
    default int getInt(int index, ByteOrder order) {
        int value = getInt(index);
        return order == ByteOrder.BIG_ENDIAN ? value : Integer.reverseBytes(value);
    }

    /**
     * {@return the {@code long} at {@code index} in byte order {@code order}}
     *
     * @param index first of the eight bytes, {@code 0 <= index <= length() - 8}
     * @param order the byte order to read in
     * @throws IndexOutOfBoundsException if the eight bytes are not all inside the view
     */
    default long getLong(int index, ByteOrder order) {
        long value = getLong(index);
        return order == ByteOrder.BIG_ENDIAN ? value : Long.reverseBytes(value);
    }

    /**
     * Copies {@code length} bytes from {@code index} into {@code dst} at its position, and moves that
     * position on by {@code length} (as {@link ByteBuffer#put(byte[], int, int)} does).
     *
     * @param index  first byte to copy, within this view
     * @param dst    where to copy them (heap or direct)
     * @param length how many bytes to copy
     * @throws IndexOutOfBoundsException if the range is outside this view
     * @throws java.nio.BufferOverflowException if {@code dst} has fewer than {@code length} bytes remaining
     * @throws java.nio.ReadOnlyBufferException if {@code dst} is read-only
     */
    default void getBytes(int index, ByteBuffer dst, int length) {
        Objects.checkFromIndexSize(index, length, length());
        if (dst.isReadOnly()) {
            throw new java.nio.ReadOnlyBufferException();
        }
        if (dst.remaining() < length) {
            throw new java.nio.BufferOverflowException();
        }
        if (dst.hasArray()) {
            getBytes(index, dst.array(), dst.arrayOffset() + dst.position(), length);
            dst.position(dst.position() + length);
        } else {
            for (int i = 0; i < length; i++) {
                dst.put(getByte(index + i));
            }
        }
    }

    /** {@return a new array holding a copy of every byte of this view} */
    default byte[] toByteArray() {
        byte[] copy = new byte[length()];
        getBytes(0, copy, 0, copy.length);
        return copy;
    }

    /**
     * A read-only {@link ByteBuffer} of these bytes: position 0, limit and capacity {@link #length()},
     * big-endian. RingRaft's own views share their memory with the buffer (no copy; one small object
     * is allocated), so the buffer is valid exactly as long as this view is. The default
     * implementation copies ({@link #toByteArray()}).
     *
     * @return a read-only buffer of this view's bytes
     */
    default ByteBuffer asReadOnlyBuffer() {
        return ByteBuffer.wrap(toByteArray()).asReadOnlyBuffer();
    }

    /**
     * {@return a view of all of {@code array} (not a copy: later changes to the array show through)}
     *
     * @param array the bytes
     */
    static Bytes wrap(byte[] array) {
        return new ArrayBytes().wrap(array, 0, array.length);
    }

    /**
     * {@return a view of {@code length} bytes of {@code array} from {@code offset} (not a copy)}
     *
     * @param array  the bytes
     * @param offset where the view starts in {@code array}
     * @param length how many bytes it covers
     * @throws IndexOutOfBoundsException if the range is outside {@code array}
     */
    static Bytes wrap(byte[] array, int offset, int length) {
        return new ArrayBytes().wrap(array, offset, length);
    }

    /**
     * A view of the bytes {@code buffer} has remaining (from its position to its limit), heap or
     * direct. Not a copy: later changes to the contents show through; later changes to the buffer's
     * position, limit or byte order do not.
     *
     * @param buffer the bytes
     * @return the view
     */
    static Bytes wrap(ByteBuffer buffer) {
        if (buffer.hasArray()) {
            return new ArrayBytes().wrap(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
        }
        return new BufferBytes(buffer);
    }

    /** {@return an empty view} */
    static Bytes empty() {
        return ArrayBytes.EMPTY;
    }
}
