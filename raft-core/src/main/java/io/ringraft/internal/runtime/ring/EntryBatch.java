package io.ringraft.internal.runtime.ring;

import io.ringraft.api.Bytes;
import io.ringraft.api.EntryKind;
import io.ringraft.internal.bytes.ArrayBytes;
import io.ringraft.spi.LogEntries;

/**
 * A reusable batch of consecutive entries copied out of storage (or the ring): the scratch space of
 * the applier for entries the ring no longer holds (the hot path reads the ring in place, see
 * {@link RingEntries}). Bounded by a number of entries and of payload bytes fixed at construction;
 * filling it allocates nothing. Exposes itself, or a sub-range of itself, as {@link LogEntries}.
 * Owned and used by one thread.
 */
public final class EntryBatch implements OriginEntries {

    private final long[] terms;
    private final byte[] kinds;
    private final byte[] origins;
    private final long[] correlations;
    private final int[] offsets;
    private final int[] lengths;
    /** The payload bytes: allocated ({@link #maxBytes}) when the first entry is added, so an idle owner holds none. */
    private byte[] bytes = new byte[0];
    private final int maxBytes;
    private final ArrayBytes payloadView = new ArrayBytes();
    private final EntryHeader header = new EntryHeader();
    private final Slice slice = new Slice();

    private long firstIndex = 1;
    private int count;
    private int usedBytes;

    public EntryBatch(int maxEntries, int maxBytes) {
        this.terms = new long[maxEntries];
        this.kinds = new byte[maxEntries];
        this.origins = new byte[maxEntries];
        this.correlations = new long[maxEntries];
        this.offsets = new int[maxEntries];
        this.lengths = new int[maxEntries];
        this.maxBytes = Math.max(1, maxBytes);
    }

    public int maxEntries() {
        return terms.length;
    }

    /** Empties the batch; the next entry added must be {@code nextIndex}. */
    public void clear(long nextIndex) {
        firstIndex = nextIndex;
        count = 0;
        usedBytes = 0;
    }

    boolean isFull() {
        return count == terms.length;
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

    /** Allocates the payload bytes on first use (once: a batch that was used keeps them). */
    private void ensureBytes() {
        if (bytes.length < maxBytes) {
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
