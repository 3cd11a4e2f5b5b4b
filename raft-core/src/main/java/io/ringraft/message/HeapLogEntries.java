package io.ringraft.message;

import io.ringraft.spi.LogEntries;
import io.ringraft.api.Bytes;
import io.ringraft.api.EntryKind;
import io.ringraft.internal.bytes.ArrayBytes;
import java.util.Arrays;
import java.util.Objects;

/**
 * An owned, immutable {@link LogEntries} on the heap: each payload is its own {@code byte[]}.
 *
 * <p>For the cold paths that must keep entries beyond a call: storage reads, in-process transports,
 * tests. Hot paths use views over the ring instead. Immutable and safe to share once built; but
 * {@link #payloadAt} returns a flyweight owned by this object, so only one thread should read
 * payloads at a time (or use {@link #payloadBytes}).
 */
public final class HeapLogEntries implements LogEntries {

    private final long firstIndex;
    private final long[] terms;
    private final EntryKind[] kinds;
    private final byte[][] payloads;
    private final ArrayBytes flyweight = new ArrayBytes();

    private HeapLogEntries(long firstIndex, long[] terms, EntryKind[] kinds, byte[][] payloads) {
        this.firstIndex = firstIndex;
        this.terms = terms;
        this.kinds = kinds;
        this.payloads = payloads;
    }

    /**
     * Copies {@code count} entries of {@code source} from {@code fromOffset}.
     *
     * @param source the entries to copy
     * @param fromOffset the first entry to copy
     * @param count how many entries to copy
     * @return the copies
     */
    public static HeapLogEntries copyOf(LogEntries source, int fromOffset, int count) {
        if (fromOffset < 0 || count < 0 || fromOffset + count > source.count()) {
            throw new IndexOutOfBoundsException("cannot copy " + count + " entries from offset "
                    + fromOffset + " of " + source.count());
        }
        long[] terms = new long[count];
        EntryKind[] kinds = new EntryKind[count];
        byte[][] payloads = new byte[count][];
        for (int i = 0; i < count; i++) {
            terms[i] = source.termAt(fromOffset + i);
            kinds[i] = source.kindAt(fromOffset + i);
            payloads[i] = source.payloadAt(fromOffset + i).toByteArray();
        }
        return new HeapLogEntries(source.firstIndex() + fromOffset, terms, kinds, payloads);
    }

    /**
     * Copies all of {@code source}.
     *
     * @param source the entries to copy
     * @return the copies
     */
    public static HeapLogEntries copyOf(LogEntries source) {
        return copyOf(source, 0, source.count());
    }

    /**
     * Starts building entries from {@code firstIndex}.
     *
     * @param firstIndex the index of the first entry (at least 1)
     * @return an empty builder
     */
    public static Builder builder(long firstIndex) {
        return new Builder(firstIndex);
    }

    @Override
    public long firstIndex() {
        return firstIndex;
    }

    @Override
    public int count() {
        return terms.length;
    }

    @Override
    public long termAt(int offset) {
        return terms[offset];
    }

    @Override
    public EntryKind kindAt(int offset) {
        return kinds[offset];
    }

    @Override
    public Bytes payloadAt(int offset) {
        byte[] payload = payloads[offset];
        return flyweight.wrap(payload, 0, payload.length);
    }

    /**
     * {@return the payload at {@code offset} (the array itself: do not modify it)}
     *
     * @param offset the entry's position, {@code 0 <= offset < count()}
     */
    public byte[] payloadBytes(int offset) {
        return payloads[offset];
    }

    /** {@return the payload bytes of all entries together} */
    public long payloadSize() {
        long size = 0;
        for (byte[] payload : payloads) {
            size += payload.length;
        }
        return size;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof HeapLogEntries other)) {
            return false;
        }
        return firstIndex == other.firstIndex && Arrays.equals(terms, other.terms)
                && Arrays.equals(kinds, other.kinds) && Arrays.deepEquals(payloads, other.payloads);
    }

    @Override
    public int hashCode() {
        return Objects.hash(firstIndex, Arrays.hashCode(terms), Arrays.deepHashCode(payloads));
    }

    @Override
    public String toString() {
        return "HeapLogEntries[" + firstIndex + ".." + lastIndex() + "]";
    }

    /** Builds {@link HeapLogEntries}; not thread-safe. */
    public static final class Builder {
        private final long firstIndex;
        private long[] terms = new long[4];
        private EntryKind[] kinds = new EntryKind[4];
        private byte[][] payloads = new byte[4][];
        private int count;

        private Builder(long firstIndex) {
            if (firstIndex < 1) {
                throw new IllegalArgumentException("log indexes start at 1, got " + firstIndex);
            }
            this.firstIndex = firstIndex;
        }

        /**
         * Adds the next entry (the payload array is kept, not copied).
         *
         * @param term the entry's term
         * @param kind the entry's kind
         * @param payload the entry's payload
         * @return this builder
         */
        public Builder add(long term, EntryKind kind, byte[] payload) {
            if (count == terms.length) {
                terms = Arrays.copyOf(terms, count * 2);
                kinds = Arrays.copyOf(kinds, count * 2);
                payloads = Arrays.copyOf(payloads, count * 2);
            }
            terms[count] = term;
            kinds[count] = Objects.requireNonNull(kind, "kind");
            payloads[count] = Objects.requireNonNull(payload, "payload");
            count++;
            return this;
        }

        /** {@return the entries added so far} */
        public HeapLogEntries build() {
            return new HeapLogEntries(firstIndex, Arrays.copyOf(terms, count), Arrays.copyOf(kinds, count),
                    Arrays.copyOf(payloads, count));
        }
    }
}
