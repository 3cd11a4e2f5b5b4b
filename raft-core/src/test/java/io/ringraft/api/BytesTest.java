package io.ringraft.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The {@link Bytes} contract for every implementation RingRaft hands out (over an array, over a heap
 * or direct buffer) and for one that implements only the three abstract methods (its defaults): the
 * same values as {@link ByteBuffer} in both byte orders, bounds of the view (not of the memory
 * behind it), bulk copies, and the read-only buffer view.
 */
class BytesTest {

    private static final int LENGTH = 37;

    /** {@code LENGTH} random bytes at offset 5 of a larger array, with different bytes around them. */
    private static byte[] framed(SplittableRandom random) {
        byte[] array = new byte[LENGTH + 11];
        for (int i = 0; i < array.length; i++) {
            array[i] = (byte) random.nextInt();
        }
        return array;
    }

    /** Minimal implementation: length, getByte and getBytes only; everything else is the defaults. */
    private record Minimal(byte[] array, int offset, int length) implements Bytes {
        @Override
        public byte getByte(int index) {
            return array[offset + java.util.Objects.checkIndex(index, length)];
        }

        @Override
        public void getBytes(int index, byte[] dst, int dstOffset, int count) {
            java.util.Objects.checkFromIndexSize(index, count, length);
            System.arraycopy(array, offset + index, dst, dstOffset, count);
        }
    }

    /** Views of bytes 5 .. 5 + LENGTH of {@code array}, one per kind of implementation. */
    private static List<Bytes> views(byte[] array) {
        ByteBuffer heap = ByteBuffer.wrap(array);
        heap.position(5).limit(5 + LENGTH);
        ByteBuffer direct = ByteBuffer.allocateDirect(array.length);
        direct.put(array).position(5).limit(5 + LENGTH);
        ByteBuffer readOnlyHeap = ByteBuffer.wrap(array).asReadOnlyBuffer();
        readOnlyHeap.position(5).limit(5 + LENGTH);
        return List.of(Bytes.wrap(array, 5, LENGTH), Bytes.wrap(heap), Bytes.wrap(direct), Bytes.wrap(readOnlyHeap),
                new Minimal(array, 5, LENGTH));
    }

    @Test
    void readsWhatAByteBufferReadsInBothByteOrders() {
        SplittableRandom random = new SplittableRandom(17);
        for (int round = 0; round < 20; round++) {
            byte[] array = framed(random);
            ByteBuffer big = ByteBuffer.wrap(array, 5, LENGTH).slice();
            ByteBuffer little = ByteBuffer.wrap(array, 5, LENGTH).slice().order(ByteOrder.LITTLE_ENDIAN);
            for (Bytes view : views(array)) {
                assertThat(view.length()).as("%s", view.getClass()).isEqualTo(LENGTH);
                for (int i = 0; i < LENGTH; i++) {
                    assertThat(view.getByte(i)).isEqualTo(big.get(i));
                }
                for (int i = 0; i <= LENGTH - Short.BYTES; i++) {
                    assertThat(view.getShort(i)).isEqualTo(big.getShort(i));
                    assertThat(view.getShort(i, ByteOrder.BIG_ENDIAN)).isEqualTo(big.getShort(i));
                    assertThat(view.getShort(i, ByteOrder.LITTLE_ENDIAN)).isEqualTo(little.getShort(i));
                }
                for (int i = 0; i <= LENGTH - Integer.BYTES; i++) {
                    assertThat(view.getInt(i)).as("%s at %d", view.getClass(), i).isEqualTo(big.getInt(i));
                    assertThat(view.getInt(i, ByteOrder.LITTLE_ENDIAN)).isEqualTo(little.getInt(i));
                }
                for (int i = 0; i <= LENGTH - Long.BYTES; i++) {
                    assertThat(view.getLong(i)).isEqualTo(big.getLong(i));
                    assertThat(view.getLong(i, ByteOrder.BIG_ENDIAN)).isEqualTo(big.getLong(i));
                    assertThat(view.getLong(i, ByteOrder.LITTLE_ENDIAN)).isEqualTo(little.getLong(i));
                }
                assertThat(view.toByteArray()).isEqualTo(Arrays.copyOfRange(array, 5, 5 + LENGTH));
            }
        }
    }

    @Test
    void everyReadIsBoundedByTheViewNotByTheMemoryBehindIt() {
        byte[] array = framed(new SplittableRandom(3));
        for (Bytes view : views(array)) {
            String kind = view.getClass().getSimpleName();
            assertThatThrownBy(() -> view.getByte(-1)).as(kind).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> view.getByte(LENGTH)).as(kind).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> view.getShort(LENGTH - 1)).as(kind).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> view.getInt(LENGTH - 3)).as(kind).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> view.getInt(-1, ByteOrder.LITTLE_ENDIAN)).as(kind)
                    .isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> view.getLong(LENGTH - 7)).as(kind).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> view.getLong(LENGTH - 7, ByteOrder.LITTLE_ENDIAN)).as(kind)
                    .isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> view.getBytes(1, new byte[LENGTH], 0, LENGTH)).as(kind)
                    .isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> view.getBytes(1, ByteBuffer.allocate(LENGTH), LENGTH)).as(kind)
                    .isInstanceOf(IndexOutOfBoundsException.class);
            assertThat(view.getLong(LENGTH - 8)).isEqualTo(ByteBuffer.wrap(array).getLong(5 + LENGTH - 8));
        }
    }

    @Test
    void copiesIntoArraysAndIntoHeapAndDirectBuffersAtTheirPosition() {
        byte[] array = framed(new SplittableRandom(5));
        byte[] expected = Arrays.copyOfRange(array, 5 + 3, 5 + 3 + 20);
        for (Bytes view : views(array)) {
            byte[] dst = new byte[24];
            view.getBytes(3, dst, 2, 20);
            assertThat(Arrays.copyOfRange(dst, 2, 22)).isEqualTo(expected);

            for (ByteBuffer buffer : List.of(ByteBuffer.allocate(30), ByteBuffer.allocateDirect(30))) {
                buffer.position(4);
                view.getBytes(3, buffer, 20);
                assertThat(buffer.position()).as("position moved on").isEqualTo(24);
                byte[] got = new byte[20];
                buffer.get(4, got);
                assertThat(got).isEqualTo(expected);
                buffer.position(11);
                assertThatThrownBy(() -> view.getBytes(0, buffer, 20)).isInstanceOf(BufferOverflowException.class);
                assertThat(buffer.position()).as("nothing copied").isEqualTo(11);
                assertThatThrownBy(() -> view.getBytes(0, ByteBuffer.allocate(30).asReadOnlyBuffer(), 1))
                        .isInstanceOf(ReadOnlyBufferException.class);
            }
        }
    }

    @Test
    void theReadOnlyBufferIsBigEndianFromZeroToLengthAndSharesTheArray() {
        byte[] array = framed(new SplittableRandom(7));
        for (Bytes view : views(array)) {
            ByteBuffer buffer = view.asReadOnlyBuffer();
            assertThat(buffer.isReadOnly()).isTrue();
            assertThat(buffer.position()).isZero();
            assertThat(buffer.limit()).isEqualTo(LENGTH);
            assertThat(buffer.capacity()).isEqualTo(LENGTH);
            assertThat(buffer.order()).isEqualTo(ByteOrder.BIG_ENDIAN);
            assertThat(buffer.getLong(3)).isEqualTo(view.getLong(3));
            assertThatThrownBy(() -> buffer.put(0, (byte) 1)).isInstanceOf(ReadOnlyBufferException.class);
        }
        // RingRaft's array views share memory: a change to the array shows through, no copy was made.
        Bytes view = Bytes.wrap(array, 5, LENGTH);
        ByteBuffer buffer = view.asReadOnlyBuffer();
        array[5] = (byte) (array[5] + 1);
        assertThat(buffer.get(0)).isEqualTo(array[5]);
        assertThat(view.getByte(0)).isEqualTo(array[5]);
    }

    @Test
    void aBufferViewKeepsItsRangeWhenTheBufferMoves() {
        ByteBuffer direct = ByteBuffer.allocateDirect(16).order(ByteOrder.LITTLE_ENDIAN);
        direct.putLong(0, 0x0102030405060708L).putLong(8, 0x1112131415161718L);
        direct.position(8);
        Bytes view = Bytes.wrap(direct);
        direct.position(0).limit(4).order(ByteOrder.BIG_ENDIAN);
        assertThat(view.length()).isEqualTo(8);
        assertThat(view.getLong(0, ByteOrder.LITTLE_ENDIAN)).isEqualTo(0x1112131415161718L);
        assertThat(view.getByte(0)).isEqualTo((byte) 0x18);
        direct.clear().putLong(8, 42); // contents show through
        assertThat(view.getLong(0, ByteOrder.BIG_ENDIAN)).isEqualTo(42);
    }

    @Test
    void emptyAndWholeArrayViews() {
        assertThat(Bytes.empty().length()).isZero();
        assertThat(Bytes.empty().toByteArray()).isEmpty();
        assertThatThrownBy(() -> Bytes.empty().getByte(0)).isInstanceOf(IndexOutOfBoundsException.class);
        byte[] array = {1, 2, 3};
        assertThat(Bytes.wrap(array).toByteArray()).isEqualTo(array).isNotSameAs(array);
        assertThatThrownBy(() -> Bytes.wrap(array, 2, 2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(Bytes.wrap(array)).hasToString("Bytes[3]");
    }
}
