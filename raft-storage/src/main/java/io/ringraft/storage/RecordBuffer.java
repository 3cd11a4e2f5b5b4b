package io.ringraft.storage;

import io.ringraft.api.Bytes;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The log writer's staging buffer: entries are framed into it ({@link RecordFormat}, CRC included)
 * and then written to the tail segment with one positional write. It remembers each entry's index,
 * term and offset so that the storage can publish them (sparse index, term runs) after the write.
 *
 * <p>Owned by the log writer thread; not thread-safe. Allocates only when an entry does not fit the
 * buffer (it grows to the largest record seen) or its bookkeeping arrays grow.
 */
final class RecordBuffer {

    private final CRC32C crc = new CRC32C();
    private ByteBuffer buf;
    private int size;
    private int count;
    private long firstIndex;
    private long[] terms = new long[256];
    private int[] offsets = new int[256];

    /** @param capacity initial bytes; the buffer grows for a record larger than that */
    RecordBuffer(int capacity) {
        buf = ByteBuffer.allocateDirect(capacity);
    }

    /** True if a record of {@code recordBytes} fits after what is staged. */
    boolean fits(int recordBytes) {
        return size + recordBytes <= buf.capacity();
    }

    /** Grows the (empty) buffer so that one record of {@code recordBytes} fits. */
    void ensureCapacity(int recordBytes) {
        if (buf.capacity() < recordBytes) {
            if (size != 0) {
                throw new IllegalStateException("grow only an empty buffer");
            }
            buf = ByteBuffer.allocateDirect(Math.max(recordBytes, buf.capacity() * 2));
        }
    }

    /** Frames entry {@code index} (right after the last staged one) into the buffer. */
    void add(long index, long term, byte kind, Bytes payload, int stable) {
        if (count == 0) {
            firstIndex = index;
        }
        if (count == terms.length) {
            terms = Arrays.copyOf(terms, count * 2);
            offsets = Arrays.copyOf(offsets, count * 2);
        }
        int length = payload.length();
        buf.position(size + RecordFormat.HEADER_BYTES);
        payload.getBytes(0, buf, length);
        RecordFormat.writeHeader(buf, size, length, index, term, stable, kind, crc);
        terms[count] = term;
        offsets[count] = size;
        count++;
        size += RecordFormat.HEADER_BYTES + length;
    }

    /** Bytes staged. */
    int size() {
        return size;
    }

    /** Entries staged. */
    int count() {
        return count;
    }

    /** Index of the first staged entry (when {@link #count()} > 0). */
    long firstIndex() {
        return firstIndex;
    }

    /** Term of the {@code i}-th staged entry. */
    long termAt(int i) {
        return terms[i];
    }

    /** Offset of the {@code i}-th staged record from the start of the buffer. */
    int offsetAt(int i) {
        return offsets[i];
    }

    /** The staged bytes, as a buffer positioned at 0 with the staged size as limit. */
    ByteBuffer contents() {
        buf.limit(size).position(0);
        return buf;
    }

    /** Forgets what is staged. */
    void clear() {
        buf.clear();
        size = 0;
        count = 0;
    }
}
