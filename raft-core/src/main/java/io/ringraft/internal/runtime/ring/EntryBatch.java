package io.ringraft.internal.runtime.ring;

import io.ringraft.api.Bytes;
import io.ringraft.api.EntryKind;
import io.ringraft.internal.bytes.ArrayBytes;
import io.ringraft.spi.LogEntries;

/**
 * A reusable batch of consecutive entries copied out of storage (or the ring): the scratch space of
 * the applier for entries the ring no longer holds (the hot path reads the ring in place, see
 * {@link RingEntries}). Bounded by a number of entries and of payload bytes fixed at construction;
 * filling it allocates nothing once its tables exist (they are allocated by the first entry added, and
 * again after a {@link #release()}). Exposes itself, or a sub-range of itself, as {@link LogEntries}.
 * Owned and used by one thread.
 */
public final class EntryBatch implements OriginEntries {

    /*
     * The tables and the payload bytes ({@link #maxBytes}) are allocated when the first entry is added, so an
     * owner that never falls behind its ring holds none, and handed back by {@link #release()}.
     */
    private long[] terms;
    private byte[] kinds;
    private byte[] origins;
    private long[] correlations;
    private int[] offsets;
    private int[] lengths;
    private byte[] bytes = new byte[0];
    private final int maxEntries;
    private final int maxBytes;
    private final ArrayBytes payloadView = new ArrayBytes();
    private final EntryHeader header = new EntryHeader();
    private final Slice slice = new Slice();

    private long firstIndex = 1;
    private int count;
    private int usedBytes;

    public EntryBatch(int maxEntries, int maxBytes) {
        this.maxEntries = Math.max(0, maxEntries);
        this.maxBytes = Math.max(1, maxBytes);
    }

    public int maxEntries() {
        return maxEntries;
    }

    /**
     * Empties the batch and hands its tables and payload bytes back to the garbage collector (owner only: a
     * quiet group's applier); the next entry added allocates them again.
     *
     * @return true if it held any
     */
    public boolean release() {
        count = 0;
        usedBytes = 0;
        if (terms == null) {
            return false;
        }
        terms = correlations = null;
        kinds = origins = null;
        offsets = lengths = null;
        bytes = new byte[0];
        payloadView.wrap(bytes, 0, 0);
        return true;
    }

    /** {@return whether the batch holds its tables now} For tests. */
    public boolean isAllocated() {
        return terms != null;
    }

    /** Empties the batch; the next entry added must be {@code nextIndex}. */
    public void clear(long nextIndex) {
        firstIndex = nextIndex;
        count = 0;
        usedBytes = 0;
    }

    boolean isFull() {
        return count == maxEntries;
    }

    /**
     * Copies entry {@code firstIndex() + count()} out of the ring.
     *
     * @return true if added; false if the ring does not hold it or the batch has no room for it
     */
    boolean addFromRing(EntryRing ring) {
        if (isFull()) {
            return false;
        }
        long index = firstIndex + count;
        ensureBytes();
        int length = ring.read(index, header, bytes, usedBytes);
        if (length == EntryRing.ABSENT) {
            return false;
        }
        put(header.term, header.kind, header.origin, header.correlation, length);
        return true;
    }

    /**
     * Copies entry {@code offset} of {@code source} (which must be the next index).
     *
     * @return false if the batch has no room for it
     */
    public boolean add(LogEntries source, int offset) {
        Bytes payload = source.payloadAt(offset);
        int length = payload.length();
        if (isFull() || usedBytes + length > maxBytes) {
            return false;
        }
        ensureBytes();
        if (source.firstIndex() + offset != firstIndex + count) {
            throw new IllegalArgumentException("entry " + (source.firstIndex() + offset)
                    + " is not the next of this batch (" + (firstIndex + count) + ")");
        }
        payload.getBytes(0, bytes, usedBytes, length);
        put(source.termAt(offset), source.kindAt(offset).code(), (byte) 0, 0, length);
        return true;
    }

    /** Allocates the tables and the payload bytes on first use (again after a {@link #release()}). */
    private void ensureBytes() {
        if (terms == null) {
            terms = new long[maxEntries];
            kinds = new byte[maxEntries];
            origins = new byte[maxEntries];
            correlations = new long[maxEntries];
            offsets = new int[maxEntries];
            lengths = new int[maxEntries];
            bytes = new byte[maxBytes];
        }
    }

    private void put(long term, byte kind, byte origin, long correlation, int length) {
        terms[count] = term;
        kinds[count] = kind;
        origins[count] = origin;
        correlations[count] = correlation;
        offsets[count] = usedBytes;
        lengths[count] = length;
        usedBytes += length;
        count++;
    }

    @Override
    public byte originAt(int offset) {
        return origins[offset];
    }

    @Override
    public long correlationAt(int offset) {
        return correlations[offset];
    }

    /** A view of {@code count} entries from {@code fromOffset}, valid until the batch changes. */
    @Override
    public LogEntries slice(int fromOffset, int count) {
        slice.from = fromOffset;
        slice.count = count;
        return slice;
    }

    @Override
    public long firstIndex() {
        return firstIndex;
    }

    @Override
    public int count() {
        return count;
    }

    @Override
    public long termAt(int offset) {
        return terms[offset];
    }

    @Override
    public EntryKind kindAt(int offset) {
        return EntryKind.fromCode(kinds[offset]);
    }

    @Override
    public Bytes payloadAt(int offset) {
        payloadView.wrap(bytes, offsets[offset], lengths[offset]);
        return payloadView;
    }

    /** A sub-range of the enclosing batch. */
    private final class Slice implements LogEntries {
        int from;
        int count;

        @Override
        public long firstIndex() {
            return EntryBatch.this.firstIndex + from;
        }

        @Override
        public int count() {
            return count;
        }

        @Override
        public long termAt(int offset) {
            return EntryBatch.this.termAt(from + offset);
        }

        @Override
        public EntryKind kindAt(int offset) {
            return EntryBatch.this.kindAt(from + offset);
        }

        @Override
        public Bytes payloadAt(int offset) {
            return EntryBatch.this.payloadAt(from + offset);
        }
    }
}
