package io.ringraft.internal.runtime.requests;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * Proposals on their way from any thread to the core: a bounded multi-producer, single-consumer
 * queue of variable-length records in one pre-allocated {@code byte[]}. Queuing copies the payload
 * in once and allocates nothing; the core reads records in place and points the ring's entry at the
 * payload where it lies ({@link #take}), so that a proposal's bytes are copied once, from the
 * caller's buffer into this array. Full means {@link #offer} returns false, never growth.
 *
 * <p><b>Layout.</b> Records start at multiples of 8 and are padded to a multiple of 8:
 * {@code [state:u8][origin:i8][unused:2][length:i32][correlation:i64][payload]}, where
 * {@code length} counts the 16-byte header and the payload and {@code state} is 0 until the record
 * is committed, then {@link #RECORD} or {@link #PADDING}. A record that does not fit before the end
 * of the array starts the array again; the bytes it skips become a padding record, which the
 * consumer steps over.
 *
 * <p><b>Protocol.</b> Producers claim space with a CAS on {@code tail} against a {@code head} they
 * read with acquire (or a cached copy of it, published with release); a claimed record is written
 * with plain stores and made visible by a release store of its state byte. The consumer reads state
 * bytes with acquire from {@code head} on, stops at the first 0 (not yet committed), hands the
 * records to its handler, zeroes what it consumed and publishes the new {@code head} with release,
 * which is what lets producers reuse those bytes. A record's bytes are therefore written only
 * between a producer's claim and the consumer's release of them.
 *
 * <p><b>Consumed, then freed.</b> The consumer's reading position ({@code consumed}) and the line up
 * to which producers may reuse bytes ({@code head}) are two pointers: {@link #take} moves only the
 * first, {@link #freeUpTo} the second. Between them lie records the ring still holds entries for
 * (their payloads are read in place until the core reclaims or truncates those entries) and records
 * consumed otherwise (refused proposals, padding): holes that the free line passes with the held
 * records around them. The core frees up to the queue position of the oldest entry its ring holds
 * in this array, or up to {@code consumed} if it holds none ({@code EntryRing.oldestPin}); records
 * are consumed in queue order and proposals get their indexes in that order, so that line only
 * moves forward. {@link #drain} frees what it consumes at once (for callers that keep nothing).
 *
 * <p>Only the one-byte state is accessed atomically, so nothing depends on where the JVM places the
 * array's elements (JDK 25 no longer promises any alignment for them, and atomic multi-byte access
 * needs it); the multi-byte fields are plain {@link MethodHandles#byteArrayViewVarHandle} accesses,
 * valid at any alignment. The counters sit on separate cache lines. No {@code Unsafe} is involved.
 *
 * <p><b>Lazy storage.</b> The array (and its counters) is allocated by the first {@link #offer}, not by
 * the constructor, and the consumer may hand it back with {@link #release()} while the queue is empty (a
 * quiet group): it closes the storage by a CAS of {@code tail} from {@code head} to {@link #CLOSED}, which
 * succeeds only if no producer holds a claim (every claim moves {@code tail}, and {@code head} passes a
 * record only once it is consumed) and makes every later claim on that storage fail; a producer that
 * meets a closed (or no) storage installs a fresh one with a CAS and claims there. So no record is ever
 * written into storage the consumer no longer reads.
 *
 * <p>Any thread may call {@link #offer}; one thread at a time (the core, or the shutdown once the
 * core stopped) calls {@link #drain} and {@link #release}. Nothing blocks: a full queue is the caller's
 * back-pressure.
 */
public final class ProposalQueue {

    /** Bytes before a record's payload: state, origin, length, correlation id. */
    static final int HEADER_BYTES = 16;
    /** State of a committed proposal. */
    static final byte RECORD = 1;
    /** State of committed padding: bytes to step over (the array's end, or a record whose copy failed). */
    static final byte PADDING = 2;

    private static final int ALIGNMENT = 8;
    private static final int ORIGIN_OFFSET = 1;
    private static final int LENGTH_OFFSET = 4;
    private static final int CORRELATION_OFFSET = 8;

    private static final VarHandle STATE = MethodHandles.arrayElementVarHandle(byte[].class);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final VarHandle COUNTER = MethodHandles.arrayElementVarHandle(long[].class);

    /** Indexes in {@link #counters}, 64 bytes apart (and from the array's ends). */
    private static final int TAIL = 8;
    private static final int HEAD_CACHE = 16;
    private static final int HEAD = 24;
    /** The consumer's reading position: {@code head <= consumed <= tail}. Written by the consumer only. */
    private static final int CONSUMED = 32;

    /** Receives the records {@link #drain} reads; the payload is {@code length} bytes of {@code buffer} from {@code offset}. */
    @FunctionalInterface
    public interface Handler {
        /**
         * @return true to consume the record; false to leave it (and every later one) queued and stop
         */
        boolean onProposal(byte origin, long correlationId, byte[] buffer, int offset, int length);
    }

    /**
     * Receives the records {@link #take} reads, with where each lies: the payload is {@code length} bytes
     * of {@code buffer} from {@code offset}, and stays there, unchanged, until {@link #freeUpTo} passes
     * {@code position}.
     */
    @FunctionalInterface
    public interface PinningHandler {
        /**
         * @param origin        where the proposal's outcome goes
         * @param correlationId the proposal's correlation id
         * @param buffer        the queue's array, holding the payload
         * @param offset        where in {@code buffer} the payload starts
         * @param length        the payload's length
         * @param position      the record's queue position (what {@link #freeUpTo} compares with)
         * @return true to consume the record; false to leave it (and every later one) queued and stop
         */
        boolean onProposal(byte origin, long correlationId, byte[] buffer, int offset, int length, long position);
    }

    /** The {@code tail} of a storage the consumer released: claims on it fail, and producers install a fresh one. */
    private static final long CLOSED = Long.MIN_VALUE;
    /** What {@link #claim} returns when the storage was released under the producer: claim again on a fresh one. */
    private static final int RETRY = -2;
    private static final VarHandle STORAGE;

    static {
        try {
            STORAGE = MethodHandles.lookup().findVarHandle(ProposalQueue.class, "storage", Storage.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** One allocation of the queue: the records' array and the counters over it. */
    private static final class Storage {
        final byte[] buffer;
        final long[] counters = new long[CONSUMED + 8];

        Storage(int capacity) {
            buffer = new byte[capacity];
        }
    }

    private final int capacity;
    private final int mask;
    /** The storage records are queued in, or null before the first offer and after a {@link #release()}. */
    private volatile Storage storage;
    /** How many times a storage was allocated (tests). */
    private final java.util.concurrent.atomic.AtomicLong allocations = new java.util.concurrent.atomic.AtomicLong();

    /** @param capacity bytes for records, a power of two, at least 64; allocated by the first offer */
    public ProposalQueue(int capacity) {
        if (capacity < 64 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("proposal queue capacity must be a power of two >= 64, got " + capacity);
        }
        this.capacity = capacity;
        this.mask = capacity - 1;
    }

    /** The storage to claim in: the current one, or a fresh one if there is none or it was closed. */
    private Storage openStorage() {
        while (true) {
            Storage current = storage;
            if (current != null && (long) COUNTER.getVolatile(current.counters, TAIL) != CLOSED) {
                return current;
            }
            Storage fresh = new Storage(capacity);
            if (STORAGE.compareAndSet(this, current, fresh)) {
                allocations.incrementAndGet();
                return fresh;
            }
        }
    }

    /**
     * Hands the array back if the queue is empty and no producer is queuing (consumer only); the next offer
     * allocates a new one.
     *
     * @return true if released now; false if records are queued or being queued, or nothing was allocated
     */
    public boolean release() {
        Storage current = storage;
        if (current == null) {
            return false;
        }
        long head = (long) COUNTER.get(current.counters, HEAD);
        if (!COUNTER.compareAndSet(current.counters, TAIL, head, CLOSED)) {
            return false; // a record is queued or a producer holds a claim
        }
        STORAGE.compareAndSet(this, current, null); // unless a producer already replaced the closed one
        return true;
    }

    /** {@return whether the queue's array is allocated now} Any thread; a snapshot. */
    public boolean isAllocated() {
        Storage current = storage;
        return current != null && (long) COUNTER.getVolatile(current.counters, TAIL) != CLOSED;
    }

    /** {@return how many times the queue's array was allocated} Any thread (tests). */
    long allocations() {
        return allocations.get();
    }

    /** {@return the largest payload a record may have} */
    public int maxPayload() {
        return capacity - HEADER_BYTES;
    }

    /**
     * Bytes queued or being queued, or consumed and not freed yet (records, their headers and padding:
     * proposals the ring still holds in place), for status. Any thread; a snapshot.
     */
    public int size() {
        Storage current = storage;
        if (current == null) {
            return 0;
        }
        long head = (long) COUNTER.getVolatile(current.counters, HEAD);
        long tail = (long) COUNTER.getVolatile(current.counters, TAIL);
        return tail == CLOSED ? 0 : (int) Math.max(0, Math.min(capacity, tail - head));
    }

    /** True if nothing is queued, nor being queued, that the consumer did not take yet. Any thread; a snapshot. */
    public boolean isEmpty() {
        Storage current = storage;
        if (current == null) {
            return true;
        }
        long tail = (long) COUNTER.getVolatile(current.counters, TAIL);
        return tail == CLOSED || tail == (long) COUNTER.getVolatile(current.counters, CONSUMED);
    }

    /**
     * The consumer's reading position in the current array: every record before it was taken. Consumer
     * only.
     *
     * @return the position, or -1 if no array is allocated (nothing to free)
     */
    public long consumed() {
        Storage current = storage;
        return current == null ? -1 : (long) COUNTER.get(current.counters, CONSUMED);
    }

    /**
     * {@return bytes taken by the consumer and not freed yet (proposals held in place, and holes between
     * them)} Consumer only.
     */
    public int pinnedBytes() {
        Storage current = storage;
        if (current == null) {
            return 0;
        }
        return (int) ((long) COUNTER.get(current.counters, CONSUMED) - (long) COUNTER.get(current.counters, HEAD));
    }

    /** {@return the array's size in bytes} */
    public int capacity() {
        return capacity;
    }

    /**
     * Lets producers reuse the bytes before {@code line} (consumer only): zeroes them and publishes the
     * new head. A line at or before the head, or past what was consumed, frees only up to what was
     * consumed (nothing is freed twice, nothing untaken is freed).
     *
     * @param line a queue position ({@link #consumed()}, or a {@link PinningHandler}'s {@code position})
     */
    public void freeUpTo(long line) {
        Storage s = storage;
        if (s == null) {
            return;
        }
        long[] counters = s.counters;
        long head = (long) COUNTER.get(counters, HEAD);
        long upTo = Math.min(line, (long) COUNTER.get(counters, CONSUMED));
        if (upTo <= head) {
            return;
        }
        int bytes = (int) (upTo - head);
        int headIndex = (int) (head & mask);
        // Up to two runs (records never straddle the array's end), then hand them back to the producers.
        int firstRun = Math.min(bytes, capacity - headIndex);
        Arrays.fill(s.buffer, headIndex, headIndex + firstRun, (byte) 0);
        Arrays.fill(s.buffer, 0, bytes - firstRun, (byte) 0);
        COUNTER.setRelease(counters, HEAD, upTo);
    }

    /**
     * Queues {@code length} bytes of {@code payload} from {@code offset}. Any thread; never blocks.
     *
     * @return false if the queue has no room for the record now
     * @throws IndexOutOfBoundsException if the range is outside {@code payload}
     * @throws IllegalArgumentException if the payload is larger than {@link #maxPayload()}
     */
    public boolean offer(byte origin, long correlationId, byte[] payload, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, payload.length);
        checkLength(length);
        Storage s;
        int record;
        do {
            s = openStorage();
            record = claim(s, length);
        } while (record == RETRY);
        if (record < 0) {
            return false;
        }
        boolean copied = false;
        try {
            System.arraycopy(payload, offset, s.buffer, record + HEADER_BYTES, length);
            copied = true;
        } finally {
            commit(s.buffer, record, origin, correlationId, length, copied);
        }
        return true;
    }

    /**
     * Queues the bytes {@code payload} has remaining, without moving its position. Any thread; never
     * blocks.
     *
     * @return false if the queue has no room for the record now
     * @throws IllegalArgumentException if the payload is larger than {@link #maxPayload()}
     */
    public boolean offer(byte origin, long correlationId, ByteBuffer payload) {
        int length = payload.remaining();
        checkLength(length);
        Storage s;
        int record;
        do {
            s = openStorage();
            record = claim(s, length);
        } while (record == RETRY);
        if (record < 0) {
            return false;
        }
        boolean copied = false;
        try {
            payload.get(payload.position(), s.buffer, record + HEADER_BYTES, length);
            copied = true;
        } finally {
            commit(s.buffer, record, origin, correlationId, length, copied);
        }
        return true;
    }

    /**
     * Claims room for a record with {@code payloadLength} bytes of payload.
     *
     * @return the record's position in the array, -1 if there is no room now, or {@link #RETRY} if the
     *         storage was released (claim again in a fresh one)
     */
    private int claim(Storage s, int payloadLength) {
        int required = align(HEADER_BYTES + payloadLength);
        long[] counters = s.counters;
        long head = (long) COUNTER.getAcquire(counters, HEAD_CACHE);
        long tail;
        int padding;
        int tailIndex;
        do {
            tail = (long) COUNTER.getVolatile(counters, TAIL);
            if (tail == CLOSED) {
                return RETRY;
            }
            if (required > capacity - (int) (tail - head)) {
                head = (long) COUNTER.getAcquire(counters, HEAD);
                if (required > capacity - (int) (tail - head)) {
                    return -1;
                }
                COUNTER.setRelease(counters, HEAD_CACHE, head);
            }
            padding = 0;
            tailIndex = (int) (tail & mask);
            int toEnd = capacity - tailIndex;
            if (required > toEnd) {
                // The record starts the array again: the first `required` bytes there must be free
                // (the total check above puts head in this lap, so they are free up to head's index).
                int headIndex = (int) (head & mask);
                if (required > headIndex) {
                    head = (long) COUNTER.getAcquire(counters, HEAD);
                    headIndex = (int) (head & mask);
                    if (required > headIndex) {
                        return -1;
                    }
                    COUNTER.setRelease(counters, HEAD_CACHE, head);
                }
                padding = toEnd;
            }
        } while (!COUNTER.compareAndSet(counters, TAIL, tail, tail + required + padding));
        if (padding != 0) {
            INT.set(s.buffer, tailIndex + LENGTH_OFFSET, padding);
            STATE.setRelease(s.buffer, tailIndex, PADDING);
            return 0;
        }
        return tailIndex;
    }

    private void checkLength(int payloadLength) {
        if (payloadLength < 0 || payloadLength > maxPayload()) {
            throw new IllegalArgumentException("a proposal of " + payloadLength + " bytes does not fit a queue of "
                    + capacity + " bytes");
        }
    }

    /** Publishes a claimed record: as a proposal if its payload was copied, else as padding. */
    private static void commit(byte[] buffer, int record, byte origin, long correlationId, int payloadLength,
                               boolean copied) {
        buffer[record + ORIGIN_OFFSET] = origin;
        INT.set(buffer, record + LENGTH_OFFSET, HEADER_BYTES + payloadLength);
        LONG.set(buffer, record + CORRELATION_OFFSET, correlationId);
        STATE.setRelease(buffer, record, copied ? RECORD : PADDING);
    }

    /**
     * Hands up to {@code limit} queued records, oldest first, to {@code handler}, in place, and frees
     * the ones it consumed at once (with every record consumed before: use it only when nothing holds
     * records in place, see {@link #take}). One thread at a time (the consumer).
     *
     * @return the number of records consumed
     */
    public int drain(Handler handler, int limit) {
        int consumed = take(handler, null, limit);
        freeUpTo(Long.MAX_VALUE);
        return consumed;
    }

    /**
     * Hands up to {@code limit} queued records, oldest first, to {@code handler}, in place, and marks the
     * ones it consumed as taken; their bytes stay as they are until {@link #freeUpTo} passes them. One
     * thread at a time (the core, or the shutdown once the core stopped). A record still being written
     * ends the call; the next one takes it. Padding is stepped over (not counted) within the same call, so
     * it never returns 0 while committed records wait behind padding.
     *
     * @return the number of records consumed
     */
    public int take(PinningHandler handler, int limit) {
        return take(null, handler, limit);
    }

    /** {@link #take} with either handler (the other null). */
    private int take(Handler plain, PinningHandler pinning, int limit) {
        Storage s = storage; // only this thread closes it: while it takes, it stays the current one
        if (s == null) {
            return 0;
        }
        byte[] buffer = s.buffer;
        long[] counters = s.counters;
        long from = (long) COUNTER.get(counters, CONSUMED);
        // Everything up to head + capacity may hold records; bytes past it are the head's, already taken.
        int readable = capacity - (int) (from - (long) COUNTER.get(counters, HEAD));
        int bytesRead = 0;
        int consumed = 0;
        try {
            while (bytesRead < readable && consumed < limit) {
                long position = from + bytesRead;
                int at = (int) (position & mask);
                byte state = (byte) STATE.getAcquire(buffer, at);
                if (state == 0) {
                    break;
                }
                int length = (int) INT.get(buffer, at + LENGTH_OFFSET);
                int aligned = align(length);
                bytesRead += aligned;
                if (state == PADDING) {
                    continue;
                }
                long correlationId = (long) LONG.get(buffer, at + CORRELATION_OFFSET);
                byte origin = buffer[at + ORIGIN_OFFSET];
                int payloadLength = length - HEADER_BYTES;
                if (!(pinning != null
                        ? pinning.onProposal(origin, correlationId, buffer, at + HEADER_BYTES, payloadLength, position)
                        : plain.onProposal(origin, correlationId, buffer, at + HEADER_BYTES, payloadLength))) {
                    bytesRead -= aligned;
                    break;
                }
                consumed++;
            }
        } finally {
            if (bytesRead > 0) {
                COUNTER.setRelease(counters, CONSUMED, from + bytesRead);
            }
        }
        return consumed;
    }

    private static int align(int length) {
        return (length + ALIGNMENT - 1) & -ALIGNMENT;
    }
}
