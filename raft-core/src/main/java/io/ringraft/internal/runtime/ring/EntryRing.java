package io.ringraft.internal.runtime.ring;

import io.ringraft.api.Bytes;
import io.ringraft.api.EntryKind;
import io.ringraft.internal.bytes.ArrayBytes;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The bounded ring of log entries every task of a node reads from: {@code capacity} slots (a power
 * of two; entry {@code i} lives in slot {@code i & mask}) and an arena of bytes for the payloads (one
 * heap {@code byte[]}, read and written with plain accesses and {@link System#arraycopy}; the slot
 * versions below order them). Nothing is allocated per entry (the tables are allocated whole, see
 * "Lazy storage" below).
 *
 * <p><b>Single writer.</b> Only the core task calls the mutating methods ({@link #write},
 * {@link #writeInPlace}, {@link #truncateFrom}, {@link #reclaimUpTo}, {@link #reclaimEarly}) and the core-side
 * queries ({@link #oldestPin}). Any thread may call
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
 *
 * <p><b>Payloads held elsewhere.</b> A local proposal's payload stays where its proposer copied it, in
 * the proposal queue's array ({@link #writeInPlace}): the slot points at it there and takes no arena
 * bytes (for the arena it is an empty entry). The slot keeps that record's queue position (its
 * <em>pin</em>); the core lets producers reuse the queue's bytes only up to the oldest pin the ring
 * still holds ({@link #oldestPin}), so those bytes change only after the slot was invalidated (reclaimed
 * or truncated), as arena bytes do: readers see a payload overwritten under them through the version,
 * the same way. Pins rise with the index (the core takes proposals in queue order), so the oldest held
 * pin is the first one from {@link #firstIndex()} on.
 *
 * <p><b>Lazy storage.</b> The slot tables and the arena ({@link Slots}) are allocated by the first write,
 * not by the constructor, and the core may hand them back with {@link #release()} when the ring is empty
 * (every entry reclaimed: a quiet group), to be allocated again by the next write. Releasing needs no
 * cooperation from the readers: an empty ring has every slot invalid (odd), so a reader still holding the
 * old tables fails its seqlock check; and the next tables' versions start above every version the old ones
 * ever had, so a reader that read a header from the old tables and checks it against the new ones
 * ({@link #unchanged}) fails too. A consumer that reads without checking versions (the applier, the log
 * writer under the {@link RingDiscardGuard}) only reads entries the core may not reclaim yet, and an empty
 * ring holds none.
 */
public final class EntryRing {

    /** Returned by {@link #read} when the ring does not (or no longer) hold the entry. */
    public static final int ABSENT = -1;
    /** The pin of an entry whose payload lies in the arena (nothing held in a proposal queue). */
    private static final long NO_PIN = Long.MIN_VALUE;

    private final int capacity;
    private final int mask;
    private final int arenaCapacity;
    private final RingDiscardGuard discardGuard = new RingDiscardGuard();
    /** The slot tables and arena, or null while released ({@link #release()}); written by the core only. */
    private volatile Slots slots;
    /** The odd version the next allocated tables start every slot at: above every version used before. */
    private long versionBase = 1;
    /** How many times the tables were allocated (for tests and status). Core only. */
    private long allocations;

    // Core-only state.
    private long firstIndex = 1;
    private long lastIndex;
    private long arenaHead;
    private long arenaTail;
    /** No entry below this (and at or above {@link #firstIndex}) has a pin ({@link #oldestPin}). */
    private long pinCursor = 1;

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
        this.arenaCapacity = capacityBytes;
    }

    /**
     * The slot tables and the payload arena of one allocation: what {@link #release()} hands back. Every
     * field but the versions is written by the core between a slot's odd and even version (seqlock).
     */
    private static final class Slots {
        final AtomicLongArray versions;
        final long[] indexes;
        final long[] terms;
        final byte[] kinds;
        final long[] correlations;
        final byte[] origins;
        final long[] positions;
        final int[] lengths;
        /** Arena position just after each slot's payload; the arena tail moves back there on a truncation. */
        final long[] endPositions;
        /** Where each slot's payload lies: the arena, or a proposal queue's array; null once reclaimed. */
        final byte[][] payloadArrays;
        /** Where in {@link #payloadArrays} each slot's payload starts. */
        final int[] payloadOffsets;
        /** Each slot's pin (the queue position of a payload held in place, {@link #writeInPlace}), or {@link #NO_PIN}. */
        final long[] pins;
        final byte[] arena;

        Slots(int capacity, int arenaCapacity, long firstVersion) {
            versions = new AtomicLongArray(capacity);
            for (int i = 0; i < capacity; i++) {
                versions.set(i, firstVersion); // odd: empty
            }
            indexes = new long[capacity];
            terms = new long[capacity];
            kinds = new byte[capacity];
            correlations = new long[capacity];
            origins = new byte[capacity];
            positions = new long[capacity];
            lengths = new int[capacity];
            endPositions = new long[capacity];
            payloadArrays = new byte[capacity][];
            payloadOffsets = new int[capacity];
            pins = new long[capacity];
            arena = new byte[arenaCapacity];
        }
    }

    /** The tables, allocated if released or never allocated (core only; called before a write). */
    private Slots allocated() {
        Slots current = slots;
        if (current == null) {
            current = new Slots(capacity, arenaCapacity, versionBase);
            allocations++;
            slots = current; // volatile: readers see the tables filled
        }
        return current;
    }

    /**
     * Hands the slot tables and the arena back to the garbage collector if the ring is empty (core only):
     * a quiet group keeps only this object. The next write allocates them again. Safe against readers of
     * any thread (see the class comment); the caller makes sure the ring is empty by reclaiming what it
     * may ({@link #reclaimUpTo}) first.
     *
     * @return true if the tables were released now; false if the ring holds entries or was released already
     */
    public boolean release() {
        Slots current = slots;
        if (current == null || firstIndex <= lastIndex) {
            return false;
        }
        long highest = 1;
        for (int i = 0; i < capacity; i++) {
            highest = Math.max(highest, current.versions.get(i));
        }
        // Every slot is odd in an empty ring; the next tables start above all of them, still odd.
        versionBase = (highest | 1) + 2;
        slots = null;
        arenaHead = arenaTail = 0;
        return true;
    }

    /**
     * Reclaims every entry the ring holds and releases its tables ({@link #release()}), if every entry is at
     * or below {@code reclaimable} (core only; {@code reclaimable} as for {@link #makeRoom}).
     *
     * @param reclaimable the highest index that may be reclaimed
     * @return true if the tables were released now
     */
    public boolean releaseUpTo(long reclaimable) {
        if (slots == null || lastIndex > reclaimable) {
            return false;
        }
        reclaimUpTo(lastIndex);
        return release();
    }

    /** {@return whether the slot tables and arena are allocated now} Any thread; a snapshot. */
    public boolean isAllocated() {
        return slots != null;
    }

    /** {@return how many times the slot tables were allocated} Core only (tests). */
    long allocations() {
        return allocations;
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
        pinCursor = nextIndex;
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
        Slots s = slots; // not null while the ring holds entries; read only then
        long tail = keptLast >= firstIndex ? s.endPositions[(int) (keptLast & mask)] : arenaTail;
        long head = keepsAny ? s.positions[(int) (oldest & mask)] : -1;
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
        Slots s = slots;
        for (long i = firstIndex; i <= upTo; i++) {
            int slot = (int) (i & mask);
            s.versions.incrementAndGet(slot); // odd: readers of this slot now fail
            s.payloadArrays[slot] = null; // keeps no released proposal array reachable
        }
        if (upTo >= firstIndex) {
            firstIndex = upTo + 1;
        }
        // The head is where the oldest held payload starts: bytes skipped at the arena's end before
        // it are free too (countFitting counts on that).
        arenaHead = firstIndex > lastIndex ? arenaTail : s.positions[(int) (firstIndex & mask)];
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
            System.arraycopy(payload, offset, slots.arena, inArena, length);
        }
        publish(index, length);
    }

    /**
     * Writes local proposal {@code index} (a command), which must be {@code lastIndex() + 1} (or any index
     * when the ring is empty), without copying its payload: the slot points at the {@code length} bytes of
     * {@code buffer} from {@code offset}, where the proposer put them, and the entry takes no arena bytes
     * (core only; the caller checked {@link #makeRoom} for an empty payload). Those bytes must not change
     * until the ring no longer holds the entry: {@code pin} is their queue position, which
     * {@link #oldestPin} reports while the entry is held.
     *
     * @param index       the entry's index
     * @param term        the entry's term
     * @param origin      where the proposal's outcome goes
     * @param correlation the proposal's correlation id
     * @param buffer      the array holding the payload (the proposal queue's)
     * @param offset      where in {@code buffer} the payload starts
     * @param length      the payload's length
     * @param pin         the record's queue position; pins rise with the index
     * @throws IllegalStateException if the slot is not free
     */
    public void writeInPlace(long index, long term, byte origin, long correlation, byte[] buffer, int offset,
                             int length, long pin) {
        begin(index, term, EntryKind.COMMAND, origin, correlation, 0);
        Slots s = slots;
        int slot = (int) (index & mask);
        s.payloadArrays[slot] = buffer;
        s.payloadOffsets[slot] = offset;
        s.lengths[slot] = length;
        s.pins[slot] = pin;
        publish(index, 0);
    }

    /**
     * The queue position of the oldest entry the ring holds whose payload lies in place in the proposal
     * queue ({@link #writeInPlace}), or {@code none} if it holds none (core only): the proposal queue may
     * free its bytes up to there. Amortized constant time (a cursor that only a truncation moves back).
     *
     * @param none what to return when no held entry is pinned (the queue's consumed position)
     * @return the oldest held pin, or {@code none}
     */
    public long oldestPin(long none) {
        Slots s = slots;
        if (s == null || firstIndex > lastIndex) {
            return none;
        }
        long i = Math.max(pinCursor, firstIndex);
        while (i <= lastIndex && s.pins[(int) (i & mask)] == NO_PIN) {
            i++;
        }
        pinCursor = i;
        return i <= lastIndex ? s.pins[(int) (i & mask)] : none;
    }

    /**
     * Reclaims every entry up to {@code index}, which must be applied and handed to storage (core only):
     * frees the arena and any proposal bytes those entries hold in place before they are needed.
     *
     * @param index the highest index to reclaim ({@code RingRoom.reclaimable()} at most)
     */
    public void reclaimEarly(long index) {
        if (slots != null && index >= firstIndex) {
            reclaimUpTo(index);
        }
    }

    /**
     * Writes entry {@code index} as {@link #write(long, long, EntryKind, byte, long, byte[], int, int)}
     * does, copying all of {@code payload} (a view of another node's entry, say).
     */
    public void write(long index, long term, EntryKind kind, byte origin, long correlation, Bytes payload) {
        int length = payload.length();
        int inArena = begin(index, term, kind, origin, correlation, length);
        byte[] arena = slots.arena;
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
            pinCursor = index;
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
        Slots s = allocated();
        int slot = (int) (index & mask);
        long version = s.versions.get(slot);
        if ((version & 1) == 0) {
            s.versions.set(slot, version + 1);
        }
        VarHandle.storeStoreFence();
        s.indexes[slot] = index;
        s.terms[slot] = term;
        s.kinds[slot] = kind.code();
        s.origins[slot] = origin;
        s.correlations[slot] = correlation;
        s.positions[slot] = position;
        s.lengths[slot] = length;
        s.payloadArrays[slot] = s.arena;
        s.payloadOffsets[slot] = inArena;
        s.pins[slot] = NO_PIN;
        return inArena;
    }

    /** The second half of a write, once the payload is in the arena: the slot becomes readable. */
    private void publish(long index, int length) {
        Slots s = slots;
        int slot = (int) (index & mask);
        arenaTail = s.positions[slot] + length;
        s.endPositions[slot] = arenaTail;
        s.versions.setRelease(slot, s.versions.get(slot) + 1);
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
        arenaTail = slots.endPositions[(int) ((index - 1) & mask)];
        lastIndex = index - 1;
        pinCursor = Math.min(pinCursor, index);
    }

    private void invalidate(long from, long to) {
        Slots s = slots;
        if (s == null) {
            return; // released: nothing held
        }
        for (long i = from; i <= to; i++) {
            int slot = (int) (i & mask);
            long version = s.versions.get(slot);
            if ((version & 1) == 0) {
                s.versions.set(slot, version + 1);
            }
            s.payloadArrays[slot] = null;
        }
    }

    /** The origin tag of entry {@code index} (core only; the entry must be held). */
    public byte originAt(long index) {
        return slots.origins[(int) (index & mask)];
    }

    /**
     * Forgets who proposed entry {@code index} (core only), so that its outcome, already reported
     * as indeterminate, is not reported again when it is applied. Readers see the change through
     * the slot's version like any write.
     */
    public void clearOrigin(long index) {
        Slots s = slots;
        int slot = (int) (index & mask);
        if (s == null) {
            return;
        }
        long version = s.versions.get(slot);
        if ((version & 1) != 0 || s.indexes[slot] != index) {
            return;
        }
        s.versions.set(slot, version + 1);
        VarHandle.storeStoreFence();
        s.origins[slot] = 0;
        s.correlations[slot] = 0;
        s.versions.setRelease(slot, version + 2);
    }

    /** The correlation id of entry {@code index} (core only; the entry must be held). */
    public long correlationAt(long index) {
        return slots.correlations[(int) (index & mask)];
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
        Slots s = slots;
        if (s == null || !readHeader(s, index, header) || dstOffset + header.length > dst.length) {
            return ABSENT;
        }
        if (header.length > 0) {
            System.arraycopy(header.array, header.arenaOffset, dst, dstOffset, header.length);
        }
        VarHandle.loadLoadFence();
        return s.versions.get((int) (index & mask)) == header.version ? header.length : ABSENT;
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
        Slots s = slots;
        return s != null && readHeader(s, index, header);
    }

    private boolean readHeader(Slots s, long index, EntryHeader header) {
        int slot = (int) (index & mask);
        AtomicLongArray versions = s.versions;
        long before = versions.get(slot);
        if ((before & 1) != 0 || s.indexes[slot] != index) {
            return false;
        }
        long term = s.terms[slot];
        byte kind = s.kinds[slot];
        byte origin = s.origins[slot];
        long correlation = s.correlations[slot];
        byte[] array = s.payloadArrays[slot];
        int offset = s.payloadOffsets[slot];
        int length = s.lengths[slot];
        if (array == null || length < 0 || offset < 0 || offset + length > array.length) {
            return false; // torn fields: the version check below would fail too
        }
        VarHandle.loadLoadFence();
        if (versions.get(slot) != before) {
            return false;
        }
        header.set(index, term, kind, origin, correlation);
        header.version = before;
        header.array = array;
        header.arenaOffset = offset;
        header.length = length;
        return true;
    }

    /**
     * Points {@code view} at the {@code length} bytes of {@code array} at {@code offset} (where
     * {@link #readHeader} found the payload: the arena or a proposal queue's array), or at nothing if the
     * ring released its tables since. If the bytes were reused since, whatever is read there fails the
     * version check afterwards.
     */
    void wrapPayload(ArrayBytes view, byte[] array, int offset, int length) {
        boolean released = slots == null;
        view.wrap(released ? RELEASED_ARENA : array, released ? 0 : offset, released ? 0 : length);
    }

    /** What a payload read from a released ring points at: nothing (its version check fails anyway). */
    private static final byte[] RELEASED_ARENA = new byte[0];

    /**
     * Whether entry {@code index}'s slot still has the {@code version} {@link #readHeader} saw: then
     * nothing was written to it or its payload since. Any thread; the caller issues
     * {@link VarHandle#loadLoadFence()} between reading the payload and calling this.
     */
    boolean unchanged(long index, long version) {
        Slots s = slots;
        return s != null && s.versions.get((int) (index & mask)) == version;
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
        Slots s = slots;
        int slot = (int) (index & mask);
        return s != null && (s.versions.get(slot) & 1) == 0 && s.indexes[slot] == index;
    }

        /** Payload length of entry {@code index}, or {@link #ABSENT} (core only). */
    public int lengthAt(long index) {
        if (index < firstIndex || index > lastIndex) {
            return ABSENT;
        }
        return slots.lengths[(int) (index & mask)];
    }
}
