package io.ringraft.internal.runtime.ring;

import io.ringraft.api.Bytes;
import io.ringraft.api.EntryKind;
import io.ringraft.internal.bytes.ArrayBytes;
import io.ringraft.spi.LogEntries;
import java.lang.invoke.VarHandle;

/**
 * A reusable view of consecutive entries held by the {@link EntryRing}, read in place: capturing
 * the view copies each entry's fixed fields and the version of its slot (a seqlock read), never a
 * payload; {@link #payloadAt} points one flyweight buffer at the entry's bytes in the ring's arena.
 * Capturing and reading allocate nothing, except the view's tables on the first capture after they were
 * handed back ({@link #releaseIfRingReleased}: a quiet group). Bounded by a number of entries fixed at
 * construction.
 *
 * <p>Whether the payload bytes stay what they were when captured depends on the reader:
 * <ul>
 *   <li>the applier reads committed entries that are durable here: the core never truncates them and
 *       reclaims them only once {@code applied} passed them, so they stay put while it applies;</li>
 *   <li>the log writer holds the {@link RingDiscardGuard} while it hands the view to storage, and
 *       the core reclaims only entries the writer already wrote;</li>
 *   <li>a replicator's entries may be reclaimed (once applied) and reused under it: the transport
 *       calls {@link #stillValid()} after copying them, which re-checks every slot's version.</li>
 * </ul>
 *
 * <p>Owned and used by one thread (the task that captured it); the view it hands out is valid until
 * the next capture.
 */
public final class RingEntries implements OriginEntries {

    private final EntryRing ring;
    private final int maxEntries;
    /** The captured entries' fields, or null until the first capture and after {@link #releaseIfRingReleased}. */
    private Columns columns;
    private final EntryHeader header = new EntryHeader();
    private final ArrayBytes payload = new ArrayBytes();
    private final Slice slice = new Slice();

    private long firstIndex = 1;
    private int count;

    public RingEntries(EntryRing ring, int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("a ring view needs room for at least one entry, got " + maxEntries);
        }
        this.ring = ring;
        this.maxEntries = maxEntries;
    }

    /** The fixed fields of up to {@code maxEntries} captured entries: what a quiet task's view hands back. */
    private static final class Columns {
        final long[] terms;
        final byte[] kinds;
        final byte[] origins;
        final long[] correlations;
        final long[] versions;
        final int[] arenaOffsets;
        final int[] lengths;

        Columns(int maxEntries) {
            terms = new long[maxEntries];
            kinds = new byte[maxEntries];
            origins = new byte[maxEntries];
            correlations = new long[maxEntries];
            versions = new long[maxEntries];
            arenaOffsets = new int[maxEntries];
            lengths = new int[maxEntries];
        }
    }

    /**
     * Hands this view's tables back to the garbage collector if the ring released its own ({@link
     * EntryRing#release()}: a quiet group); the next capture allocates them again. Owner thread only, between
     * batches (never while the entries of the last capture are still being read or handed on); the view is empty
     * afterwards. Costs one volatile read when there is nothing to release.
     *
     * @return true if the tables were released now
     */
    public boolean releaseIfRingReleased() {
        if (columns == null || ring.isAllocated()) {
            return false;
        }
        columns = null;
        count = 0;
        forgetPayload();
        return true;
    }

    /** {@return whether this view holds its tables now} For tests and the memory walk. */
    public boolean isAllocated() {
        return columns != null;
    }

    /**
     * {@return whether the ring holds {@code index} now} (A capture from it would take at least one entry,
     * unless the ring reclaims it first.) Reads no payload.
     *
     * @param index a log index
     */
    public boolean holds(long index) {
        return ring.readHeader(index, header);
    }

    /**
     * Makes this view the entries from {@code fromIndex} on that the ring holds now, up to
     * {@code lastIndex}, at most {@code maxEntries} of them, while their payloads stay within
     * {@code maxBytes} (the first entry is always taken) and their terms at most {@code maxTerm}.
     * Reads no payload.
     *
     * @return the number of entries captured (0 if the ring does not hold {@code fromIndex})
     */
    public int capture(long fromIndex, long lastIndex, int maxBytes, long maxTerm) {
        firstIndex = fromIndex;
        count = 0;
        long bytes = 0;
        Columns c = columns;
        for (long index = fromIndex; index <= lastIndex && count < maxEntries; index++) {
            if (!ring.readHeader(index, header) || header.term > maxTerm
                    || (count > 0 && bytes + header.length > maxBytes)) {
                break;
            }
            if (c == null) {
                c = columns = new Columns(maxEntries); // the first capture, or the first after a quiet spell
            }
            c.terms[count] = header.term;
            c.kinds[count] = header.kind;
            c.origins[count] = header.origin;
            c.correlations[count] = header.correlation;
            c.versions[count] = header.version;
            c.arenaOffsets[count] = header.arenaOffset;
            c.lengths[count] = header.length;
            bytes += header.length;
            count++;
        }
        return count;
    }

    /**
     * True if no captured slot was written since the capture (reclaimed, truncated, reused, or its
     * origin cleared), so every payload byte read before this call was the captured entry's.
     */
    @Override
    public boolean stillValid() {
        VarHandle.loadLoadFence(); // the payload reads before this call stay before the version reads
        for (int i = 0; i < count; i++) {
            if (!ring.unchanged(firstIndex + i, columns.versions[i])) {
                return false;
            }
        }
        return true;
    }

    /**
     * Lets go of the ring's arena: the flyweight {@link #payloadAt} returned stops pointing into it (the
     * next {@code payloadAt} points it again). The task that owns the view calls this once it is done with
     * a batch, so that an idle task does not keep the arena of a ring that a quiet node released
     * ({@link EntryRing#release()}) reachable.
     */
    public void forgetPayload() {
        payload.wrap(NOTHING, 0, 0);
    }

    private static final byte[] NOTHING = new byte[0];

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
        int i = check(offset);
        return columns.terms[i];
    }

    @Override
    public EntryKind kindAt(int offset) {
        int i = check(offset);
        return EntryKind.fromCode(columns.kinds[i]);
    }

    /** The entry's bytes in the ring's arena, through one flyweight that the next call re-points. */
    @Override
    public Bytes payloadAt(int offset) {
        int i = check(offset);
        ring.wrapPayload(payload, columns.arenaOffsets[i], columns.lengths[i]);
        return payload;
    }

    @Override
    public byte originAt(int offset) {
        int i = check(offset);
        return columns.origins[i];
    }

    @Override
    public long correlationAt(int offset) {
        int i = check(offset);
        return columns.correlations[i];
    }

    @Override
    public LogEntries slice(int fromOffset, int count) {
        if (fromOffset < 0 || count < 0 || fromOffset + count > this.count) {
            throw new IndexOutOfBoundsException("slice " + fromOffset + "+" + count + " of " + this.count);
        }
        slice.from = fromOffset;
        slice.count = count;
        return slice;
    }

    private int check(int offset) {
        if (offset < 0 || offset >= count) {
            throw new IndexOutOfBoundsException("offset " + offset + " of " + count);
        }
        return offset;
    }

    /** A sub-range of the enclosing view (a run of commands for the state machine). */
    private final class Slice implements LogEntries {
        int from;
        int count;

        @Override
        public long firstIndex() {
            return RingEntries.this.firstIndex + from;
        }

        @Override
        public int count() {
            return count;
        }

        @Override
        public long termAt(int offset) {
            return RingEntries.this.termAt(from + checkSlice(offset));
        }

        @Override
        public EntryKind kindAt(int offset) {
            return RingEntries.this.kindAt(from + checkSlice(offset));
        }

        @Override
        public Bytes payloadAt(int offset) {
            return RingEntries.this.payloadAt(from + checkSlice(offset));
        }

        @Override
        public boolean stillValid() {
            return RingEntries.this.stillValid();
        }

        private int checkSlice(int offset) {
            if (offset < 0 || offset >= count) {
                throw new IndexOutOfBoundsException("offset " + offset + " of " + count);
            }
            return offset;
        }
    }
}
