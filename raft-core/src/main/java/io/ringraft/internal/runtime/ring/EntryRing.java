package io.ringraft.internal.runtime.ring;

import io.ringraft.api.Bytes;
import io.ringraft.api.EntryKind;
import io.ringraft.internal.bytes.ArrayBytes;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The bounded ring of log entries every task of a node reads from: {@code capacity} slots (a power
 * of two; entry {@code i} lives in slot {@code i & mask}) and an arena of pre-allocated bytes for
 * the payloads (one heap {@code byte[]}, read and written with plain accesses and
 * {@link System#arraycopy}; the slot versions below order them). Nothing is allocated per entry.
 *
 * <p><b>Single writer.</b> Only the core task calls the mutating methods ({@link #write},
 * {@link #truncateFrom}, {@link #reclaimUpTo}) and the core-side queries. Any thread may call
 * {@link #read} (a copy) or {@link #readHeader} (for reading the payload in place, see
 * {@link RingEntries}).
 *
 * <p><b>Seqlock per slot.</b> Every slot has a version: odd while the slot is being written or holds
 * no valid entry, even while it holds one. A writer makes it odd, writes, then makes it even again
 * (release). A reader reads the version (acquire), the slot and its payload, then the version again;
 * if the two differ, or are odd, or the slot holds another index, the read fails and the reader
 * falls back (re-reads its pointers, or reads storage). Reclaiming and truncating invalidate slots
 * <em>before</em> their arena bytes are reused, so a reader can never accept a payload that was
 * overwritten under it.
 *
 * <p><b>When a slot is reused.</b> Entry {@code i + capacity} may take entry {@code i}'s slot only
 * after the core reclaimed {@code i}, which it does up to the {@code applied} pointer: applied
 * entries are committed (never truncated) and durable in storage (applied never passes flushed), so
 * a task that still wants them reads them from storage. The arena follows the same rule. Two
 * exceptions reclaim entries not yet applied, both only entries the log writer has handed to storage:
 * a new leader's no-op and configuration entries, and a follower taking a leader's entries once
 * everything committed is applied, which evicts uncommitted entries durable in its current log
 * ({@code RingRoom.evictable}); the applier reads them from storage once they commit.
 */
public final class EntryRing {

    /** Returned by {@link #read} when the ring does not (or no longer) hold the entry. */
    public static final int ABSENT = -1;

    private final int capacity;
    private final int mask;
    private final AtomicLongArray versions;
    private final long[] indexes;
    private final long[] terms;
    private final byte[] kinds;
    private final long[] correlations;
    private final byte[] origins;
    private final long[] positions;
    private final int[] lengths;
    /** Arena position just after each slot's payload; the arena tail moves back there on a truncation. */
    private final long[] endPositions;
    private final byte[] arena;
    private final int arenaCapacity;
    private final RingDiscardGuard discardGuard = new RingDiscardGuard();

    // Core-only state.
    private long firstIndex = 1;
    private long lastIndex;
    private long arenaHead;
    private long arenaTail;

    /**
     * @param capacityEntries slots, a power of two
     * @param capacityBytes   arena bytes for payloads
     */
    public EntryRing(int capacityEntries, int capacityBytes) {
        if (Integer.bitCount(capacityEntries) != 1 || capacityEntries < 2) {
            throw new IllegalArgumentException("ring capacity must be a power of two >= 2, got "
                    + capacityEntries);
        }
        if (capacityBytes < 1) {
            throw new IllegalArgumentException("ring byte capacity must be positive, got " + capacityBytes);
        }
        this.capacity = capacityEntries;
        this.mask = capacityEntries - 1;
        this.versions = new AtomicLongArray(capacityEntries);
        for (int i = 0; i < capacityEntries; i++) {
            versions.set(i, 1); // odd: empty
        }
        this.indexes = new long[capacityEntries];
        this.terms = new long[capacityEntries];
        this.kinds = new byte[capacityEntries];
        this.correlations = new long[capacityEntries];
        this.origins = new byte[capacityEntries];
        this.positions = new long[capacityEntries];
        this.lengths = new int[capacityEntries];
        this.endPositions = new long[capacityEntries];
        this.arena = new byte[capacityBytes];
        this.arenaCapacity = capacityBytes;
    }

    /** {@return how many entries the ring holds at most} */
    public int capacity() {
        return capacity;
    }

    int capacityBytes() {
        return arenaCapacity;
    }

    // ------------------------------------------------------------------ core side

    /** First index held (core only). When empty, the index the next write must have. */
    public long firstIndex() {
        return firstIndex;
    }

    /** Last index held, {@code firstIndex() - 1} when empty (core only). */
    public long lastIndex() {
        return lastIndex;
    }

    /** Makes the ring empty, positioned so that the next write is {@code nextIndex} (core only). */
    public void resetTo(long nextIndex) {
        invalidate(firstIndex, lastIndex);
        firstIndex = nextIndex;
        lastIndex = nextIndex - 1;
        arenaHead = arenaTail;
    }

    /**
     * Makes room for writing entry {@code index} with {@code length} payload bytes, reclaiming the
     * oldest entries up to {@code reclaimable} as far as needed (core only).
     *
     * @return true if the write now fits; false if it cannot until more entries are applied
     */
    public boolean makeRoom(long index, int length, long reclaimable) {
        if (length > arenaCapacity) {
            return false;
        }
        while (!fitsNow(index, length)) {
            if (firstIndex > Math.min(reclaimable, lastIndex)) {
                return false;
            }
            reclaimUpTo(firstIndex);
        }
        return true;
    }

    private boolean fitsNow(long index, int length) {
        boolean empty = firstIndex > lastIndex;
        if (!empty && index - firstIndex >= capacity) {
            return false;
        }
        long position = allocate(arenaTail, length);
        // Empty: no live bytes, the payload may start the arena (write() moves the head there).
        long head = empty ? position : arenaHead;
        return position + length - head <= arenaCapacity;
    }

    /** The arena position a payload of {@code length} written at {@code tail} starts at. */
    private long allocate(long tail, int length) {
        int inArena = (int) (tail % arenaCapacity);
        return inArena + length > arenaCapacity ? tail + arenaCapacity - inArena : tail;
    }

    /**
     * How many of {@code entries}, from {@code fromOffset} on, would fit if the ring were first
     * truncated at their first index and entries up to {@code reclaimable} were reclaimed (core only;
     * changes nothing). Used to cut an AppendEntries down to what the ring can take.
     */
    public int countFitting(io.ringraft.spi.LogEntries entries, int fromOffset, long reclaimable) {
        long fromIndex = entries.firstIndex() + fromOffset;
        long keptLast = Math.min(lastIndex, fromIndex - 1);
        long oldest = Math.max(firstIndex, Math.min(reclaimable, keptLast) + 1);
        boolean keepsAny = oldest <= keptLast;
        // The truncation moves the tail back to the end of the last kept entry, even if every kept
        // entry is then reclaimed; with nothing kept the first payload starts the arena (as in write).
        long tail = keptLast >= firstIndex ? endPositions[(int) (keptLast & mask)] : arenaTail;
        long head = keepsAny ? positions[(int) (oldest & mask)] : -1;
        long firstHeld = keepsAny ? oldest : fromIndex;
        int fitting = 0;
        for (int i = fromOffset; i < entries.count(); i++) {
            long index = entries.firstIndex() + i;
            int length = entries.payloadAt(i).length();
            long position = allocate(tail, length);
            if (head < 0) {
                head = position;
            }
            if (index - firstHeld >= capacity || position + length - head > arenaCapacity) {
                break;
            }
            tail = position + length;
            fitting++;
        }
        return fitting;
    }

    /** Reclaims every entry up to {@code index} (core only; {@code index} must be applied). */
    void reclaimUpTo(long index) {
        long upTo = Math.min(index, lastIndex);
        for (long i = firstIndex; i <= upTo; i++) {
            int slot = (int) (i & mask);
            versions.incrementAndGet(slot); // odd: readers of this slot now fail
        }
        if (upTo >= firstIndex) {
            firstIndex = upTo + 1;
        }
        // The head is where the oldest held payload starts: bytes skipped at the arena's end before
        // it are free too (countFitting counts on that).
        arenaHead = firstIndex > lastIndex ? arenaTail : positions[(int) (firstIndex & mask)];
    }

    /**
     * Writes entry {@code index}, which must be {@code lastIndex() + 1} (or any index when the ring is
     * empty), into a free slot, copying {@code length} bytes of {@code payload} from {@code offset}
     * (core only; {@code payload} may be null when {@code length} is 0). The caller checked
     * {@link #makeRoom}.
     *
     * @throws IllegalStateException if the slot or the arena is not free
     */
    public void write(long index, long term, EntryKind kind, byte origin, long correlation, byte[] payload,
               int offset, int length) {
        int inArena = begin(index, term, kind, origin, correlation, length);
        if (length > 0) {
            System.arraycopy(payload, offset, arena, inArena, length);
        }
        publish(index, length);
    }

    /**
     * Writes entry {@code index} as {@link #write(long, long, EntryKind, byte, long, byte[], int, int)}
     * does, copying all of {@code payload} (a view of another node's entry, say).
     */
    public void write(long index, long term, EntryKind kind, byte origin, long correlation, Bytes payload) {
        int length = payload.length();
        int inArena = begin(index, term, kind, origin, correlation, length);
        if (length == 0) {
            // nothing to copy
        } else if (payload instanceof ArrayBytes array) {
            System.arraycopy(array.array(), array.offset(), arena, inArena, length);
        } else {
            payload.getBytes(0, arena, inArena, length);
        }
        publish(index, length);
    }

    /**
     * The first half of a write: checks, makes the slot's version odd and fills the slot's fields.
     *
     * @return where in the arena the payload goes
     */
    private int begin(long index, long term, EntryKind kind, byte origin, long correlation, int length) {
        boolean empty = firstIndex > lastIndex;
        if (empty) {
            firstIndex = index;
            lastIndex = index - 1;
        } else if (index != lastIndex + 1) {
            throw new IllegalStateException("ring holds " + firstIndex + ".." + lastIndex
                    + ", cannot write entry " + index);
        }
        if (index - firstIndex >= capacity) {
            throw new IllegalStateException("ring full: entry " + index + " would overwrite unreclaimed entry "
                    + (index - capacity));
        }
        long position = arenaTail;
        int inArena = (int) (position % arenaCapacity);
        if (inArena + length > arenaCapacity) {
            position += arenaCapacity - inArena; // payloads are contiguous: skip the arena's end
            inArena = 0;
        }
        if (empty) {
            arenaHead = position; // nothing held (every slot already invalid): all the arena is free
        }
        if (position + length - arenaHead > arenaCapacity) {
            throw new IllegalStateException("ring arena full: " + length + " bytes for entry " + index
                    + " do not fit");
        }
        int slot = (int) (index & mask);
        long version = versions.get(slot);
        if ((version & 1) == 0) {
            versions.set(slot, version + 1);
        }
        VarHandle.storeStoreFence();
        indexes[slot] = index;
        terms[slot] = term;
        kinds[slot] = kind.code();
        origins[slot] = origin;
        correlations[slot] = correlation;
        positions[slot] = position;
        lengths[slot] = length;
        return inArena;
    }

    /** The second half of a write, once the payload is in the arena: the slot becomes readable. */
    private void publish(long index, int length) {
        int slot = (int) (index & mask);
        arenaTail = positions[slot] + length;
        endPositions[slot] = arenaTail;
        versions.setRelease(slot, versions.get(slot) + 1);
        lastIndex = index;
    }

    /** Removes entries from {@code index} on (core only): their slots become invalid first. */
    public void truncateFrom(long index) {
        if (index > lastIndex) {
            return;
        }
        if (index <= firstIndex) {
            resetTo(index);
            return;
        }
        invalidate(index, lastIndex);
        arenaTail = endPositions[(int) ((index - 1) & mask)];
        lastIndex = index - 1;
    }

    private void invalidate(long from, long to) {
        for (long i = from; i <= to; i++) {
            int slot = (int) (i & mask);
            long version = versions.get(slot);
            if ((version & 1) == 0) {
                versions.set(slot, version + 1);
            }
        }
    }

    /** The origin tag of entry {@code index} (core only; the entry must be held). */
    public byte originAt(long index) {
        return origins[(int) (index & mask)];
    }

    /**
     * Forgets who proposed entry {@code index} (core only), so that its outcome, already reported
     * as indeterminate, is not reported again when it is applied. Readers see the change through
     * the slot's version like any write.
     */
    public void clearOrigin(long index) {
        int slot = (int) (index & mask);
        long version = versions.get(slot);
        if ((version & 1) != 0 || indexes[slot] != index) {
            return;
        }
        versions.set(slot, version + 1);
        VarHandle.storeStoreFence();
        origins[slot] = 0;
        correlations[slot] = 0;
        versions.setRelease(slot, version + 2);
    }

    /** The correlation id of entry {@code index} (core only; the entry must be held). */
    public long correlationAt(long index) {
        return correlations[(int) (index & mask)];
    }

    // ------------------------------------------------------------------ any thread

    /**
     * Copies entry {@code index} into {@code header} and its payload into {@code dst} at
     * {@code dstOffset}. Any thread. On {@link #ABSENT}, {@code header} may hold what was read before
     * the entry turned out absent or changed: ignore it.
     *
     * @return the payload length, or {@link #ABSENT} if the ring does not hold the entry (never
     *         written, reclaimed, truncated, or changed during the read), or if the payload is larger
     *         than {@code dst} has room for
     */
    int read(long index, EntryHeader header, byte[] dst, int dstOffset) {
        // The protocol of the in-place readers: the header, the payload from the arena, then the version again.
        if (!readHeader(index, header) || dstOffset + header.length > dst.length) {
            return ABSENT;
        }
        if (header.length > 0) {
            System.arraycopy(arena, header.arenaOffset, dst, dstOffset, header.length);
        }
        VarHandle.loadLoadFence();
        return unchanged(index, header.version) ? header.length : ABSENT;
    }

    /**
     * Reads entry {@code index}'s fields and where its payload lies in the arena, but not the payload,
     * into {@code header} (with the slot's version). Any thread. The payload is read later through
     * {@link #wrapPayload}; whoever does so checks {@link #unchanged} afterwards, unless it knows the
     * core cannot overwrite the entry meanwhile.
     *
     * @return false if the ring does not hold the entry (never written, reclaimed, truncated, or
     *         changed during the read)
     */
    public boolean readHeader(long index, EntryHeader header) {
        int slot = (int) (index & mask);
        long before = versions.get(slot);
        if ((before & 1) != 0 || indexes[slot] != index) {
            return false;
        }
        long term = terms[slot];
        byte kind = kinds[slot];
        byte origin = origins[slot];
        long correlation = correlations[slot];
        long position = positions[slot];
        int length = lengths[slot];
        int inArena = (int) (position % arenaCapacity);
        if (length < 0 || inArena < 0 || inArena + length > arenaCapacity) {
            return false; // torn fields: the version check below would fail too
        }
        VarHandle.loadLoadFence();
        if (versions.get(slot) != before) {
            return false;
        }
        header.set(index, term, kind, origin, correlation);
        header.version = before;
        header.arenaOffset = inArena;
        header.length = length;
        return true;
    }

    /** Points {@code view} at the {@code length} arena bytes at {@code arenaOffset} (from {@link #readHeader}). */
    void wrapPayload(ArrayBytes view, int arenaOffset, int length) {
        view.wrap(arena, arenaOffset, length);
    }

    /**
     * Whether entry {@code index}'s slot still has the {@code version} {@link #readHeader} saw: then
     * nothing was written to it or its payload since. Any thread; the caller issues
     * {@link VarHandle#loadLoadFence()} between reading the payload and calling this.
     */
    boolean unchanged(long index, long version) {
        return versions.get((int) (index & mask)) == version;
    }

    /** The guard between the log writer reading entries and the core discarding them. */
    public RingDiscardGuard discardGuard() {
        return discardGuard;
    }

    /**
     * Whether the ring holds entry {@code index} now. Any thread; a racy hint, exact for entries that
     * are written, committed and not yet applied (those are never reclaimed).
     */
    public boolean holds(long index) {
        int slot = (int) (index & mask);
        return (versions.get(slot) & 1) == 0 && indexes[slot] == index;
    }

        /** Payload length of entry {@code index}, or {@link #ABSENT} (core only). */
    public int lengthAt(long index) {
        if (index < firstIndex || index > lastIndex) {
            return ABSENT;
        }
        return lengths[(int) (index & mask)];
    }
}
